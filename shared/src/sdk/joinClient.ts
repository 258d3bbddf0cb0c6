/**
 * The Colyseus SDK client every part of this project joins rooms with (browser, bots, tests, benchmarks).
 *
 * The stock SDK sends `client.auth.token` twice: as an Authorization header on the matchmaking request (fine)
 * and as `?_authToken=` in the room's websocket URL (not fine: a 30-day guest token would sit in every access
 * log and proxy on the way). The server answers each seat reservation with a join ticket good for that one
 * seat for 30 s (server/src/matchmaking/joinTickets.ts); this client puts the ticket in the URL instead, and
 * never the token. Use it exactly like the SDK's Client: `client.auth.token = token`, then join.
 */
import { Client } from "@colyseus/sdk";

/** A seat reservation as the arena server answers it: Colyseus' fields and the seat's join ticket. */
type SeatWithTicket = Parameters<Client["consumeSeatReservation"]>[0] & { ticket?: unknown };

export class JoinClient extends Client {
  protected override buildEndpoint(seat: SeatWithTicket, options: Record<string, unknown> = {}): string {
    const token = this.http.authToken;
    // The SDK copies http.authToken into the URL; it is put back at once (this runs synchronously).
    this.http.authToken = undefined;
    try {
      return super.buildEndpoint(seat, typeof seat.ticket === "string" ? { ...options, _authToken: seat.ticket } : options);
    } finally {
      this.http.authToken = token;
    }
  }
}
