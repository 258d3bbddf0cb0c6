/** Pure parts of matchmaking and the leaderboard: invite codes, points, the in-memory board, fan-out coalescing. */
import { describe, expect, it, vi } from "vitest";
import { LocalPresence } from "@colyseus/core";
import { KILL_POINTS, ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH, WIN_POINTS, normalizeRoomCode, type LeaderboardSnapshot } from "@arena/shared";
import { SNAPSHOT_MIN_INTERVAL_MS, SnapshotFanout, utcDay } from "../src/leaderboard/Leaderboard.ts";
import { MemoryLeaderboard } from "../src/leaderboard/MemoryLeaderboard.ts";
import { CODES_KEY, claimCode, randomCode, releaseCode } from "../src/matchmaking/roomCodes.ts";
import { creditsForKill, creditsForMatch } from "../src/rooms/arena/credits.ts";

describe("invite codes", () => {
  it("use only unambiguous characters", () => {
    for (const ch of "0O1IL") expect(ROOM_CODE_ALPHABET).not.toContain(ch);
    for (let i = 0; i < 200; i++) {
      const code = randomCode();
      expect(code).toHaveLength(ROOM_CODE_LENGTH);
      expect([...code].every((c) => ROOM_CODE_ALPHABET.includes(c))).toBe(true);
    }
  });

  it("normalize what people type and refuse what cannot be a code", () => {
    expect(normalizeRoomCode(" k7m-2qx ")).toBe("K7M2QX");
    expect(normalizeRoomCode("K7M2Q")).toBeUndefined();
    expect(normalizeRoomCode("K7M2QO")).toBeUndefined(); // O is not in the alphabet
    expect(normalizeRoomCode("K7M2Q1")).toBeUndefined();
    expect(normalizeRoomCode("")).toBeUndefined();
  });

  it("are claimed once, and a released one is not claimed again", async () => {
    const presence = new LocalPresence();
    const code = await claimCode(presence);
    expect(await presence.hincrby(CODES_KEY, code, 1)).toBe(2); // a second claimant would see 2, not 1
    await releaseCode(presence, code);
    await expect(claimCode(presence, () => code)).rejects.toThrow(/no free invite code/);
  });
});

describe("points", () => {
  const ids = new Map([["s1", { userId: "u1", name: "ann" }], ["s2", { userId: "u2", name: "bob" }]]);
  it("credit the killer, not a suicide or a player who left", () => {
    expect(creditsForKill(ids, "s1", "s2")).toEqual([{ userId: "u1", name: "ann", points: KILL_POINTS }]);
    expect(creditsForKill(ids, "s1", "s1")).toEqual([]);
    expect(creditsForKill(ids, "gone", "s2")).toEqual([]);
  });
  it("credit nothing to a bot, nor for killing one (bots are never seated with an identity)", () => {
    expect(creditsForKill(ids, "bot:1", "s2")).toEqual([]);
    expect(creditsForKill(ids, "s1", "bot:1")).toEqual([]);
    expect(creditsForMatch(ids, "bot:1")).toEqual([]);
    // A win with no other person in the room (bots only) is worth nothing either.
    expect(creditsForMatch(new Map([["s1", { userId: "u1", name: "ann" }]]), "s1")).toEqual([]);
    expect(creditsForMatch(new Map([["s1", { userId: "u1", name: "ann" }], ["s3", { userId: "u1", name: "ann again" }]]), "s1")).toEqual([]);
  });
  it("credit nothing for killing another seat of the same user", () => {
    const twice = new Map([...ids, ["s3", { userId: "u1", name: "ann again" }]]);
    expect(creditsForKill(twice, "s1", "s3")).toEqual([]);
    expect(creditsForKill(twice, "s3", "s1")).toEqual([]);
    expect(creditsForKill(twice, "s3", "s2")).toEqual([{ userId: "u1", name: "ann again", points: KILL_POINTS }]);
  });
  it("credit the match winner", () => {
    expect(creditsForMatch(ids, "s2")).toEqual([{ userId: "u2", name: "bob", points: WIN_POINTS }]);
    expect(creditsForMatch(ids, "")).toEqual([]);
  });
});

