/**
 * The leaderboard's change notices (RedisLeaderboard.ts, NOTICE): the cluster publishes at most one per
 * NOTICE_MIN_INTERVAL_MS whoever writes, and a write refused a notice is announced once the interval ends, so
 * every process hears of every write, and none hears more notices a second as the cluster grows.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log.ts";
import { LB_KEYS, NOTICE_MIN_INTERVAL_MS, RedisLeaderboard } from "../src/leaderboard/RedisLeaderboard.ts";
import { startRedis, type RedisProcess } from "../../testkit/src/redis.ts";

let redis: RedisProcess;
let a: RedisLeaderboard;
let b: RedisLeaderboard;
let listener: Redis;
let db: Redis;
/** Each notice heard: the board's version read as it was heard. */
const heard: { version: number }[] = [];
const log = createLogger("error");

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([RedisLeaderboard.connect(redis.url, log), RedisLeaderboard.connect(redis.url, log)]);
  db = new Redis(redis.url);
  listener = new Redis(redis.url);
  listener.on("message", () => {
    void db.get(LB_KEYS.version).then((v) => heard.push({ version: Number(v) }));
  });
  await listener.subscribe(LB_KEYS.channel);
});

afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  listener.disconnect();
  db.disconnect();
  await redis.stop();
});

/** Until no notice has been published for the interval (the key that holds it has expired). */
async function quiet(): Promise<void> {
  while ((await db.pttl(LB_KEYS.noticed)) > 0) await new Promise((r) => setTimeout(r, 20));
}

async function heardCount(n: number, withinMs: number): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (heard.length < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe("leaderboard change notices", () => {
  it("announce a write refused a notice once the interval ends, after it", async () => {
    await quiet();
    heard.length = 0;
    // The first write announces itself; the second, on another process within the interval, is refused a notice.
    await a.credit([{ userId: "g_1", name: "One", points: 1 }]);
    await b.credit([{ userId: "g_2", name: "Two", points: 1 }]);
    const written = Number(await db.get(LB_KEYS.version));
    await heardCount(2, 3000);
    // Two: the first write's own, and the second's once the interval ended (or its own, had it come after it).
    expect(heard.length, "a notice after the second write").toBe(2);
    expect(heard[1]!.version).toBeGreaterThanOrEqual(written);
  });

  it("go out at most once per interval for a stream of writes from two processes, the last write included", async () => {
    await quiet();
    heard.length = 0;
    const started = performance.now();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      writes.push((i % 2 === 0 ? a : b).credit([{ userId: `g_s${i % 7}`, name: `S${i % 7}`, points: 1 }]));
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(writes);
    const written = Number(await db.get(LB_KEYS.version));
    // The last notice comes at most an interval (and the retry's margin) after the last write.
    const deadline = performance.now() + 3000;
    while ((heard.at(-1)?.version ?? 0) < written && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const span = performance.now() - started;
    expect(heard.at(-1)?.version, "the board as of the last write announced").toBe(written);
    // 60 writes, each once announced by itself: now one notice per interval of the stream, at most (Redis' key
    // decides, so this holds however late this process hears them).
    expect(heard.length).toBeLessThanOrEqual(Math.ceil(span / NOTICE_MIN_INTERVAL_MS) + 1);
  });
});
