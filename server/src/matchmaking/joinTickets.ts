/**
 * Join tickets (tickets.ts, kind `join`): every seat reservation a client receives carries one, and a room's
 * instance `onAuth` takes nothing else at connect. The SDK sends whatever it connects with in the websocket
 * URL (`?_authToken=`), so the 30-day guest token stays in Authorization headers of HTTP requests and only
 * a 30-second pass for one seat ever reaches a URL (and so an access log).
 */
import { ErrorCode, ServerError } from "@colyseus/core";
import { verifyGuestToken, type GuestIdentity } from "../auth.ts";
import { checkTicket, issueTicket, type Seat } from "../tickets.ts";
import { interceptMatchmaking } from "../colyseusInternals.ts";

/** `reservation` with the join ticket for its seat, as answered to the client that asked for it. */
export function withJoinTicket<R extends Seat>(secret: Uint8Array, who: GuestIdentity, reservation: R): R & { ticket: string } {
  return { ...reservation, ticket: issueTicket(secret, who, "join", { roomId: reservation.roomId, sessionId: reservation.sessionId }).ticket };
}

/**
 * The person a join ticket admits to `seat`; throws AUTH_FAILED (525) when the ticket is missing, forged,
 * expired, of another kind (a guest token, a stream ticket) or for another seat. A ticket is single-use
 * because its seat is: Colyseus refuses a second connect to a consumed reservation before onAuth runs, and
 * never reserves the same session id twice.
 */
export function redeemJoinTicket(secret: Uint8Array, ticket: unknown, seat: Seat): GuestIdentity {
  const pass = checkTicket(secret, ticket, "join");
  if (pass === undefined) throw new ServerError(ErrorCode.AUTH_FAILED, "a valid join ticket is required (it comes with the seat reservation)");
  if (pass.seat?.roomId !== seat.roomId || pass.seat.sessionId !== seat.sessionId) {
    throw new ServerError(ErrorCode.AUTH_FAILED, "this join ticket is for another seat");
  }
  return { userId: pass.userId, name: pass.name };
}

/**
 * Gives each seat reservation Colyseus' matchmaking route answers (quick play, create, join, join by id, the
 * lobby, the editor) its join ticket, for the person whose token the room's static onAuth just accepted (the
 * check is remembered, auth.ts). A reconnection needs none: its reconnection token admits it. Install it after
 * quick play (both intercept the same call; this one must see quick play's answers too).
 */
export function ticketMatchmakeAnswers(secret: Uint8Array): () => void {
  return interceptMatchmaking(async (original, method, roomName, options, context) => {
    const reservation = (await original(method, roomName, options, context)) as Seat;
    if (method === "reconnect" || context === undefined) return reservation;
    const who = await verifyGuestToken(secret, context.token).catch(() => undefined);
    return who === undefined ? reservation : withJoinTicket(secret, who, reservation);
  });
}
