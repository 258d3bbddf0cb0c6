/**
 * Tickets: short-lived signed passes that may sit in a URL where the 30-day guest token must not (URLs end up
 * in access logs, proxies and browser history). Two kinds, one mechanism:
 * - `stream`: opens GET /api/notifications/stream (EventSource cannot send an Authorization header); good
 *   for 60 s, for that person's stream only.
 * - `join`: handed out with each seat reservation and sent by the SDK as `_authToken` in the room's websocket
 *   URL; good for 30 s, for that one seat (room id and session id) only. A seat reservation is consumed by
 *   its first connect and never made again under the same session id (Colyseus makes a new one each time),
 *   so a join ticket is single-use by construction, on every process, without a store.
 *
 * Signed with HMAC-SHA256 (node:crypto) under AUTH_SECRET: synchronous and a few microseconds, where a JWT
 * through WebCrypto was the largest single cost of a join (docs/BENCHMARKS.md, "Where a join's time goes").
 * The signed text starts with a domain tag, so no other use of the secret (guest tokens are JWTs) signs a
 * string that passes as a ticket.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { GuestIdentity } from "./auth.ts";

export type TicketKind = "stream" | "join";

/** Seconds a ticket of each kind stays good after it is issued. */
export const TICKET_TTL_S: Readonly<Record<TicketKind, number>> = { stream: 60, join: 30 };

/** What a join ticket is bound to: one seat reservation. */
export interface Seat {
  readonly roomId: string;
  readonly sessionId: string;
}

export interface Ticket extends GuestIdentity {
  readonly kind: TicketKind;
  /** Expiry, seconds since the epoch. */
  readonly expiresAt: number;
  /** The seat a join ticket opens. */
  readonly seat: Seat | undefined;
}

interface Body {
  k: TicketKind;
  sub: string;
  name: string;
  exp: number;
  room?: string;
  sid?: string;
}

const DOMAIN = "arena-ticket.v1.";
/** Longer than any ticket we sign (names are at most a few dozen characters); bounds the work on garbage. */
const MAX_LENGTH = 1024;

function mac(secret: Uint8Array, body: string): Buffer {
  return createHmac("sha256", secret).update(DOMAIN).update(body).digest();
}

/** A ticket of `kind` for `who`; a join ticket names its seat. */
export function issueTicket(secret: Uint8Array, who: GuestIdentity, kind: TicketKind = "stream", seat?: Seat): { ticket: string; expiresAt: number } {
  const expiresAt = Math.floor(Date.now() / 1000) + TICKET_TTL_S[kind];
  const body: Body = { k: kind, sub: who.userId, name: who.name, exp: expiresAt };
  if (seat !== undefined) {
    body.room = seat.roomId;
    body.sid = seat.sessionId;
  }
  const text = Buffer.from(JSON.stringify(body)).toString("base64url");
  return { ticket: `${text}.${mac(secret, text).toString("base64url")}`, expiresAt };
}

/** The ticket's content, or undefined when it is missing, forged, expired, garbage or of another kind. */
export function checkTicket(secret: Uint8Array, ticket: unknown, kind: TicketKind = "stream"): Ticket | undefined {
  if (typeof ticket !== "string" || ticket.length > MAX_LENGTH) return undefined;
  const dot = ticket.indexOf(".");
  if (dot <= 0 || dot !== ticket.lastIndexOf(".")) return undefined;
  const text = ticket.slice(0, dot);
  const given = Buffer.from(ticket.slice(dot + 1), "base64url");
  const expected = mac(secret, text);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let body: Partial<Body>;
  try {
    body = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Partial<Body>;
  } catch {
    return undefined;
  }
  if (body.k !== kind || typeof body.sub !== "string" || typeof body.name !== "string" || typeof body.exp !== "number") return undefined;
  if (Date.now() >= body.exp * 1000) return undefined;
  const seat = typeof body.room === "string" && typeof body.sid === "string" ? { roomId: body.room, sessionId: body.sid } : undefined;
  return { kind, userId: body.sub, name: body.name, expiresAt: body.exp, seat };
}
