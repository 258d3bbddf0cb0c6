/**
 * What the server measures of each client's round trip, and the rewind that
 * buys it. The render time an input carries is the client's word; the round
 * trip is the server's own measure: a ping with an unpredictable number,
 * answered by a pong that echoes it. A pong cannot come back before its ping
 * left, so a client can make itself look slower, never faster; and however old
 * the render time it stamps, it is rewound no further than an honest client
 * with its round trip would be.
 */
import { randomInt } from "node:crypto";
import {
  ClientMessage, MAX_INTERP_DELAY_MS, MAX_REWIND_MS, REWIND_MARGIN_MS, ServerMessage, type PingOut,
} from "@arena/shared";
import { z } from "zod";
import type { ArenaRoom } from "./ArenaRoom.ts";
import type { ProtocolError } from "./chat.ts";
import type { ArenaClient } from "./settings.ts";

/** How often each client is probed, ms. */
export const PING_INTERVAL_MS = 1000;
/** Probes awaiting their pong per client; an older one is forgotten (its pong is ignored). */
const PENDING_PINGS = 4;

const PongSchema = z.object({ n: z.number().int().min(0).max(2 ** 31 - 1) }).strict();

/**
 * Smoothed round trip and its variation (RFC 6298's estimator): `upper` is
 * where honest samples fall nearly always, loss spikes included.
 */
export class RoundTripEstimate {
  private srtt: number | undefined;
  private rttvar = 0;

  observe(ms: number): void {
    if (this.srtt === undefined) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      return;
    }
    this.rttvar += (Math.abs(this.srtt - ms) - this.rttvar) / 4;
    this.srtt += (ms - this.srtt) / 8;
  }

  /** Smoothed round trip, ms; 0 before the first sample. */
  get smoothedMs(): number {
    return this.srtt ?? 0;
  }

  /** A round trip honest samples stay under (smoothed + 4 deviations), ms; 0 before the first sample. */
  get upperMs(): number {
    return this.srtt === undefined ? 0 : this.srtt + 4 * this.rttvar;
  }
}

/** The rewind a shooter may have: its measured round trip, the longest interpolation delay, a margin; never past the cap. */
export function rewindBoundMs(roundTripUpperMs: number): number {
  return Math.min(MAX_REWIND_MS, roundTripUpperMs + MAX_INTERP_DELAY_MS + REWIND_MARGIN_MS);
}

interface Probe {
  readonly estimate: RoundTripEstimate;
  readonly pending: Array<{ n: number; at: number }>;
}

type ProbedRoom = Pick<ArenaRoom, "clients" | "clock" | "onMessage">;

export class RoundTrips {
  private readonly probes = new Map<string, Probe>();

  constructor(private readonly room: ProbedRoom, private readonly protocolError: ProtocolError) {}

  /** Registers the pong handler and starts probing every client. */
  listen(): void {
    this.room.onMessage(ClientMessage.Pong, (client: ArenaClient, raw: unknown) => this.onPong(client, raw));
    this.room.clock.setInterval(() => {
      for (const client of this.room.clients) this.ping(client as ArenaClient);
    }, PING_INTERVAL_MS);
  }

  /** Probes a client at once (on join, so its bound is known within a round trip). */
  ping(client: ArenaClient): void {
    let probe = this.probes.get(client.sessionId);
    if (probe === undefined) this.probes.set(client.sessionId, (probe = { estimate: new RoundTripEstimate(), pending: [] }));
    const n = randomInt(0, 2 ** 31 - 1);
    probe.pending.push({ n, at: performance.now() });
    if (probe.pending.length > PENDING_PINGS) probe.pending.shift();
    client.send(ServerMessage.Ping, { n } satisfies PingOut);
  }

  forget(sessionId: string): void {
    this.probes.delete(sessionId);
  }

  /** The smoothed round trip measured for a client, ms (0 until its first pong). */
  roundTripMs(sessionId: string): number {
    return this.probes.get(sessionId)?.estimate.smoothedMs ?? 0;
  }

  /** How far back this client may be rewound, ms. */
  rewindBoundMs(sessionId: string): number {
    return rewindBoundMs(this.probes.get(sessionId)?.estimate.upperMs ?? 0);
  }

  private onPong(client: ArenaClient, raw: unknown): void {
    const parsed = PongSchema.safeParse(raw);
    if (!parsed.success) return this.protocolError(client, ClientMessage.Pong, "pong: expected { n: integer }");
    const probe = this.probes.get(client.sessionId);
    const i = probe?.pending.findIndex((p) => p.n === parsed.data.n) ?? -1;
    // A number never sent (or long forgotten) measures nothing: ignored.
    if (probe === undefined || i < 0) return;
    const sent = probe.pending[i]!;
    probe.pending.splice(0, i + 1);
    probe.estimate.observe(performance.now() - sent.at);
  }
}
