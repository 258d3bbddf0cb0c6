/**
 * What the server measures of each client's round trip, and the rewind that
 * buys it. The render time an input carries is the client's word; the round
 * trip is the server's own measure: a ping with an unpredictable number,
 * answered by a pong that echoes it. A pong cannot come back before its ping
 * left, so a client can make itself look slower, never faster; and however old
 * the render time it stamps, it is rewound no further than an honest client
 * with its round trip would be.
 *
 * One more thing the server sees for itself: on a lossy link a lost input
 * packet holds back every later one (TCP retransmits it), so the step finds a
 * client's input buffer empty for a while and then a burst of late inputs, each
 * rendered that much longer ago. Those inputs get the stall's length on top of
 * the bound while they are applied; the stall is measured by the server (empty
 * steps, then inputs that really arrived), so a client can only earn it by
 * truly withholding its inputs — lagging, as an honest client on that link
 * does — and never more than one retransmission on its measured path.
 */
import { randomInt } from "node:crypto";
import {
  ClientMessage, MAX_INTERP_DELAY_MS, MAX_REWIND_MS, REWIND_MARGIN_MS, ServerMessage, type PingOut,
} from "@arena/shared";
import { z } from "zod";
import { corkUntilTurnEnds } from "../../socketCork.ts";
import type { ArenaRoom } from "./ArenaRoom.ts";
import type { ProtocolError } from "./chat.ts";
import type { ArenaClient } from "./settings.ts";

/** How often each client is probed, ms (at the first patch broadcast this long after the last probes). */
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

/** The rewind a shooter may have: its measured round trip, the longest interpolation delay, a margin, the lateness of a stalled burst; never past the cap. */
export function rewindBoundMs(roundTripUpperMs: number, latenessMs = 0): number {
  return Math.min(MAX_REWIND_MS, roundTripUpperMs + MAX_INTERP_DELAY_MS + REWIND_MARGIN_MS + latenessMs);
}

/** The least time a TCP sender waits before retransmitting (Linux's RTO floor), ms. */
export const RETRANSMIT_FLOOR_MS = 200;

/**
 * How late one client's inputs reach the step after an upstream stall,
 * measured from its input buffer at each step: a run of steps with nothing
 * buffered, then a burst of k inputs that arrived together, sent a step
 * apart: the oldest is k − 1 steps older than the newest. The lateness is the
 * shorter of that and the run (a client that sends nothing for a minute and
 * then one input is not late at all), and lasts while the burst is applied:
 * until the buffer has been applied down to what it held, including inputs of
 * the same burst that reached the step a step or two after the first of it (a
 * busy process may read one burst's frames across a step; each of them waits
 * behind the backlog, so it is at least as late).
 */
export class InputLateness {
  private emptySteps = 0;
  private lateMs = 0;
  private stepsLeft = 0;

  constructor(private readonly stepMs: number) {}

  /** One step: how many inputs were buffered when it began. */
  observe(buffered: number): void {
    if (buffered === 0) {
      this.emptySteps += 1;
      return;
    }
    if (this.emptySteps > 0) {
      const late = Math.min(this.emptySteps, buffered - 1) * this.stepMs;
      // A second stall while the first burst is still being applied keeps the longer lateness.
      this.lateMs = this.stepsLeft > 0 ? Math.max(this.lateMs, late) : late;
      this.stepsLeft = Math.max(this.stepsLeft, buffered);
      this.emptySteps = 0;
    }
    // Steps left in the burst after this one: what is buffered now, less the input this step applies.
    if (this.stepsLeft > 0) this.stepsLeft = Math.max(this.stepsLeft, buffered) - 1;
    else this.lateMs = 0;
  }

  /** The lateness the inputs now being applied carry, ms (0 outside a burst). */
  get ms(): number {
    return this.lateMs;
  }
}

interface Probe {
  readonly estimate: RoundTripEstimate;
  readonly pending: Array<{ n: number; at: number }>;
}

/** Step length in ms, for measuring input lateness in steps. */
type StepMs = () => number;

type ProbedRoom = Pick<ArenaRoom, "clients" | "onMessage">;

export class RoundTrips {
  private readonly probes = new Map<string, Probe>();
  private readonly lateness = new Map<string, InputLateness>();
  private lastProbesAt = -Infinity;

  constructor(private readonly room: ProbedRoom, private readonly protocolError: ProtocolError, private readonly stepMs: StepMs) {}

  /** Registers the pong handler; the room calls `beforePatch` before each patch broadcast. */
  listen(): void {
    this.room.onMessage(ClientMessage.Pong, (client: ArenaClient, raw: unknown) => this.onPong(client, raw));
  }

  /**
   * Before a patch broadcast: once PING_INTERVAL_MS has passed since the last, probes every client, each
   * probe in the same write as that client's patch (its socket corked until the broadcast's turn ends): a
   * probe costs its bytes, not a write of its own. The probe is stamped as it is sent, before the patch is
   * framed, so the patch's framing counts in the round trip (µs): a client can only look slower by it.
   */
  beforePatch(now = performance.now()): void {
    if (now - this.lastProbesAt < PING_INTERVAL_MS) return;
    this.lastProbesAt = now;
    for (const client of this.room.clients) {
      corkUntilTurnEnds(client);
      this.ping(client as ArenaClient);
    }
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
    this.lateness.delete(sessionId);
  }

  /** Called by the step for each person: how many of its inputs were buffered when the step began. */
  observeInputBuffer(sessionId: string, buffered: number): void {
    let late = this.lateness.get(sessionId);
    if (late === undefined) this.lateness.set(sessionId, (late = new InputLateness(this.stepMs())));
    late.observe(buffered);
  }

  /** The smoothed round trip measured for a client, ms (0 until its first pong). */
  roundTripMs(sessionId: string): number {
    return this.probes.get(sessionId)?.estimate.smoothedMs ?? 0;
  }

  /** How far back this client may be rewound, ms. */
  rewindBoundMs(sessionId: string): number {
    const estimate = this.probes.get(sessionId)?.estimate;
    // At most one retransmission on the path the server measured (none for a client that never answered a probe).
    const retransmitMs = estimate === undefined || estimate.smoothedMs === 0 ? 0 : estimate.smoothedMs + RETRANSMIT_FLOOR_MS;
    const lateMs = Math.min(retransmitMs, this.lateness.get(sessionId)?.ms ?? 0);
    return rewindBoundMs(estimate?.upperMs ?? 0, lateMs);
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
