/**
 * Where ratings (rating.ts) are kept, per person, and their update once per match result:
 * - with Redis, a hash per person (`arena:{arena:lb}:rating:<userId>`: `r`, `n`), updated by one Lua script that
 *   also adds `rating:<userId>` to the match's credited set (the leaderboard's, RedisLeaderboard.ts): a
 *   match replayed after a takeover rates nobody twice, exactly like its credits;
 * - without it, in memory, written to `<DATA_DIR>/ratings.json` (temp file + rename, at most once a
 *   second), so `npm start` alone keeps them across restarts; applied names are remembered in memory.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RedisClient } from "../scale/redisClient.ts";
import { LB_KEYS } from "../leaderboard/RedisLeaderboard.ts";
import type { Logger } from "../log.ts";
import { RATING_MAX, RATING_START, updateRating, type RatingRecord } from "./rating.ts";

/** One person's result to apply: their performance and its weight (rating.ts). */
export interface RatingUpdate {
  readonly userId: string;
  readonly perf: number;
  readonly weight: number;
  /** Whether the match counts toward the person's matches (newcomer status): not a practice match. Default true. */
  readonly counted?: boolean;
}

/** A rating before and after a match (what the results screen shows). */
export interface RatingChange {
  readonly userId: string;
  readonly before: number;
  readonly after: number;
  readonly matches: number;
}

export interface RatingStore {
  /** The records of `userIds` (undefined: never rated). */
  get(userIds: readonly string[]): Promise<(RatingRecord | undefined)[]>;
  /**
   * Applies each update once per `matchId`: an update whose person was already rated for this match is
   * skipped (left out of the answer).
   */
  apply(matchId: string, updates: readonly RatingUpdate[]): Promise<RatingChange[]>;
  close(): Promise<void>;
}

/** In the leaderboard's slot (hash tag `{arena:lb}`): one script writes it with the match's credited set, one MULTI reads several. */
const ratingKey = (userId: string): string => `arena:{arena:lb}:rating:${userId}`;
/** As long as the credits' set of the match (RedisLeaderboard.ts). */
const CREDITED_TTL_S = 24 * 3600;

/** KEYS credited, rating; ARGV what, perf, weight, ttl, start, max, counted (1 or 0). Returns {before, after, matches} as strings. */
const RATE_ONCE = `if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return false end
redis.call('EXPIRE', KEYS[1], ARGV[4])
local r = tonumber(redis.call('HGET', KEYS[2], 'r') or ARGV[5])
local n = tonumber(redis.call('HGET', KEYS[2], 'n') or '0') + tonumber(ARGV[7])
local nr = r + tonumber(ARGV[3]) * (tonumber(ARGV[2]) - r)
if nr < 0 then nr = 0 end
if nr > tonumber(ARGV[6]) then nr = tonumber(ARGV[6]) end
redis.call('HSET', KEYS[2], 'r', tostring(nr), 'n', n)
return {tostring(r), tostring(nr), tostring(n)}`;

export class RedisRatings implements RatingStore {
  constructor(private readonly redis: RedisClient) {}

  async get(userIds: readonly string[]): Promise<(RatingRecord | undefined)[]> {
    const tx = this.redis.multi();
    for (const id of userIds) tx.hmget(ratingKey(id), "r", "n");
    const rows = (await tx.exec()) ?? [];
    return rows.map(([err, value]) => {
      const [r, n] = (err === null ? value : [null, null]) as (string | null)[];
      return r === null || r === undefined ? undefined : { rating: Number(r), matches: Number(n ?? 0) };
    });
  }

  async apply(matchId: string, updates: readonly RatingUpdate[]): Promise<RatingChange[]> {
    const out: RatingChange[] = [];
    for (const u of updates) {
      // A performance that is not a number would poison the stored rating: it leaves the rating as it is.
      const perf = Number.isFinite(u.perf) ? u.perf : "nan";
      const answer = (await this.redis.eval(RATE_ONCE, 2, LB_KEYS.credited(matchId), ratingKey(u.userId),
        `rating:${u.userId}`, perf === "nan" ? 0 : perf, perf === "nan" ? 0 : u.weight, CREDITED_TTL_S, RATING_START, RATING_MAX,
        u.counted === false ? 0 : 1)) as string[] | null;
      if (answer === null) continue;
      out.push({ userId: u.userId, before: Number(answer[0]), after: Number(answer[1]), matches: Number(answer[2]) });
    }
    return out;
  }

  async close(): Promise<void> {}
}

/** Applied names kept per process without Redis (one process: only a replay within it could repeat one). */
const APPLIED_KEPT = 10_000;
/** The file is written at most this often. */
const WRITE_EVERY_MS = 1000;

export class MemoryRatings implements RatingStore {
  private readonly records = new Map<string, RatingRecord>();
  private readonly applied = new Set<string>();
  private loaded: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private counter = 0;

  /** `dataDir`: where ratings.json lives; none keeps them in memory only (tests). */
  constructor(private readonly dataDir: string | undefined, private readonly log?: Logger) {}

  private file(): string | undefined {
    return this.dataDir === undefined ? undefined : join(this.dataDir, "ratings.json");
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      const file = this.file();
      if (file === undefined) return;
      try {
        const stored = JSON.parse(await readFile(file, "utf8")) as Record<string, RatingRecord>;
        for (const [id, rec] of Object.entries(stored)) {
          if (Number.isFinite(rec?.rating) && Number.isFinite(rec?.matches)) this.records.set(id, { rating: rec.rating, matches: rec.matches });
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.log?.warn("ratings file unreadable, starting afresh", { error });
      }
    })();
    return this.loaded;
  }

  async get(userIds: readonly string[]): Promise<(RatingRecord | undefined)[]> {
    await this.load();
    return userIds.map((id) => this.records.get(id));
  }

  async apply(matchId: string, updates: readonly RatingUpdate[]): Promise<RatingChange[]> {
    await this.load();
    const out: RatingChange[] = [];
    for (const u of updates) {
      const name = `${matchId}|rating:${u.userId}`;
      if (this.applied.has(name)) continue;
      this.applied.add(name);
      if (this.applied.size > APPLIED_KEPT) this.applied.delete(this.applied.values().next().value!);
      const before = this.records.get(u.userId);
      const after = updateRating(before, Number.isFinite(u.perf) ? u.perf : before?.rating ?? RATING_START, u.weight, u.counted !== false);
      this.records.set(u.userId, after);
      out.push({ userId: u.userId, before: before?.rating ?? RATING_START, after: after.rating, matches: after.matches });
    }
    if (out.length > 0) this.writeSoon();
    return out;
  }

  private writeSoon(): void {
    if (this.file() === undefined || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write()).catch((error: unknown) => this.log?.warn("ratings file write failed", { error }));
    }, WRITE_EVERY_MS);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    const file = this.file()!;
    await mkdir(this.dataDir!, { recursive: true });
    const tmp = `${file}.${process.pid}.${this.counter++}.tmp`;
    await writeFile(tmp, JSON.stringify(Object.fromEntries(this.records)));
    // rename is atomic on one filesystem: a reader (the next start) sees the old file or the new one.
    await rename(tmp, file);
  }

  /** Writes what is pending now (a stopping process keeps its last ratings). */
  async close(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write()).catch((error: unknown) => this.log?.warn("ratings file write failed", { error }));
    }
    await this.writing;
  }
}
