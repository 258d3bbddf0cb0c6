/**
 * Recordings in Redis (REDIS_URL): any process serves any replay, and a process taking a match over appends
 * to the recording the previous holder began.
 *
 * Per replay, one hash tag `{<id>}` (one slot on a Redis Cluster, so the scripts may name them together):
 * - `arena:replay:{id}:data`  a list of chunks: the file's start (magic and header), the segments, the end.
 * - `arena:replay:{id}:meta`  its meta (JSON).
 * - `arena:replay:{id}:open`  present while it is being recorded: appends after the end are refused.
 * All three expire `maxAgeMs` after their last write, so Redis drops what no process prunes.
 * Indexes (sorted sets, by Unix ms): `arena:replays:ended` (every ended replay, for the count retention),
 * `arena:replays:public`, `arena:replays:user:<userId>` (that person's last REPLAYS_PER_USER, public or
 * private), `arena:replays:room:<roomId>` (a public room's last REPLAYS_PER_USER) and
 * `arena:replays:recording` (by last write: interrupted ones are found there and sealed).
 */
import type { RedisClient } from "../scale/redisClient.ts";
import { REPLAY_ID, parseMeta, type ReplayMeta } from "./meta.ts";
import { sealInterrupted, type ListQuery, type ReplayStore, type Retention } from "./store.ts";

/** Entries kept in a person's own list. */
export const REPLAYS_PER_USER = 50;

export const REPLAY_KEYS = {
  data: (id: string) => `arena:replay:{${id}}:data`,
  meta: (id: string) => `arena:replay:{${id}}:meta`,
  open: (id: string) => `arena:replay:{${id}}:open`,
  ended: "arena:replays:ended",
  public: "arena:replays:public",
  user: (userId: string) => `arena:replays:user:${userId}`,
  room: (roomId: string) => `arena:replays:room:${roomId}`,
  recording: "arena:replays:recording",
  /** The id of the recording in progress in a room (expires `staleMs` after its last write). */
  recordingOf: (roomId: string) => `arena:replays:recording-of:${roomId}`,
} as const;

