/**
 * The rating update (people/rating.ts) and its in-memory store (people/Ratings.ts): what one match does to a
 * rating, the quick-play bots' level it gives a room, exactly once per match, and kept in DATA_DIR.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BOT_BEGINNER, BOT_LEVEL_OF, BOT_SKILLS, skillAtLevel } from "@arena/shared";
import {
  NEWCOMER_MATCHES, RATING_MAX, RATING_SPREAD, RATING_START, RATING_STEP, isNewcomer, performance, roomBotLevel, updateRating, weightOf,
} from "../src/people/rating.ts";
import { MemoryRatings } from "../src/people/Ratings.ts";

const line = { kills: 6, deaths: 6, damage: 600, minutes: 3, opponents: 40 };

describe("performance of one match", () => {
  it("is the opponents' level when kills and damage match deaths", () => {
    expect(performance(line)).toBeCloseTo(40, 6);
  });

  it("rises by RATING_SPREAD per e-fold of the kill ratio, and falls as much the other way", () => {
    // 6 kill-equivalents per minute against 2/3 deaths: (6 + 0.5) / (2/3 + 0.5) per minute.
    const strong = performance({ ...line, kills: 18, damage: 1800, deaths: 2 });
    expect(strong).toBeCloseTo(40 + RATING_SPREAD * Math.log((6 + 0.5) / (2 / 3 + 0.5)), 6);
    const weak = performance({ ...line, kills: 2, damage: 200, deaths: 18 });
    expect(weak).toBeCloseTo(40 - RATING_SPREAD * Math.log((6 + 0.5) / (2 / 3 + 0.5)), 6);
  });

  it("counts damage that finished nobody for half a kill per life of it", () => {
    const killer = performance({ ...line, kills: 6, damage: 600 });
    const chipper = performance({ ...line, kills: 0, damage: 1200 });
    expect(chipper).toBeCloseTo(killer, 6);
  });

  it("says less for the same counts over a longer match (per minute, smoothed)", () => {
    const short = performance({ ...line, kills: 4, damage: 400, deaths: 1, minutes: 1 });
    const long = performance({ ...line, kills: 4, damage: 400, deaths: 1, minutes: 10 });
    expect(short - 40).toBeGreaterThan(long - 40);
    expect(long).toBeGreaterThan(40);
  });
});

describe("the rating update", () => {
  it("moves a rating RATING_STEP of the way to the performance after a full match", () => {
    expect(updateRating({ rating: 40, matches: 3 }, 80, weightOf(5))).toEqual({ rating: 40 + RATING_STEP * 40, matches: 4 });
    expect(updateRating({ rating: 40, matches: 3 }, 10, weightOf(5)).rating).toBeCloseTo(40 - RATING_STEP * 30, 9);
  });

  it("weighs a short stint less: nothing for no time, half for half a minute", () => {
    expect(weightOf(0)).toBe(0);
    expect(weightOf(0.5)).toBeCloseTo(RATING_STEP / 2, 9);
    expect(weightOf(1)).toBe(RATING_STEP);
    expect(weightOf(30)).toBe(RATING_STEP);
    expect(updateRating({ rating: 40, matches: 1 }, 100, weightOf(0)).rating).toBe(40);
  });

  it("starts a new person at easy bots' level and keeps every rating within 0..RATING_MAX", () => {
    expect(RATING_START).toBe(BOT_LEVEL_OF.easy * RATING_MAX);
    expect(updateRating(undefined, 65, RATING_STEP)).toEqual({ rating: RATING_START + RATING_STEP * (65 - RATING_START), matches: 1 });
    expect(updateRating({ rating: 90, matches: 9 }, 10_000, 1).rating).toBe(RATING_MAX);
    expect(updateRating({ rating: 10, matches: 9 }, -500, 1).rating).toBe(0);
  });

  it("leaves the rating where it was for a performance that is not a number", () => {
    expect(updateRating({ rating: 40, matches: 3 }, Number.NaN, 1)).toEqual({ rating: 40, matches: 4 });
  });

  it("settles where a player's kill ratio against the bots is 1 (a model player twice as good as easy bots)", () => {
    // A model: against bots at level L the player's kill ratio is e^((truth - L) / RATING_SPREAD); truth = 70.
    let rec = undefined as ReturnType<typeof updateRating> | undefined;
    for (let i = 0; i < 20; i++) {
      const faced = roomBotLevel([rec]) * RATING_MAX;
      const ratio = Math.exp((70 - faced) / RATING_SPREAD);
      rec = updateRating(rec, performance({ kills: 10 * ratio, damage: 1000 * ratio, deaths: 10, minutes: 5, opponents: faced }), weightOf(5));
    }
    expect(rec!.rating).toBeGreaterThan(60);
    expect(rec!.rating).toBeLessThan(75);
  });
});

describe("the quick-play bots' level of a room", () => {
  it("is easy while anyone there is in their first NEWCOMER_MATCHES matches", () => {
    expect(isNewcomer(undefined)).toBe(true);
    expect(isNewcomer({ rating: 80, matches: NEWCOMER_MATCHES - 1 })).toBe(true);
    expect(roomBotLevel([{ rating: 90, matches: 10 }, undefined])).toBe(BOT_LEVEL_OF.easy);
    expect(roomBotLevel([])).toBe(BOT_LEVEL_OF.easy);
  });

  it("is the mean rating of the people otherwise, on the bots' 0..1 scale", () => {
    expect(roomBotLevel([{ rating: 90, matches: 10 }, { rating: 30, matches: NEWCOMER_MATCHES }])).toBeCloseTo(0.6, 9);
  });
});

describe("ratings kept in memory and in DATA_DIR", () => {
  it("apply each person's update once per match, whatever the replays", async () => {
    const store = new MemoryRatings(undefined);
    const first = await store.apply("room1:1", [{ userId: "g_a", perf: 65, weight: RATING_STEP }]);
    expect(first).toEqual([{ userId: "g_a", before: 25, after: 45, matches: 1 }]);
    expect(await store.apply("room1:1", [{ userId: "g_a", perf: 65, weight: RATING_STEP }])).toEqual([]);
    expect(await store.get(["g_a", "g_b"])).toEqual([{ rating: 45, matches: 1 }, undefined]);
    const second = await store.apply("room1:2", [{ userId: "g_a", perf: 65, weight: RATING_STEP }]);
    expect(second[0]?.after).toBe(55);
  });

  it("move the rating for a practice match without counting it toward the first matches", async () => {
    const store = new MemoryRatings(undefined);
    expect(await store.apply("practice:1", [{ userId: "g_p", perf: 65, weight: RATING_STEP, counted: false }])).toEqual([{ userId: "g_p", before: 25, after: 45, matches: 0 }]);
    expect(await store.apply("quick:1", [{ userId: "g_p", perf: 65, weight: RATING_STEP }])).toEqual([{ userId: "g_p", before: 45, after: 55, matches: 1 }]);
  });

  it("outlive the process through <DATA_DIR>/ratings.json", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ratings-"));
    try {
      const store = new MemoryRatings(dir);
      await store.apply("m:1", [{ userId: "g_a", perf: 95, weight: RATING_STEP }, { userId: "g_b", perf: 15, weight: RATING_STEP }]);
      await store.close();
      expect(JSON.parse(await readFile(join(dir, "ratings.json"), "utf8"))).toEqual({ g_a: { rating: 60, matches: 1 }, g_b: { rating: 20, matches: 1 } });
      const again = new MemoryRatings(dir);
      expect(await again.get(["g_a", "g_b"])).toEqual([{ rating: 60, matches: 1 }, { rating: 20, matches: 1 }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("bot skill by level", () => {
  it("is each named difficulty at its level, beginner at 0, and in between on the way", () => {
    expect(skillAtLevel(0)).toEqual(BOT_BEGINNER);
    for (const d of ["easy", "normal", "hard"] as const) {
      const s = skillAtLevel(BOT_LEVEL_OF[d]);
      expect(s.reactionS).toBeCloseTo(BOT_SKILLS[d].reactionS, 9);
      expect(s.aimErrorRad).toBeCloseTo(BOT_SKILLS[d].aimErrorRad, 9);
      expect(s.decisionS).toBeCloseTo(BOT_SKILLS[d].decisionS, 9);
    }
    const mid = skillAtLevel((BOT_LEVEL_OF.normal + BOT_LEVEL_OF.hard) / 2);
    expect(mid.aimErrorRad).toBeCloseTo((BOT_SKILLS.normal.aimErrorRad + BOT_SKILLS.hard.aimErrorRad) / 2, 9);
    expect(skillAtLevel(7)).toEqual(skillAtLevel(1));
    expect(skillAtLevel(Number.NaN)).toEqual(BOT_BEGINNER);
  });
});
