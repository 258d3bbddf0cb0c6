/**
 * The leaderboard in Redis, shared by every process: sorted sets for all-time
 * and per-day points, a hash of names, a write counter, and a pub/sub channel
 * that tells every process to push a fresh snapshot to its lobby and SSE clients.
 *
 * The notice carries nothing (every process reads the board itself), so the
 * cluster sends at most one per NOTICE_MIN_INTERVAL_MS, whoever writes: a
 * write announces itself unless a notice went out within the interval, and
 * then announces itself once the interval ends, unless another writer did
 * after it (NOTICE). Every process hears at most 1000 / that notices a second,
 * however many processes write: what a process costs Redis in deliveries, and
 * what it spends hearing them, does not grow with the cluster.
 *
 * Credits survive a Redis outage: they wait in a queue in this process (at
 * most MAX_PENDING_CREDIT_BATCHES batches) and are written when Redis is back,
 * on the day they were earned. The write connection has no offline queue, so
 * a write is either sent to a connected Redis or refused before it leaves:
 * a refused one is retried without risk of counting it twice. Only a write
 * that reached Redis right before the connection dropped, unanswered, can be
 * counted twice, if Redis had applied and persisted it. Batches beyond the
 * cap, and those still queued when the process stops, are dropped: each drop
 * is logged and counted (`arena_leaderboard_credits_dropped_total`).
 */
import { LEADERBOARD_SIZE, type LeaderboardSnapshot } from "@arena/shared";
import type { Logger } from "../log.ts";
import { createRedisClient, type RedisClient } from "../scale/redisClient.ts";
import { onceEach } from "../scale/redisHealth.ts";
import { asRedisTarget, describeRedisTarget, type RedisTarget } from "../scale/redisTarget.ts";
import { SNAPSHOT_MIN_INTERVAL_MS, SnapshotFanout, ranked, utcDay, type Credit, type CreditStats, type Leaderboard, type SnapshotListener } from "./Leaderboard.ts";

/**
 * Every key shares the hash tag `{arena:lb}`: one write is a MULTI over the boards, the names and the
 * counter (and scripts over a match's credited set and the boards), which a Redis Cluster runs only
 * when all its keys are in one slot. The whole leaderboard is then on one node of a cluster: its
 * writes are a few per kill, far from what one node takes. The channel is no key (pub/sub has no slot).
 */
export const LB_KEYS = {
  allTime: "arena:{arena:lb}:all",
  daily: (day: string) => `arena:{arena:lb}:day:${day}`,
  names: "arena:{arena:lb}:names",
  version: "arena:{arena:lb}:version",
  /** Set for NOTICE_MIN_INTERVAL_MS by the writer that published the last change notice. */
  noticed: "arena:{arena:lb}:noticed",
  channel: "arena:lb:changed",
  /** What a match has been credited for (kill ordinals, the win), so nothing is credited twice. */
  credited: (matchId: string) => `arena:{arena:lb}:credited:${matchId}`,
} as const;

/** The keys before they had a hash tag (a single Redis keeps them; keyNames.ts renames them once). */
export const LEGACY_LB_KEYS = { allTime: "arena:lb:all", names: "arena:lb:names", version: "arena:lb:version", dailyPrefix: "arena:lb:day:" } as const;

/** A match's credited set outlives any takeover of it. */
const CREDITED_TTL_S = 24 * 3600;

/** KEYS credited, allTime, daily, names; ARGV what, points, userId, name, ttl. */
const CREDIT_ONCE = `if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZINCRBY', KEYS[2], ARGV[2], ARGV[3]) redis.call('ZINCRBY', KEYS[3], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[4], ARGV[3], ARGV[4]) return 1`;

/**
 * KEYS noticed; ARGV channel, interval ms. Publishes the change notice unless one went out within the interval
 * (the key still set); returns 0 when it published, else the milliseconds until the key expires, when the caller
 * tries again: by then either its try publishes, or another writer's did after the key expired, so after its write.
 */
