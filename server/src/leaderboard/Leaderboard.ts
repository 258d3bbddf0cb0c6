/** The global leaderboard: points per player, all-time and for the current UTC day, shared by every process. */
import type { LeaderboardEntry, LeaderboardSnapshot } from "@arena/shared";

export interface Credit {
  readonly userId: string;
  readonly name: string;
  readonly points: number;
  /**
   * The credit's name within its match (e.g. "<matchId>|kill:<userId>:3"): a credit whose name was
   * already applied is skipped, so a match replayed after a takeover credits nothing twice.
   */
  readonly once?: string;
}

/** Delivery of credits to the shared board, in credits (one per user per batch). */
export interface CreditStats {
  /** Waiting for the store (Redis unreachable). */
  readonly pending: number;
  /** Written late, after waiting for the store. */
  readonly retried: number;
  /** Lost: each one was logged. */
  readonly dropped: number;
}

export type SnapshotListener = (snapshot: LeaderboardSnapshot) => void;

export interface Leaderboard {
  /** Adds points to the all-time and today's boards in one atomic write. */
  credit(credits: readonly Credit[]): Promise<void>;
  /** Credits waiting, written late and lost so far (metrics). */
  creditStats(): CreditStats;
  /** The top entries of both boards and the write counter. */
  snapshot(): Promise<LeaderboardSnapshot>;
  /** Calls `listener` with a fresh snapshot after writes from any process (coalesced); returns the unsubscribe. */
  subscribe(listener: SnapshotListener): () => void;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
/** The last day asked for and the UTC midnight it starts at: every credit and snapshot asks, nearly always the same day. */
let lastDay = "";
let lastDayStart = NaN;

/** UTC day of `at`, YYYY-MM-DD: the daily board's key. */
export function utcDay(at: number = Date.now()): string {
  // Epoch milliseconds have no leap seconds: each UTC day is exactly DAY_MS long, starting at a multiple of it.
  const start = Math.floor(at / DAY_MS) * DAY_MS;
  if (start !== lastDayStart) {
    lastDay = new Date(at).toISOString().slice(0, 10);
    lastDayStart = start;
  }
  return lastDay;
}

/** Ranked entries from (userId, score) pairs already sorted best first; entries sharing a name get a tag. */
export function ranked(pairs: readonly (readonly [string, number])[], names: ReadonlyMap<string, string>): LeaderboardEntry[] {
  const entries: LeaderboardEntry[] = pairs.map(([userId, score], i) => ({ rank: i + 1, userId, name: names.get(userId) ?? "?", score }));
  const byName = new Map<string, LeaderboardEntry[]>();
  for (const e of entries) {
    const same = byName.get(e.name);
    if (same === undefined) byName.set(e.name, [e]);
    else same.push(e);
  }
  for (const same of byName.values()) if (same.length > 1) tagApart(same);
  return entries;
}

/** Shortest tag length, from TAG_MIN_CHARS up, that tells the users apart. */
const TAG_MIN_CHARS = 4;

/**
 * Tags entries of the same name with the start of their user id (without the
 * `g_` prefix), as short as still tells them apart: stable for a user, and
 * says nothing a guest token does not already carry.
 */
function tagApart(same: LeaderboardEntry[]): void {
  const ids = same.map((e) => e.userId.replace(/^g_/, ""));
  let n = TAG_MIN_CHARS;
  const longest = Math.max(...ids.map((id) => id.length));
  while (n < longest && new Set(ids.map((id) => id.slice(0, n))).size < ids.length) n++;
  same.forEach((e, i) => (e.tag = ids[i]!.slice(0, n)));
}

/**
 * A process reads its board at most this often, however many writes it and the cluster make: its lobby, SSE
 * streams and pass notices see a change within this long (plus the read). With Redis it keeps a process's reads
 * ≤ 1000 / this a second (issue 22); in memory it keeps a busy process from taking a snapshot per kill (issue 23).
 */
export const SNAPSHOT_MIN_INTERVAL_MS = 200;

/**
 * Runs `fetch` for listeners after a change, at most one at a time and at most one
 * every `minIntervalMs` (SNAPSHOT_MIN_INTERVAL_MS for both boards); changes that arrive meanwhile cause exactly one more, so
 * the last snapshot is never stale. Why the interval: every process reads the board
 * after every write of the cluster, so without it a process's reads would follow the
 * cluster's credit rate, bounded only by a read's round trip (issue 22).
 */
export class SnapshotFanout {
  private readonly listeners = new Set<SnapshotListener>();
  private running = false;
  private dirty = false;
  private lastFetch = -Infinity;

  constructor(private readonly fetch: () => Promise<LeaderboardSnapshot>, private readonly onError: (e: unknown) => void, private readonly minIntervalMs = SNAPSHOT_MIN_INTERVAL_MS) {}

  add(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    if (this.listeners.size === 0) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      do {
        const wait = this.lastFetch + this.minIntervalMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait).unref());
        this.dirty = false;
        this.lastFetch = Date.now();
        const snapshot = await this.fetch();
        for (const l of [...this.listeners]) {
          try {
            l(snapshot);
          } catch (e) {
            this.onError(e);
          }
        }
      } while (this.dirty);
    } catch (e) {
      this.onError(e);
    } finally {
      this.running = false;
    }
  }
}