describe("in-memory leaderboard", () => {
  it("ranks all-time and today's points and starts a new day at UTC midnight", async () => {
    let now = Date.UTC(2026, 0, 1, 23, 59);
    const lb = new MemoryLeaderboard(3, () => now);
    await lb.credit([{ userId: "a", name: "A", points: 2 }, { userId: "b", name: "B", points: 5 }]);
    await lb.credit([{ userId: "a", name: "A2", points: 4 }]);
    let s = await lb.snapshot();
    expect(s.allTime.map((e) => [e.rank, e.userId, e.name, e.score])).toEqual([[1, "a", "A2", 6], [2, "b", "B", 5]]);
    expect(s.day).toBe("2026-01-01");
    now += 2 * 60_000;
    await lb.credit([{ userId: "b", name: "B", points: 1 }]);
    s = await lb.snapshot();
    expect(s.day).toBe("2026-01-02");
    expect(s.daily).toEqual([{ rank: 1, userId: "b", name: "B", score: 1 }]);
    expect(s.allTime[0]).toMatchObject({ userId: "b", score: 6 });
    expect(s.version).toBe(3);
  });

  it("tags entries that share a name with the shortest user-id prefix that tells them apart, and leaves unique names alone", async () => {
    const lb = new MemoryLeaderboard(5);
    await lb.credit([
      { userId: "g_1234aaaa-0000", name: "sam", points: 3 },
      { userId: "g_1234bbbb-0000", name: "sam", points: 2 },
      { userId: "g_9999cccc-0000", name: "sam", points: 1 },
      { userId: "g_5555dddd-0000", name: "ann", points: 4 },
    ]);
    const s = await lb.snapshot();
    expect(s.allTime.map((e) => [e.name, e.tag])).toEqual([["ann", undefined], ["sam", "1234a"], ["sam", "1234b"], ["sam", "9999c"]]);
  });

  it("ranks the best N of many users as Redis does (score down, ties by the larger id), whatever order they scored in", async () => {
    const lb = new MemoryLeaderboard(7);
    const scores = new Map<string, number>();
    let seed = 7;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 400; i++) {
      const userId = `u${Math.floor(rand() * 120)}`;
      const points = Math.floor(rand() * 4); // few distinct totals: many ties
      scores.set(userId, (scores.get(userId) ?? 0) + points);
      await lb.credit([{ userId, name: userId, points }]);
    }
    const zrevrange = [...scores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1)).slice(0, 7);
    const s = await lb.snapshot();
    expect(s.allTime.map((e) => [e.userId, e.score])).toEqual(zrevrange);
    expect(s.allTime.map((e) => e.rank)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("gives its listeners a snapshot at most every SNAPSHOT_MIN_INTERVAL_MS however often it is credited, the last with every credit", async () => {
    const lb = new MemoryLeaderboard(3);
    const heard: { at: number; version: number }[] = [];
    lb.subscribe((snap) => heard.push({ at: performance.now(), version: snap.version }));
    const started = performance.now();
    // 60 credits over ~300 ms: one per 5 ms, as a busy process's kills come.
    for (let i = 0; i < 60; i++) {
      await lb.credit([{ userId: `u${i % 7}`, name: "n", points: 1 }]);
      await new Promise((r) => setTimeout(r, 5));
    }
    const last = (await lb.snapshot()).version;
    await vi.waitFor(() => expect(heard.at(-1)?.version).toBe(last), { timeout: 2000, interval: 20 });
    const spent = heard.at(-1)!.at - started;
    // One at once, then at most one per interval (a late timer only spreads them further).
    expect(heard.length).toBeLessThanOrEqual(Math.ceil(spent / SNAPSHOT_MIN_INTERVAL_MS) + 1);
    expect(heard.length).toBeLessThan(10);
  });
});

describe("the daily board's day", () => {
  it("is the UTC date of each instant, at midnight's edges and when asked out of order", () => {
    const at = (iso: string): number => Date.parse(iso);
    const asked: [string, string][] = [
      ["2026-01-01T23:59:59.999Z", "2026-01-01"],
      ["2026-01-02T00:00:00.000Z", "2026-01-02"],
      ["2026-01-01T12:00:00.000Z", "2026-01-01"],
      ["2026-01-01T00:00:00.000Z", "2026-01-01"],
      ["2025-12-31T23:59:59.999Z", "2025-12-31"],
      ["2028-02-29T10:00:00.000Z", "2028-02-29"],
      ["1969-12-31T23:59:59.999Z", "1969-12-31"],
      ["1970-01-01T00:00:00.000Z", "1970-01-01"],
    ];
    for (const [iso, day] of asked) expect(utcDay(at(iso)), iso).toBe(day);
  });
});

describe("snapshot fan-out", () => {
  it("coalesces changes during a fetch into one more fetch, and delivers the latest", async () => {
    let version = 0;
    let fetches = 0;
    let release: (() => void) | undefined;
    const fanout = new SnapshotFanout(async () => {
      fetches++;
      const v = version;
      await new Promise<void>((r) => (release = r));
      return { version: v, day: "d", allTime: [], daily: [] };
    }, (e) => { throw e; }, 0);
    const seen: LeaderboardSnapshot[] = [];
    fanout.add((s) => seen.push(s));
    version = 1;
    fanout.changed();
    version = 2; fanout.changed();
    version = 3; fanout.changed();
    release!();
    await new Promise((r) => setTimeout(r, 0));
    release!();
    await new Promise((r) => setTimeout(r, 0));
    expect(fetches).toBe(2);
    expect(seen.map((s) => s.version)).toEqual([1, 3]);
  });
});
