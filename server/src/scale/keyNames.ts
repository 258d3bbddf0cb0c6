/**
 * Keys written before they had hash tags (for Redis Cluster), renamed once so that an upgraded deployment on one
 * Redis keeps its leaderboard and its editor maps: `arena:lb:*` became `arena:{arena:lb}:*`, an editor map's
 * `arena:editor:<kind>:<mapId>` became `arena:editor:{<mapId>}:<kind>`. Match leases, checkpoints and credited
 * sets are short-lived and are not carried over (a match running across the upgrade is not taken over).
 *
 * One process does it (a lock), at start, before it serves; the others start meanwhile and see the old data once
 * it is done. A key already written under its new name (by a process that started first) is merged, not
 * overwritten: points and the write counter are added, a name already set is kept. Done once: a marker key
 * says so. A Redis Cluster never held the old names in use (their transactions spanned slots), so it is skipped.
 */
import type { Redis } from "ioredis";
import { LB_KEYS, LEGACY_LB_KEYS } from "../leaderboard/RedisLeaderboard.ts";
import type { Logger } from "../log.ts";
import { editorMapKey, editorOpsKey, editorPublishedKey } from "../rooms/editor/store.ts";

/** Set once the renaming is done. */
export const KEY_NAMES_MARKER = "arena:key-names";
const KEY_NAMES_VERSION = "2";
const LOCK_KEY = "arena:key-names:lock";
const LOCK_MS = 120_000;
const SCAN_COUNT = 1000;

/** The legacy editor keys and where each goes. */
const EDITOR_KINDS: readonly [prefix: string, rename: (mapId: string) => string][] = [
  ["arena:editor:map:", editorMapKey],
  ["arena:editor:ops:", editorOpsKey],
  ["arena:editor:published:", editorPublishedKey],
];

async function* scan(redis: Redis, match: string): AsyncGenerator<string> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", SCAN_COUNT);
    cursor = next;
    yield* keys;
  } while (cursor !== "0");
}

/** Renames the pre-hash-tag keys of one Redis; returns how many keys moved (0 when done before or by another process). */
export async function renameLegacyKeys(redis: Redis, log: Logger): Promise<number> {
  if ((await redis.get(KEY_NAMES_MARKER)) === KEY_NAMES_VERSION) return 0;
  if ((await redis.set(LOCK_KEY, String(process.pid), "PX", LOCK_MS, "NX")) !== "OK") return 0;
  const t0 = Date.now();
  let moved = 0;
  try {
    // A sorted set of points: added into the new one (a process may have credited there already).
    const mergeBoard = async (from: string, to: string): Promise<void> => {
      const ttl = await redis.pttl(from);
      await redis.zunionstore(to, 2, to, from, "AGGREGATE", "SUM");
      if (ttl > 0) await redis.pexpire(to, ttl);
      await redis.del(from);
      moved++;
    };
    if (await redis.exists(LEGACY_LB_KEYS.allTime)) await mergeBoard(LEGACY_LB_KEYS.allTime, LB_KEYS.allTime);
    for await (const key of scan(redis, `${LEGACY_LB_KEYS.dailyPrefix}*`)) await mergeBoard(key, LB_KEYS.daily(key.slice(LEGACY_LB_KEYS.dailyPrefix.length)));
    const names = await redis.hgetall(LEGACY_LB_KEYS.names);
    if (Object.keys(names).length > 0) {
      for (const [userId, name] of Object.entries(names)) await redis.hsetnx(LB_KEYS.names, userId, name);
      await redis.del(LEGACY_LB_KEYS.names);
      moved++;
    }
    const version = Number((await redis.get(LEGACY_LB_KEYS.version)) ?? 0);
    if (version > 0) {
      await redis.incrby(LB_KEYS.version, version);
      await redis.del(LEGACY_LB_KEYS.version);
      moved++;
    }
    for (const [prefix, rename] of EDITOR_KINDS) {
      for await (const key of scan(redis, `${prefix}*`)) {
        // RENAMENX keeps the TTL of a draft's keys; a map already under its new name keeps that (the newer) copy.
        if ((await redis.renamenx(key, rename(key.slice(prefix.length)))) === 1) moved++;
        else log.warn("legacy editor key left in place: the map exists under its new name", { key });
      }
    }
    await redis.set(KEY_NAMES_MARKER, KEY_NAMES_VERSION);
    if (moved > 0) log.info("renamed redis keys to their hash-tagged names", { moved, ms: Date.now() - t0 });
    return moved;
  } finally {
    await redis.del(LOCK_KEY);
  }
}
