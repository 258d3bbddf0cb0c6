/** The leaderboard of a single process without Redis (`npm start`): the same interface, kept in memory. */
import { LEADERBOARD_SIZE, type LeaderboardSnapshot } from "@arena/shared";
import { SnapshotFanout, ranked, utcDay, type Credit, type CreditStats, type Leaderboard, type SnapshotListener } from "./Leaderboard.ts";

/** Best first; ties: lexicographically larger member first, as Redis ZREVRANGE orders them. */
function before(a: readonly [string, number], b: readonly [string, number]): boolean {
  return a[1] > b[1] || (a[1] === b[1] && a[0] > b[0]);
}

/**
 * The best `n` of `board`, best first. One pass keeping the n best in order: every credit asks for a
 * snapshot, and the board holds everyone who ever scored on this process, so sorting all of it each
 * time grew with the process's age (at 400 bench players it was a fifth of the timers' CPU).
 */
function top(board: ReadonlyMap<string, number>, n: number): [string, number][] {
  const best: [string, number][] = [];
  if (n <= 0) return best;
  for (const entry of board) {
    if (best.length === n && !before(entry, best[n - 1]!)) continue;
    let i = best.length === n ? n - 1 : best.length;
    while (i > 0 && before(entry, best[i - 1]!)) i--;
    best.splice(i, 0, entry);
    if (best.length > n) best.pop();
  }
  return best;
}

export class MemoryLeaderboard implements Leaderboard {
  private readonly allTime = new Map<string, number>();
  private daily = new Map<string, number>();
  private day = utcDay();
  private readonly names = new Map<string, string>();
  private version = 0;
  private readonly fanout: SnapshotFanout;

  constructor(private readonly size = LEADERBOARD_SIZE, private readonly now: () => number = Date.now) {
    this.fanout = new SnapshotFanout(() => this.snapshot(), () => undefined);
  }

  private rollDay(): void {
    const today = utcDay(this.now());
    if (today !== this.day) {
      this.day = today;
      this.daily = new Map();
    }
  }

  async credit(credits: readonly Credit[]): Promise<void> {
    if (credits.length === 0) return;
    this.rollDay();
    for (const c of credits) {
      this.allTime.set(c.userId, (this.allTime.get(c.userId) ?? 0) + c.points);
      this.daily.set(c.userId, (this.daily.get(c.userId) ?? 0) + c.points);
      this.names.set(c.userId, c.name);
    }
    this.version++;
    queueMicrotask(() => this.fanout.changed());
  }

  creditStats(): CreditStats {
    return { pending: 0, retried: 0, dropped: 0 };
  }

  async snapshot(): Promise<LeaderboardSnapshot> {
    this.rollDay();
    return {
      version: this.version,
      day: this.day,
      allTime: ranked(top(this.allTime, this.size), this.names),
      daily: ranked(top(this.daily, this.size), this.names),
    };
  }

  subscribe(listener: SnapshotListener): () => void {
    return this.fanout.add(listener);
  }

  async close(): Promise<void> {}
}
