/**
 * An upgrade on one Redis keeps the leaderboard and the editor maps written under the keys' names from before
 * the hash tags: renamed once at start (merged into what a new process may already have written), never again.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startRedis, type RedisProcess } from "@arena/testkit";
import { LB_KEYS } from "../src/leaderboard/RedisLeaderboard.ts";
import { createLogger } from "../src/log.ts";
import { editorMapKey, editorOpsKey, editorPublishedKey } from "../src/rooms/editor/store.ts";
import { KEY_NAMES_MARKER, renameLegacyKeys } from "../src/scale/keyNames.ts";

let redis: RedisProcess;
let db: Redis;

beforeAll(async () => {
  redis = await startRedis();
  db = new Redis(redis.url);
});

afterAll(async () => {
  db?.disconnect();
  await redis?.stop();
});

it("moves the old leaderboard and editor keys under their hash-tagged names once, merging points into a board a new process already wrote", async () => {
  await db.zadd("arena:lb:all", 10, "u1", 5, "u2");
  await db.zadd("arena:lb:day:2026-12-05", 3, "u1");
  await db.pexpire("arena:lb:day:2026-12-05", 600_000);
  await db.hset("arena:lb:names", "u1", "old-one", "u2", "two");
  await db.set("arena:lb:version", "7");
  // A process of the new version credited before the renaming ran.
  await db.zadd(LB_KEYS.allTime, 1, "u1");
  await db.hset(LB_KEYS.names, "u1", "new-one");
  await db.set(LB_KEYS.version, "1");
  await db.set("arena:editor:map:m1", '{"v":3}', "PX", 600_000);
  await db.xadd("arena:editor:ops:m1", "3-0", "op", "{}");
  await db.rpush("arena:editor:published:m2", "{}");

  expect(await renameLegacyKeys(db, createLogger("silent"))).toBe(7);

  expect(await db.zrange(LB_KEYS.allTime, 0, -1, "WITHSCORES")).toEqual(["u2", "5", "u1", "11"]);
  expect(await db.zscore(LB_KEYS.daily("2026-12-05"), "u1")).toBe("3");
  expect(await db.pttl(LB_KEYS.daily("2026-12-05"))).toBeGreaterThan(500_000);
  expect(await db.hgetall(LB_KEYS.names)).toEqual({ u1: "new-one", u2: "two" });
  expect(await db.get(LB_KEYS.version)).toBe("8");
  expect(await db.get(editorMapKey("m1"))).toBe('{"v":3}');
  expect(await db.pttl(editorMapKey("m1"))).toBeGreaterThan(500_000);
  expect(await db.xlen(editorOpsKey("m1"))).toBe(1);
  expect(await db.llen(editorPublishedKey("m2"))).toBe(1);
  expect(await db.keys("arena:lb:*")).toEqual([]);
  expect(await db.keys("arena:editor:map:*")).toEqual([]);
  expect(await db.get(KEY_NAMES_MARKER)).toBe("2");

  // Once: an old-style key written later (an old process still running) is not taken for a second renaming.
  await db.zadd("arena:lb:all", 100, "u3");
  expect(await renameLegacyKeys(db, createLogger("silent"))).toBe(0);
  expect(await db.zscore(LB_KEYS.allTime, "u3")).toBeNull();
});
