/** What a load run counts, and the summary it ends with. */
import { quantile, seededRandom } from "@arena/testkit/remote";
import type { LoadOptions } from "./options.ts";

/** Keeps at most `max` samples, replacing old ones at random once full (reservoir sampling). */
class Reservoir {
  readonly values: number[] = [];
  private seen = 0;
  /** Seeded: the same run keeps the same samples. */
  private readonly rand = seededRandom(1);
  constructor(private readonly max: number) {}
  add(v: number): void {
    this.seen++;
    if (this.values.length < this.max) this.values.push(v);
    else {
      const i = Math.floor(this.rand() * this.seen);
      if (i < this.max) this.values[i] = v;
    }
  }
}

export class LoadStats {
  readonly startedAt = performance.now();
  /** Bots that joined at least once. */
  botsJoined = 0;
  /** Joins, rejoins included. */
  joins = 0;
  rejoins = 0;
  /** Bots whose first join failed, and failed joins by reason. */
  botsFailed = 0;
  readonly failures = new Map<string, number>();
  /** Connections the server ended (not the bot), by close code. */
  readonly disconnects = new Map<number, number>();
  /** Bots currently in a room. */
  inRoom = 0;
  messagesIn = 0;
  bytesIn = 0;
  /** Inputs and other messages sent: an input pair counts as the two inputs it carries. */
  messagesOut = 0;
  /** Websocket frames sent (an input pair is one). */
  framesOut = 0;
  bytesOut = 0;
  patches = 0;
  /** Patches handed to the SDK to decode (the rest were counted and dropped). */
  patchesDecoded = 0;
  chats = 0;
  readonly rttMs = new Reservoir(20_000);
  readonly joinMs = new Reservoir(20_000);

  fail(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  disconnected(code: number): void {
    this.disconnects.set(code, (this.disconnects.get(code) ?? 0) + 1);
  }

  seconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }
}

export interface BotReport {
  joined: boolean;
  patches: number;
}

export interface LoadSummary {
  options: LoadOptions;
  finishedAt: string;
  seconds: number;
  bots: number;
  joined: number;
  failed: number;
  failures: Record<string, number>;
  joins: number;
  rejoins: number;
  /** Server-side closes by code (4400: protocol error). */
  disconnects: Record<string, number>;
  protocolErrors: number;
  patches: { total: number; decoded: number; minPerJoinedBot: number; botsWithoutPatches: number };
  chats: number;
  rttMs: { p50: number; p99: number; samples: number };
  joinMs: { p50: number; p99: number };
  in: { messagesPerSecond: number; bytesPerSecond: number; bytesPerBotSecond: number };
  /** Messages (an input pair counts as two inputs) and websocket frames (a pair is one) sent. */
  out: { messagesPerSecond: number; framesPerSecond: number; bytesPerSecond: number; bytesPerBotSecond: number };
}

const round = (n: number, d = 1): number => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : 0);

export function summarize(options: LoadOptions, stats: LoadStats, bots: readonly BotReport[], protocolErrorCode: number): LoadSummary {
  const s = stats.seconds();
  const joined = bots.filter((b) => b.joined);
  const botSeconds = Math.max(1, joined.length) * s;
  const rtt = stats.rttMs.values;
  return {
    options,
    finishedAt: new Date().toISOString(),
    seconds: round(s),
    bots: bots.length,
    joined: joined.length,
    failed: stats.botsFailed,
    failures: Object.fromEntries(stats.failures),
    joins: stats.joins,
    rejoins: stats.rejoins,
    disconnects: Object.fromEntries([...stats.disconnects].map(([k, v]) => [String(k), v])),
    protocolErrors: stats.disconnects.get(protocolErrorCode) ?? 0,
    patches: {
      total: stats.patches,
      decoded: stats.patchesDecoded,
      minPerJoinedBot: joined.length > 0 ? Math.min(...joined.map((b) => b.patches)) : 0,
      botsWithoutPatches: joined.filter((b) => b.patches === 0).length,
    },
    chats: stats.chats,
    rttMs: { p50: round(quantile(rtt, 0.5), 2), p99: round(quantile(rtt, 0.99), 2), samples: rtt.length },
    joinMs: { p50: round(quantile(stats.joinMs.values, 0.5)), p99: round(quantile(stats.joinMs.values, 0.99)) },
    in: { messagesPerSecond: round(stats.messagesIn / s), bytesPerSecond: round(stats.bytesIn / s, 0), bytesPerBotSecond: round(stats.bytesIn / botSeconds, 0) },
    out: { messagesPerSecond: round(stats.messagesOut / s), framesPerSecond: round(stats.framesOut / s), bytesPerSecond: round(stats.bytesOut / s, 0), bytesPerBotSecond: round(stats.bytesOut / botSeconds, 0) },
  };
}
