/**
 * Ratings in Redis (people/Ratings.ts, RedisRatings) on a real redis-server: the Lua update gives what the
 * TypeScript rule gives (rating.ts), keeps 0..RATING_MAX, applies a person's update once per match (also when
 * the match's credits set already holds other names), and a performance that is not a number leaves the rating.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisProcess } from "@arena/testkit";
import { LB_KEYS } from "../src/leaderboard/RedisLeaderboard.ts";
import { RATING_MAX, RATING_START, updateRating } from "../src/people/rating.ts";
import { RedisRatings } from "../src/people/Ratings.ts";

let redis: RedisProcess;
let client: Redis;
let ratings: RedisRatings;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  ratings = new RedisRatings(client);
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

describe("ratings in Redis", () => {
  it("update as the TypeScript rule does, once per person per match", async () => {
    const first = await ratings.apply("m1", [{ userId: "g_a", perf: 80, weight: 0.5 }, { userId: "g_b", perf: 10, weight: 0.25 }]);
    const a1 = updateRating(undefined, 80, 0.5);
    const b1 = updateRating(undefined, 10, 0.25);
    expect(first).toEqual([
      { userId: "g_a", before: RATING_START, after: a1.rating, matches: 1 },
      { userId: "g_b", before: RATING_START, after: b1.rating, matches: 1 },
    ]);
    // The same match again (a takeover's replay), with a kill credit already in its set: nothing moves.
    await client.sadd(LB_KEYS.credited("m1"), "kill:g_a:1");
    expect(await ratings.apply("m1", [{ userId: "g_a", perf: 100, weight: 1 }])).toEqual([]);
    const next = await ratings.apply("m2", [{ userId: "g_a", perf: 30, weight: 0.5 }]);
    expect(next[0]!.after).toBeCloseTo(updateRating(a1, 30, 0.5).rating, 9);
    expect(await ratings.get(["g_a", "g_b", "g_nobody"])).toEqual([{ rating: next[0]!.after, matches: 2 }, { rating: b1.rating, matches: 1 }, undefined]);
  });

  it("keep ratings within 0..RATING_MAX and leave one alone for a performance that is not a number", async () => {
    expect((await ratings.apply("m3", [{ userId: "g_c", perf: 10_000, weight: 1 }]))[0]!.after).toBe(RATING_MAX);
    expect((await ratings.apply("m4", [{ userId: "g_c", perf: -10_000, weight: 1 }]))[0]!.after).toBe(0);
    expect((await ratings.apply("m5", [{ userId: "g_c", perf: Number.NaN, weight: 1 }]))[0]).toMatchObject({ before: 0, after: 0, matches: 3 });
  });

  it("move the rating for a practice match without counting it toward the first matches, as the TypeScript rule does", async () => {
    const [practice] = await ratings.apply("p1", [{ userId: "g_p", perf: 65, weight: 0.5, counted: false }]);
    expect(practice).toEqual({ userId: "g_p", before: RATING_START, after: updateRating(undefined, 65, 0.5, false).rating, matches: 0 });
    expect(await ratings.get(["g_p"])).toEqual([{ rating: practice!.after, matches: 0 }]);
    expect((await ratings.apply("q1", [{ userId: "g_p", perf: 65, weight: 0.5 }]))[0]!.matches).toBe(1);
  });
});
