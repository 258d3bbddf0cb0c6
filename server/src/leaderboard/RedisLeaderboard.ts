/**
 * The leaderboard in Redis, shared by every process: sorted sets for all-time
 * and per-day points, a hash of names, a write counter, and a pub/sub channel
 * that tells every process to push a fresh snapshot to its lobby and SSE clients.
 */
import { Redis } from "ioredis";
import { LEADERBOARD_SIZE, type LeaderboardSnapshot } from "@arena/shared";
import type { Logger } from "../log.ts";
import { SnapshotFanout, ranked, utcDay, type Credit, type Leaderboard, type SnapshotListener } from "./Leaderboard.ts";

export const LB_KEYS = {
  allTime: "arena:lb:all",
  daily: (day: string) => `arena:lb:day:${day}`,
  names: "arena:lb:names",
  version: "arena:lb:version",
  channel: "arena:lb:changed",
} as const;

/** How long a starting process waits for Redis. */
const CONNECT_TIMEOUT_MS = 10_000;

/** The URL without its password, for logs and errors. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, "//***@");
}

/** Daily boards expire a week after their last write. */
const DAILY_TTL_S = 8 * 24 * 60 * 60;

function pairs(flat: readonly string[]): [string, number][] {
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, Number(flat[i + 1])]);
  return out;
}

export class RedisLeaderboard implements Leaderboard {
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly fanout: SnapshotFanout;

  private constructor(url: string, private readonly log: Logger, private readonly size: number) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 3 });
    this.redis.on("error", (error) => log.warn("leaderboard redis error", { error }));
    // A subscribed connection can run nothing else, hence its own.
    this.sub = this.redis.duplicate();
    this.sub.on("error", (error) => log.warn("leaderboard subscriber error", { error }));
    this.sub.on("message", () => this.fanout.changed());
    this.fanout = new SnapshotFanout(() => this.snapshot(), (error) => log.warn("leaderboard snapshot failed", { error }));
  }

  /** Connects and subscribes before returning, so no change published after it is missed. */
  static async connect(url: string, log: Logger, size = LEADERBOARD_SIZE): Promise<RedisLeaderboard> {
    const lb = new RedisLeaderboard(url, log, size);
    let timer: NodeJS.Timeout | undefined;
    // ioredis retries forever; a process that cannot reach Redis at start should say so and stop.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`cannot reach Redis at ${redactUrl(url)} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    });
    try {
      await Promise.race([lb.sub.subscribe(LB_KEYS.channel), timeout]);
    } catch (e) {
      lb.redis.disconnect();
      lb.sub.disconnect();
      throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    return lb;
  }

  /**
   * One MULTI: every ZINCRBY of the batch, the name updates, the counter and the
   * change notice apply together. ZINCRBY adds on the server, so writers on many
   * processes never overwrite each other's points.
   */
  async credit(credits: readonly Credit[]): Promise<void> {
    if (credits.length === 0) return;
    const daily = LB_KEYS.daily(utcDay());
    const tx = this.redis.multi();
    for (const c of credits) {
      tx.zincrby(LB_KEYS.allTime, c.points, c.userId);
      tx.zincrby(daily, c.points, c.userId);
      tx.hset(LB_KEYS.names, c.userId, c.name);
    }
    tx.expire(daily, DAILY_TTL_S);
    tx.incr(LB_KEYS.version);
    tx.publish(LB_KEYS.channel, "1");
    const results = await tx.exec();
    const failed = results?.find(([err]) => err !== null);
    if (results === null || failed !== undefined) throw new Error(`leaderboard write failed: ${failed?.[0]?.message ?? "transaction aborted"}`);
  }

  async snapshot(): Promise<LeaderboardSnapshot> {
    const day = utcDay();
    const [version, all, today] = await Promise.all([
      this.redis.get(LB_KEYS.version),
      this.redis.zrevrange(LB_KEYS.allTime, 0, this.size - 1, "WITHSCORES"),
      this.redis.zrevrange(LB_KEYS.daily(day), 0, this.size - 1, "WITHSCORES"),
    ]);
    const allPairs = pairs(all);
    const dayPairs = pairs(today);
    const ids = [...new Set([...allPairs, ...dayPairs].map(([id]) => id))];
    const names = new Map<string, string>();
    if (ids.length > 0) {
      const values = await this.redis.hmget(LB_KEYS.names, ...ids);
      ids.forEach((id, i) => {
        const name = values[i];
        if (name) names.set(id, name);
      });
    }
    return { version: Number(version ?? 0), day, allTime: ranked(allPairs, names), daily: ranked(dayPairs, names) };
  }

  subscribe(listener: SnapshotListener): () => void {
    return this.fanout.add(listener);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.redis.quit(), this.sub.quit()]);
  }
}
