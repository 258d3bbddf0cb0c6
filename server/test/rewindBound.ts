/**
 * The rewind bound as docs/ARCHITECTURE.md ("Lag compensation and its cost") documents it, recomputed by
 * the tests from round trips they measure themselves, so a check never compares the server with itself.
 */
import {
  ClientMessage, MAX_INTERP_DELAY_MS, MAX_REWIND_MS, REWIND_MARGIN_MS, ServerMessage, type PingOut,
} from "@arena/shared";
import { RETRANSMIT_FLOOR_MS } from "../src/rooms/arena/roundTrips.ts";
import { serverRoom, type ArenaRoomClient } from "@arena/testkit";

/** What the server can have measured, ms: the truth lies between `lo` and `hi`. */
export interface Span {
  lo: number;
  hi: number;
}

/**
 * Answers the server's probes as a client `holdMs` away would (each pong held that long), until `count`
 * round trips are measured; then answers no more, so the server's estimate holds still. Each round trip is
 * bracketed by this test: from the probe leaving the server (seen on the server's side of the socket) to
 * the pong leaving the client, and to the return of an SDK ping sent right behind the pong on the same
 * socket (the server reads the pong before that ping). The probe sent on join, before this watches, goes
 * unanswered: it measures nothing.
 */
export function measureRoundTrips(client: ArenaRoomClient, holdMs: number, count: number): Promise<Span[]> {
  const socket = serverRoom(client).clients.getById(client.sessionId);
  if (socket === undefined) throw new Error("no server-side client");
  const sentAt = new Map<number, number>();
  const send = socket.send.bind(socket);
  socket.send = ((type: string, message: PingOut, options?: unknown) => {
    if (type === ServerMessage.Ping) sentAt.set(message.n, performance.now());
    return send(type, message, options as never);
  }) as typeof socket.send;
  const samples: Span[] = [];
  let answered = 0;
  return new Promise((resolve) => {
    const off = client.onMessage(ServerMessage.Ping, (p: PingOut) => {
      const at = sentAt.get(p.n);
      if (at === undefined || answered === count) return;
      answered += 1;
      setTimeout(() => {
        client.send(ClientMessage.Pong, { n: p.n });
        const pongAt = performance.now();
        client.ping(() => {
          // +1: the server reads its clock a few µs before the send this test sees.
          samples.push({ lo: pongAt - at, hi: performance.now() - at + 1 });
          if (samples.length < count) return;
          off();
          socket.send = send;
          resolve(samples);
        });
      }, holdMs);
    });
  });
}

/** Interval arithmetic: the spans of a + b, k·a, |a − b|. */
const add = (a: Span, b: Span): Span => ({ lo: a.lo + b.lo, hi: a.hi + b.hi });
const scale = (k: number, a: Span): Span => ({ lo: k * a.lo, hi: k * a.hi });
function absDiff(a: Span, b: Span): Span {
  const lo = a.lo - b.hi;
  const hi = a.hi - b.lo;
  if (lo >= 0) return { lo, hi };
  if (hi <= 0) return { lo: -hi, hi: -lo };
  return { lo: 0, hi: Math.max(-lo, hi) };
}
const atMost = (cap: number, a: Span): Span => ({ lo: Math.min(cap, a.lo), hi: Math.min(cap, a.hi) });

/**
 * The documented bound (docs/ARCHITECTURE.md, "Lag compensation and its cost"), written out here rather
 * than taken from the server: RFC 6298's smoothed round trip (first sample: srtt = s, rttvar = s / 2; then
 * rttvar += (|srtt − s| − rttvar) / 4, srtt += (s − srtt) / 8), its upper value srtt + 4·rttvar, plus
 * MAX_INTERP_DELAY_MS and REWIND_MARGIN_MS, plus a stalled burst's lateness up to one retransmission
 * (srtt + RETRANSMIT_FLOOR_MS), never past MAX_REWIND_MS. Computed over the spans the samples lie in.
 */
export function documentedBound(samples: readonly Span[], latenessMs = 0): Span {
  const [first, ...rest] = samples;
  if (first === undefined) return atMost(MAX_REWIND_MS, { lo: MAX_INTERP_DELAY_MS + REWIND_MARGIN_MS, hi: MAX_INTERP_DELAY_MS + REWIND_MARGIN_MS });
  let srtt = first;
  let rttvar = scale(1 / 2, first);
  for (const s of rest) {
    rttvar = add(scale(3 / 4, rttvar), scale(1 / 4, absDiff(srtt, s)));
    srtt = add(scale(7 / 8, srtt), scale(1 / 8, s));
  }
  const upper = add(srtt, scale(4, rttvar));
  const retransmit = add(srtt, { lo: RETRANSMIT_FLOOR_MS, hi: RETRANSMIT_FLOOR_MS });
  const late = atMost(latenessMs, retransmit);
  return atMost(MAX_REWIND_MS, add(add(upper, late), { lo: MAX_INTERP_DELAY_MS + REWIND_MARGIN_MS, hi: MAX_INTERP_DELAY_MS + REWIND_MARGIN_MS }));
}

export const fmt = (s: Span): string => `${s.lo.toFixed(1)}–${s.hi.toFixed(1)} ms`;
