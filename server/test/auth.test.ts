import { SignJWT } from "jose";
import { ErrorCode } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOM_ARENA } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { issueGuestToken } from "../src/auth.ts";
import { TEST_SECRET, guestToken, joinArena, startTestServer } from "@arena/testkit";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function joinWith(token: string | undefined): Promise<unknown> {
  const client = new JoinClient(server.url);
  if (token !== undefined) client.auth.token = token;
  try {
    await client.joinOrCreate(ROOM_ARENA, { name: "x" });
    return undefined;
  } catch (e) {
    return e;
  }
}

describe("auth", () => {
  it("issues a guest token over HTTP and accepts it on join", async () => {
    const { room } = await joinArena(server.url, "alice");
    expect(room.state.players.get(room.sessionId)?.name).toBe("alice");
    await room.leave();
  });

  it("refuses a join without a token", async () => {
    const error = await joinWith(undefined);
    expect(error).toMatchObject({ code: ErrorCode.AUTH_FAILED, message: expect.stringMatching(/missing token/) });
  });

  it("refuses a forged token (signed with another secret)", async () => {
    const forged = await issueGuestToken(new TextEncoder().encode("another-secret-that-is-long-enough-000"), "mallory");
    expect(await joinWith(forged.token)).toMatchObject({ code: ErrorCode.AUTH_FAILED, message: expect.stringMatching(/invalid token/) });
  });

  it("refuses a tampered token (payload changed, signature kept)", async () => {
    const token = await guestToken(server.url, "eve");
    const [h, , s] = token.split(".");
    const payload = Buffer.from(JSON.stringify({ name: "admin", sub: "g_admin", iss: "arena", aud: "arena:guest", exp: 9999999999 })).toString("base64url");
    expect(await joinWith(`${h}.${payload}.${s}`)).toMatchObject({ code: ErrorCode.AUTH_FAILED, message: expect.stringMatching(/invalid token/) });
  });

  it("refuses an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ name: "old" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("g_old").setIssuer("arena").setAudience("arena:guest")
      .setIssuedAt(now - 7200).setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect(await joinWith(expired)).toMatchObject({ code: ErrorCode.AUTH_FAILED, message: expect.stringMatching(/token expired/) });
  });

  it("refuses a token with the 'none' algorithm", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ name: "n", sub: "g_n", iss: "arena", aud: "arena:guest" })).toString("base64url");
    expect(await joinWith(`${header}.${payload}.`)).toMatchObject({ code: ErrorCode.AUTH_FAILED });
  });

  it("cleans and bounds the guest name", async () => {
    const post = (body: string) => fetch(`${server.url}/api/auth/guest`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const ok = await post(JSON.stringify({ name: "  Zed\u0000\u202e  the   Great and Terrible  " }));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { name: string }).name).toBe("Zed the Great an");
    expect((await post(JSON.stringify({ name: "\u0000\u0001 " }))).status).toBe(400);
    expect((await post(JSON.stringify({ name: 42 }))).status).toBe(400);
    expect((await post("{not json")).status).toBe(400);
    expect((await post(JSON.stringify({ name: "x".repeat(10_000) }))).status).toBe(413);
  });

  it("serves /health with process id, rooms and clients", async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", processId: expect.any(String), rooms: expect.any(Number), clients: expect.any(Number) });
  });
});
