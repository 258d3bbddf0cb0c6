/**
 * The replay store on a real redis-server (REDIS_URL): the chunks come back as the file the recorder wrote;
 * retention by count and by age; a recording nobody writes to any more is sealed as interrupted up to its last
 * segment and plays; a recording in progress is found by its room (a process taking the match over goes on
 * with it); nothing is appended after the end; a private replay is listed only as its players' own.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ReplayReader } from "@arena/shared/replay";
import { startRedis, type RedisProcess } from "@arena/testkit";
import { createRedisClient } from "../src/scale/redisClient.ts";
import { REPLAY_KEYS, RedisReplayStore } from "../src/replay/redisStore.ts";
import { id, record } from "./replayRecording.ts";

const DAY = 24 * 3600 * 1000;
let redis: RedisProcess;
let store: RedisReplayStore;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  store?.close();
  await redis?.stop();
});
beforeEach(async () => {
  store?.close();
  store = new RedisReplayStore(createRedisClient({ kind: "single", url: redis.url }), { keep: 2, maxAgeMs: DAY, staleMs: 60_000 });
  await store.redis.flushall();
});

describe("replays in Redis", () => {
  it("gives back the very bytes written, listed newest first, and keeps at most `keep` (the oldest go, keys and all)", async () => {
    const now = Date.now();
    for (let i = 0; i < 3; i++) await record(store, id(i), { segments: 2, endedAt: now + i });
    expect((await store.list({ limit: 10 })).map((m) => m.id)).toEqual([id(2), id(1)]);
    expect(await store.get(id(0))).toBeUndefined();
    expect(await store.redis.exists(REPLAY_KEYS.data(id(0)), REPLAY_KEYS.meta(id(0)))).toBe(0);
    const bytes = (await store.read(id(2)))!;
    const reader = ReplayReader.open(bytes);
    expect(reader.verify()).toBe(2);
    expect(bytes.length).toBe((await store.get(id(2)))!.bytes);
  });

  it("deletes replays past the maximum age, and gives every replay key an expiry of that age", async () => {
    const now = Date.now();
    await record(store, id(0), { segments: 1, endedAt: now - 2 * DAY });
    await record(store, id(1), { segments: 1, endedAt: now });
    const ttl = await store.redis.pttl(REPLAY_KEYS.data(id(1)));
    expect(ttl).toBeGreaterThan(DAY - 60_000);
    expect(ttl).toBeLessThanOrEqual(DAY);
    expect((await store.list({ limit: 10 })).map((m) => m.id)).toEqual([id(1)]);
  });

  it("seals a recording nobody wrote to for a minute as interrupted, up to its last segment, and it plays; one with none is dropped; a live one stays", async () => {
    // Last written two minutes ago: past the minute after which a recording is taken for interrupted.
    const meta = await record(store, id(0), { segments: 2, end: false, updatedAt: Date.now() - 120_000 });
    await record(store, id(1), { segments: 0, end: false, updatedAt: Date.now() - 120_000 });
    expect(await store.recordingOf(meta.roomId)).toBe(id(0));
    // One written to just now is left alone.
    await record(store, id(2), { segments: 1, end: false, updatedAt: Date.now() });
    await store.prune();
    expect(await store.get(id(2))).toMatchObject({ state: "recording" });
    expect(await store.get(id(0))).toMatchObject({ state: "ended", reason: "interrupted", segments: 2 });
    const reader = ReplayReader.open((await store.read(id(0)))!);
    expect(reader.end).toMatchObject({ reason: "interrupted", segments: 2 });
    expect(reader.verify()).toBe(2);
    expect(await store.get(id(1))).toBeUndefined();
    expect(await store.recordingOf(meta.roomId)).toBeUndefined();
  });

  it("refuses appends once a recording ended, and lists a private replay only as its players' own", async () => {
    const meta = await record(store, id(0), { segments: 1, private: true, players: ["g_ann", "g_bob"] });
    await expect(store.append(meta, new Uint8Array(8))).rejects.toThrow("not being recorded");
    expect(ReplayReader.open((await store.read(id(0)))!).verify()).toBe(1);
    expect(await store.list({ limit: 10 })).toEqual([]);
    expect(await store.list({ roomId: meta.roomId, limit: 10 })).toEqual([]);
    expect((await store.list({ userId: "g_bob", limit: 10 })).map((m) => m.id)).toEqual([id(0)]);
    expect(await store.list({ userId: "g_eve", limit: 10 })).toEqual([]);
  });
});