const NOTICE = `if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then redis.call('PUBLISH', ARGV[1], '1') return 0 end
local left = redis.call('PTTL', KEYS[1]) if left < 1 then left = 1 end return left`;

/**
 * The cluster publishes a change notice at most this often. Every process reads the board at most every
 * SNAPSHOT_MIN_INTERVAL_MS anyway; a write waits at most this long (plus the margin) to be announced.
 */
export const NOTICE_MIN_INTERVAL_MS = 200;
/** A refused writer tries again this long after the key's expiry (Redis' clock and this process' are not one). */
const NOTICE_RETRY_MARGIN_MS = 5;

/** "<matchId>|<what>" → its parts. */
function splitOnce(once: string): { matchId: string; what: string } | undefined {
  const bar = once.indexOf("|");
  return bar <= 0 ? undefined : { matchId: once.slice(0, bar), what: once.slice(bar + 1) };
}

/** How long a starting process waits for Redis. */
const CONNECT_TIMEOUT_MS = 10_000;
/** A snapshot read gives up after this long (lobby and REST callers then get an error, not a hang). */
const READ_TIMEOUT_MS = 1500;
/** Credit batches kept while Redis is unreachable; beyond this the oldest are dropped. */
export const MAX_PENDING_CREDIT_BATCHES = 10_000;
/** Batches written per transaction when catching up. */
const BATCHES_PER_WRITE = 200;
export { SNAPSHOT_MIN_INTERVAL_MS };
/** Pause before retrying a write that failed on a connection that still looks ready. */
const RETRY_DELAY_MS = 500;

interface PendingBatch {
  readonly credits: readonly Credit[];
  /** The day the points were earned: a batch written after midnight still counts for its day. */
  readonly day: string;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * An error Redis itself answered (wrong type, script error...), or a transaction over keys of several cluster
 * slots, which ioredis refuses before sending (CROSSSLOT from Redis otherwise): retrying cannot help.
 */
function isReplyError(error: unknown): boolean {
  const e = error as Error | undefined;
  return e?.name === "ReplyError" || /same slots allocation group|CROSSSLOT/.test(e?.message ?? "");
}

/** Daily boards expire 8 days after their last write (a day's board outlives the week it is shown in). */
const DAILY_TTL_S = 8 * 24 * 60 * 60;

function pairs(flat: readonly string[]): [string, number][] {
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, Number(flat[i + 1])]);
  return out;
}

export class RedisLeaderboard implements Leaderboard {
  private readonly redis: RedisClient;
  private readonly sub: RedisClient;
  private readonly fanout: SnapshotFanout;
  private readonly queue: PendingBatch[] = [];
  private readonly stats = { retried: 0, dropped: 0 };
  private draining = false;
  private deferredSince: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** A write of this process not announced yet: its notice is tried again when this fires. */
  private noticeTimer: NodeJS.Timeout | undefined;
  /** A notice that failed to reach Redis: sent when the connection is ready again. */
  private noticeOwed = false;
  private closed = false;

  private constructor(target: RedisTarget, private readonly log: Logger, private readonly size: number) {
    // No offline queue and no resending: a write is never sent twice behind this class's back (see above).
    this.redis = createRedisClient(target, { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, commandTimeout: undefined });
    this.redis.on("error", onceEach(log, "leaderboard redis error"));
    this.redis.on("ready", () => {
      void this.drain();
      this.fanout.changed();
      if (this.noticeOwed) {
        this.noticeOwed = false;
        this.noticeLater(1);
      }
    });
    // A subscribed connection can run nothing else, hence its own; it re-subscribes by itself on reconnection.
    this.sub = createRedisClient(target, { commandTimeout: undefined });
    this.sub.on("error", onceEach(log, "leaderboard subscriber error"));
    this.sub.on("message", () => this.fanout.changed());
    // Writes made elsewhere during an outage were not announced to this process: a fresh snapshot
    // once the channel is subscribed again (a write after that is announced, one before is in the
    // snapshot), and again when the other connection is back if it comes back second (above).
    this.sub.on("ready", () => {
      this.sub.subscribe(LB_KEYS.channel).then(() => this.fanout.changed(), () => undefined);
    });
    this.fanout = new SnapshotFanout(() => this.snapshot(), (error) => log.warn("leaderboard snapshot failed", { error }));
  }

