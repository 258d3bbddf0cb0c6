/**
 * Stream tickets: a short-lived token for GET /api/notifications/stream, so
 * the long-lived guest token never appears in a URL (EventSource cannot send
 * an Authorization header). A ticket only opens that person's stream.
 */
import { jwtVerify, SignJWT } from "jose";
import type { GuestIdentity } from "../auth.ts";

const AUDIENCE = "arena:stream";
/** A ticket opens a stream within this many seconds of being issued. */
export const TICKET_TTL_S = 60;

export async function issueTicket(secret: Uint8Array, who: GuestIdentity): Promise<{ ticket: string; expiresAt: number }> {
  const expiresAt = Math.floor(Date.now() / 1000) + TICKET_TTL_S;
  const ticket = await new SignJWT({ name: who.name }).setProtectedHeader({ alg: "HS256" }).setSubject(who.userId)
    .setIssuer("arena").setAudience(AUDIENCE).setIssuedAt().setExpirationTime(expiresAt).sign(secret);
  return { ticket, expiresAt };
}

/** The person a ticket names, or undefined when it is missing, forged, expired or another kind of token. */
export async function checkTicket(secret: Uint8Array, ticket: unknown): Promise<GuestIdentity | undefined> {
  if (typeof ticket !== "string" || ticket === "" || ticket.length > 2048) return undefined;
  try {
    const { payload } = await jwtVerify(ticket, secret, { issuer: "arena", audience: AUDIENCE, algorithms: ["HS256"] });
    if (typeof payload.sub !== "string" || typeof payload.name !== "string") return undefined;
    return { userId: payload.sub, name: payload.name };
  } catch {
    return undefined;
  }
}
