/** Guest tokens: a signed JWT (HS256, via jose) carrying a guest id and display name. */
import { randomUUID, webcrypto } from "node:crypto";
import { ErrorCode, ServerError } from "@colyseus/core";
import { jwtVerify, SignJWT } from "jose";

const ISSUER = "arena";
const AUDIENCE = "arena:guest";
/**
 * Guest tokens live this long (30 days). The page keeps its token and trades
 * it for a fresh one (POST /api/auth/refresh) when half of that has passed,
 * so a person keeps their user id across visits and tabs.
 */
export const GUEST_TOKEN_TTL_S = 30 * 24 * 60 * 60;

export interface GuestIdentity {
  userId: string;
  name: string;
}

export interface IssuedToken extends GuestIdentity {
  token: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

/** Signs a token for a guest named `name` (already cleaned): a new one, or `userId` again on refresh. */
export async function issueGuestToken(secret: Uint8Array, name: string, ttlSeconds = GUEST_TOKEN_TTL_S, userId = `g_${randomUUID()}`): Promise<IssuedToken> {
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = now + ttlSeconds;
  const token = await new SignJWT({ name })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(expiresAt)
    .sign(secret);
  return { token, userId, name, expiresAt };
}

/**
 * Given the raw secret, jose imports it into a CryptoKey on every check; a join checks its token twice
 * (the room's static onAuth, then the join ticket's minting, matchmaking/joinTickets.ts), and a person joins
 * the lobby and a room with the same token, so the key is imported once per secret instead (measured in
 * docs/BENCHMARKS.md, "Where a join's time goes").
 */
type VerifyKey = webcrypto.CryptoKey;
const verifyKeys = new WeakMap<Uint8Array, Promise<VerifyKey>>();

function verifyKey(secret: Uint8Array): Promise<VerifyKey> {
  let key = verifyKeys.get(secret);
  if (key === undefined) {
    key = webcrypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    verifyKeys.set(secret, key);
  }
  return key;
}

export class AuthError extends Error {
  override name = "AuthError";
}

/**
 * Tokens that passed the full check, by their exact text, with their expiry: a join checks its token twice
 * (the room's static onAuth, then the join ticket's minting), a person's lobby and room joins and API calls
 * carry the same token, and jose's HMAC through WebCrypto was the
 * largest single cost of a join (docs/BENCHMARKS.md, "Where a join's time goes"). Only the very same string
 * signed with the same secret hits, so the answer is the one a full check would give, as long as the expiry
 * is checked again (it is). Bounded: the oldest entry goes first.
 */
const VERIFIED_MAX = 10_000;
interface Verified { readonly identity: GuestIdentity; readonly expiresAtMs: number }
const verifiedTokens = new WeakMap<Uint8Array, Map<string, Verified>>();

function rememberVerified(secret: Uint8Array, token: string, identity: GuestIdentity, exp: number): void {
  let cache = verifiedTokens.get(secret);
  if (cache === undefined) verifiedTokens.set(secret, (cache = new Map()));
  if (cache.size >= VERIFIED_MAX) cache.delete(cache.keys().next().value!);
  cache.set(token, { identity, expiresAtMs: exp * 1000 });
}

/** Checks signature, issuer, audience and expiry; throws an AuthError saying which failed. */
export async function verifyGuestToken(secret: Uint8Array, token: unknown): Promise<GuestIdentity> {
  if (typeof token !== "string" || token === "") throw new AuthError("missing token");
  const known = verifiedTokens.get(secret)?.get(token);
  if (known !== undefined) {
    if (Date.now() < known.expiresAtMs) return { ...known.identity };
    verifiedTokens.get(secret)?.delete(token);
    throw new AuthError("token expired");
  }
  try {
    const { payload } = await jwtVerify(token, (await verifyKey(secret)) as Parameters<typeof jwtVerify>[1], { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
    if (typeof payload.sub !== "string" || typeof payload.name !== "string") throw new AuthError("malformed token");
    const identity = { userId: payload.sub, name: payload.name };
    // Guest tokens always carry an expiry; one without is checked in full every time.
    if (typeof payload.exp === "number") rememberVerified(secret, token, identity, payload.exp);
    return { ...identity };
  } catch (e) {
    if (e instanceof AuthError) throw e;
    const code = (e as { code?: string }).code;
    if (code === "ERR_JWT_EXPIRED") throw new AuthError("token expired");
    throw new AuthError("invalid token");
  }
}

/**
 * verifyGuestToken for Colyseus' static auth hooks (matchmaking): a bad token
 * becomes AUTH_FAILED (525), which matchmaking answers as HTTP 525 with
 * `{ code, error }`. At connect the rooms take a join ticket instead.
 */
export async function authenticate(secret: Uint8Array, token: unknown): Promise<GuestIdentity> {
  try {
    return await verifyGuestToken(secret, token);
  } catch (e) {
    if (e instanceof AuthError) throw new ServerError(ErrorCode.AUTH_FAILED, e.message);
    throw e;
  }
}
