/**
 * The verified-token cache in auth.ts: a token checked once is not checked through jose's HMAC again (a join
 * checks its token at matchmaking and again at connect), yet answers exactly as a full check would: the same
 * identity, expiry still enforced, and any other string (tampered, re-signed) checked in full.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("jose", async (importOriginal) => {
  const jose = await importOriginal<typeof import("jose")>();
  return { ...jose, jwtVerify: vi.fn(jose.jwtVerify) };
});

const { jwtVerify } = await import("jose");
const { AuthError, issueGuestToken, verifyGuestToken } = await import("../src/auth.ts");

const secret = new TextEncoder().encode("a-test-secret-of-enough-length-for-hs256");
const checks = vi.mocked(jwtVerify);

afterEach(() => {
  vi.useRealTimers();
  checks.mockClear();
});

describe("verified-token cache", () => {
  it("checks a token's signature once, and answers the same identity the second time", async () => {
    const { token, userId } = await issueGuestToken(secret, "ada");
    const first = await verifyGuestToken(secret, token);
    const second = await verifyGuestToken(secret, token);
    expect(second).toEqual({ userId, name: "ada" });
    expect(second).toEqual(first);
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it("still refuses a remembered token once it has expired", async () => {
    const { token } = await issueGuestToken(secret, "bob", 60);
    await verifyGuestToken(secret, token);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    await expect(verifyGuestToken(secret, token)).rejects.toThrow(new AuthError("token expired"));
  });

  it("checks any other string in full: a tampered copy of a remembered token is refused", async () => {
    const { token } = await issueGuestToken(secret, "eve");
    await verifyGuestToken(secret, token);
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, name: "admin" })).toString("base64url")}.${s}`;
    await expect(verifyGuestToken(secret, forged)).rejects.toThrow(new AuthError("invalid token"));
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it("does not carry a token over to another secret", async () => {
    const { token } = await issueGuestToken(secret, "dan");
    await verifyGuestToken(secret, token);
    await expect(verifyGuestToken(new TextEncoder().encode("another-secret-of-enough-length-for-hs256"), token)).rejects.toThrow(AuthError);
  });
});