/** KEYS data, meta, open; ARGV chunk, meta, ttlMs. Starts a recording: 1. */
const BEGIN = `redis.call('DEL', KEYS[1])
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/**
 * KEYS data, meta, open; ARGV chunk, meta, ttlMs, last ('1': the end chunk), expected meta ('' for any).
 * 1 appended; 0 the recording is closed (ended, sealed, or gone), or its meta is not the expected one.
 */
const APPEND = `if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
if ARGV[5] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[5] then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] == '1' then redis.call('DEL', KEYS[3]) else redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
return 1`;

export class RedisReplayStore implements ReplayStore {
  constructor(readonly redis: RedisClient, private readonly retention: Retention) {}

  private keys(id: string): [string, string, string] {
    return [REPLAY_KEYS.data(id), REPLAY_KEYS.meta(id), REPLAY_KEYS.open(id)];
  }

  private get ttl(): string {
    return String(this.retention.maxAgeMs);
  }

  async begin(meta: ReplayMeta, start: Uint8Array): Promise<void> {
    await this.redis.eval(BEGIN, 3, ...this.keys(meta.id), Buffer.from(start), JSON.stringify(meta), this.ttl);
    await this.redis.zadd(REPLAY_KEYS.recording, meta.updatedAt, meta.id);
    await this.redis.set(REPLAY_KEYS.recordingOf(meta.roomId), meta.id, "PX", this.retention.staleMs);
  }

  async append(meta: ReplayMeta, chunk: Uint8Array): Promise<void> {
    const ok = await this.redis.eval(APPEND, 3, ...this.keys(meta.id), Buffer.from(chunk), JSON.stringify(meta), this.ttl, "0", "");
    if (Number(ok) !== 1) throw new Error(`replay ${meta.id} is not being recorded`);
    await this.redis.zadd(REPLAY_KEYS.recording, meta.updatedAt, meta.id);
    await this.redis.set(REPLAY_KEYS.recordingOf(meta.roomId), meta.id, "PX", this.retention.staleMs);
  }

  async recordingOf(roomId: string): Promise<string | undefined> {
    return (await this.redis.get(REPLAY_KEYS.recordingOf(roomId))) ?? undefined;
  }

  async finish(meta: ReplayMeta, end: Uint8Array): Promise<void> {
    if (!(await this.close1(meta, end, ""))) throw new Error(`replay ${meta.id} is not being recorded`);
    await this.prune();
  }

  /** Appends the end chunk (if the meta is still `expected`, when given) and lists the replay. */
  private async close1(meta: ReplayMeta, end: Uint8Array, expected: string): Promise<boolean> {
    const ok = await this.redis.eval(APPEND, 3, ...this.keys(meta.id), Buffer.from(end), JSON.stringify(meta), this.ttl, "1", expected);
    if (Number(ok) !== 1) return false;
    const at = meta.endedAt ?? meta.updatedAt;
    await this.redis.zrem(REPLAY_KEYS.recording, meta.id);
    if ((await this.redis.get(REPLAY_KEYS.recordingOf(meta.roomId))) === meta.id) await this.redis.del(REPLAY_KEYS.recordingOf(meta.roomId));
    await this.redis.zadd(REPLAY_KEYS.ended, at, meta.id);
    if (!meta.private) await this.redis.zadd(REPLAY_KEYS.public, at, meta.id);
    const lists = [...meta.players.map(REPLAY_KEYS.user), ...(meta.private ? [] : [REPLAY_KEYS.room(meta.roomId)])];
    for (const key of lists) {
      await this.redis.zadd(key, at, meta.id);
      await this.redis.zremrangebyrank(key, 0, -(REPLAYS_PER_USER + 1));
      await this.redis.pexpire(key, this.retention.maxAgeMs);
    }
    return true;
  }

  async get(id: string): Promise<ReplayMeta | undefined> {
    if (!REPLAY_ID.test(id)) return undefined;
    const text = await this.redis.get(REPLAY_KEYS.meta(id));
    if (text === null) return undefined;
    const meta = parseMeta(text);
    if (meta === undefined) return undefined;
    if (meta.state === "recording" && Date.now() - meta.updatedAt > this.retention.staleMs) return this.seal(meta, text);
    return meta;
  }

  /** Closes a recording nobody writes to any more, unless its writer wrote meanwhile. */
  private async seal(meta: ReplayMeta, text: string): Promise<ReplayMeta | undefined> {
    if (meta.segments === 0) {
      await this.delete(meta.id);
      return undefined;
    }
    const sealed = sealInterrupted(meta, Date.now());
    if (await this.close1(sealed.meta, sealed.end, text)) return sealed.meta;
    const now = await this.redis.get(REPLAY_KEYS.meta(meta.id));
    return now === null ? undefined : parseMeta(now);
  }

  async read(id: string): Promise<Uint8Array | undefined> {
    const meta = await this.get(id);
    if (meta?.state !== "ended") return undefined;
    const chunks = await this.redis.lrangeBuffer(REPLAY_KEYS.data(id), 0, -1);
    return chunks.length === 0 ? undefined : Buffer.concat(chunks);
  }

  async list(query: ListQuery): Promise<ReplayMeta[]> {
    const key = query.userId !== undefined ? REPLAY_KEYS.user(query.userId) : query.roomId !== undefined ? REPLAY_KEYS.room(query.roomId) : REPLAY_KEYS.public;
    // A few more than asked: some may have been pruned since they were listed.
    const ids = await this.redis.zrevrange(key, 0, query.limit * 2 - 1);
    const metas = await Promise.all(ids.map((id) => this.get(id)));
    const found = metas.filter((m): m is ReplayMeta => m?.state === "ended");
    const gone = ids.filter((_, i) => metas[i] === undefined);
    if (gone.length > 0) await this.redis.zrem(key, ...gone);
    return found.slice(0, query.limit);
  }

  async prune(now = Date.now()): Promise<number> {
    // Interrupted recordings: sealed (they then count as ended below).
    const stale = await this.redis.zrangebyscore(REPLAY_KEYS.recording, "-inf", now - this.retention.staleMs);
    for (const id of stale) {
      const meta = await this.get(id);
      if (meta === undefined || meta.state === "ended") await this.redis.zrem(REPLAY_KEYS.recording, id);
    }
    const old = await this.redis.zrangebyscore(REPLAY_KEYS.ended, "-inf", now - this.retention.maxAgeMs);
    const count = await this.redis.zcard(REPLAY_KEYS.ended);
    const extra = Math.max(0, count - old.length - this.retention.keep);
    const oldest = extra > 0 ? await this.redis.zrange(REPLAY_KEYS.ended, old.length, old.length + extra - 1) : [];
    const doomed = [...old, ...oldest];
    for (const id of doomed) await this.delete(id);
    return doomed.length;
  }

  private async delete(id: string): Promise<void> {
    await this.redis.del(...this.keys(id));
    await this.redis.zrem(REPLAY_KEYS.ended, id);
    await this.redis.zrem(REPLAY_KEYS.public, id);
    await this.redis.zrem(REPLAY_KEYS.recording, id);
  }

  close(): void {
    this.redis.disconnect();
  }
}