  /** The connection that writes and reads, for health checks. */
  get connection(): RedisClient {
    return this.redis;
  }

  /** Connects and subscribes before returning, so no change published after it is missed. */
  static async connect(to: RedisTarget | string, log: Logger, size = LEADERBOARD_SIZE): Promise<RedisLeaderboard> {
    const target = asRedisTarget(to);
    const lb = new RedisLeaderboard(target, log, size);
    let timer: NodeJS.Timeout | undefined;
    // ioredis retries forever; a process that cannot reach Redis at start should say so and stop.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`cannot reach Redis at ${describeRedisTarget(target)} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    });
    const ready = new Promise<void>((resolve) => {
      if (lb.redis.status === "ready") resolve();
      else lb.redis.once("ready", () => resolve());
    });
    try {
      await Promise.race([Promise.all([lb.sub.subscribe(LB_KEYS.channel), ready]), timeout]);
    } catch (e) {
      lb.redis.disconnect();
      lb.sub.disconnect();
      throw new Error(`cannot reach Redis at ${describeRedisTarget(target)}: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    return lb;
  }

  /**
   * Queues the batch and writes it as soon as Redis takes writes; resolves once
   * written, rejects if the batch is dropped (queue full, Redis refused it, or
   * the process stopped first).
   */
  credit(credits: readonly Credit[]): Promise<void> {
    if (credits.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ credits, day: utcDay(), resolve, reject });
      if (this.queue.length > MAX_PENDING_CREDIT_BATCHES) this.drop(this.queue.shift()!, "queue full while Redis is unreachable");
      void this.drain();
    });
  }

  creditStats(): CreditStats {
    return { pending: this.queue.reduce((n, b) => n + b.credits.length, 0), retried: this.stats.retried, dropped: this.stats.dropped };
  }

  private drop(batch: PendingBatch, reason: string, error?: unknown): void {
    this.stats.dropped += batch.credits.length;
    this.log.warn("leaderboard credits dropped", { reason, error, day: batch.day, credits: batch.credits.map((c) => ({ userId: c.userId, points: c.points })) });
    batch.reject(new Error(`leaderboard credits dropped: ${reason}`));
  }

  /** Writes queued batches, oldest first, while Redis takes them; a failure leaves them queued for the next 'ready'. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        if (this.redis.status !== "ready") {
          this.deferred();
          return;
        }
        const batches = this.queue.slice(0, BATCHES_PER_WRITE);
        try {
          await this.write(batches);
        } catch (error) {
          if (isReplyError(error)) {
            // Redis refused the transaction itself: it would refuse it again.
            this.queue.splice(0, batches.length);
            for (const b of batches) this.drop(b, "refused by Redis", error);
            continue;
          }
          this.deferred(error);
          // Dropped between the check and the write ('ready' drains again), or timed out on a live connection.
          if (this.redis.status === "ready") this.retryLater();
          return;
        }
        this.queue.splice(0, batches.length);
        if (this.deferredSince !== undefined) {
          this.stats.retried += batches.reduce((n, b) => n + b.credits.length, 0);
          if (this.queue.length === 0) {
            this.log.info("leaderboard credits written after outage", { waitedMs: Date.now() - this.deferredSince, retriedTotal: this.stats.retried });
            this.deferredSince = undefined;
          }
        }
        for (const b of batches) b.resolve();
      }
    } finally {
      this.draining = false;
    }
  }

  private deferred(error?: unknown): void {
    if (this.deferredSince !== undefined) return;
    this.deferredSince = Date.now();
    this.log.warn("leaderboard credits queued until Redis is back", { pendingBatches: this.queue.length, error });
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, RETRY_DELAY_MS);
    this.retryTimer.unref();
  }

  /**
   * One MULTI: every ZINCRBY of the batches, the name updates, the counter and
   * the change notice apply together. ZINCRBY adds on the server, so writers on
   * many processes never overwrite each other's points. The counter moves by
   * one per batch, as if each had been written alone.
   */
  private async write(batches: readonly PendingBatch[]): Promise<void> {
    const tx = this.redis.multi();
    const days = new Set<string>();
    for (const batch of batches) {
      const daily = LB_KEYS.daily(batch.day);
      days.add(daily);
      for (const c of batch.credits) {
        const once = c.once === undefined ? undefined : splitOnce(c.once);
        if (once !== undefined) {
          // Applied only if its name is new in its match's set (a takeover replays what followed the checkpoint).
          tx.eval(CREDIT_ONCE, 4, LB_KEYS.credited(once.matchId), LB_KEYS.allTime, daily, LB_KEYS.names, once.what, c.points, c.userId, c.name, CREDITED_TTL_S);
          continue;
        }
        tx.zincrby(LB_KEYS.allTime, c.points, c.userId);
        tx.zincrby(daily, c.points, c.userId);
        tx.hset(LB_KEYS.names, c.userId, c.name);
      }
    }
    for (const daily of days) tx.expire(daily, DAILY_TTL_S);
    tx.incrby(LB_KEYS.version, batches.length);
    tx.eval(NOTICE, 1, LB_KEYS.noticed, LB_KEYS.channel, NOTICE_MIN_INTERVAL_MS);
    const results = await tx.exec();
    const failed = results?.find(([err]) => err !== null);
    if (results === null || failed !== undefined) {
      const error = new Error(`leaderboard write failed: ${failed?.[0]?.message ?? "transaction aborted"}`);
      error.name = "ReplyError";
      throw error;
    }
    this.noticeLater(Number(results[results.length - 1]![1]));
  }

  /** After a write whose notice was refused (`leftMs` > 0): tries it again once the cluster's interval ends. */
  private noticeLater(leftMs: number): void {
    if (leftMs <= 0 || this.noticeTimer !== undefined || this.closed) return;
    this.noticeTimer = setTimeout(() => {
      this.noticeTimer = undefined;
      // Refused again: another writer published after the interval that refused this one, so after this write.
      this.redis.eval(NOTICE, 1, LB_KEYS.noticed, LB_KEYS.channel, NOTICE_MIN_INTERVAL_MS).catch(() => {
        // Redis unreachable (the connection's own error is logged): tried again when it is back ('ready').
        this.noticeOwed = true;
      });
    }, leftMs + NOTICE_RETRY_MARGIN_MS);
    this.noticeTimer.unref();
  }

  async snapshot(): Promise<LeaderboardSnapshot> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`leaderboard read timed out after ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.read(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async read(): Promise<LeaderboardSnapshot> {
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
    clearTimeout(this.retryTimer);
    await this.drain();
    // A notice still owed goes out now, whatever the interval: this process will not be there to try again.
    this.closed = true;
    if (this.noticeTimer !== undefined) {
      clearTimeout(this.noticeTimer);
      this.noticeTimer = undefined;
      await this.redis.publish(LB_KEYS.channel, "1").catch(() => undefined);
    }
    for (const b of this.queue.splice(0)) this.drop(b, "process stopped before Redis was back");
    await Promise.allSettled([this.redis.quit(), this.sub.quit()]);
    // A quit refused while disconnected would leave ioredis reconnecting.
    this.redis.disconnect();
    this.sub.disconnect();
  }
}
