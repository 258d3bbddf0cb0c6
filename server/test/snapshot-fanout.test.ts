/**
 * The leaderboard's snapshot fan-out (SnapshotFanout in Leaderboard.ts): a process reads the board after a change,
 * at most one read at a time and, with a minimum interval, at most one per interval however many writes the cluster
 * makes; the last change is always read, and a change after a quiet spell is read at once.
 */
import type { LeaderboardSnapshot } from "@arena/shared";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SnapshotFanout } from "../src/leaderboard/Leaderboard.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("leaderboard snapshot fan-out", () => {
  it("reads at most once per interval under a stream of writes, ends on the last one, and at once after a quiet spell", async () => {
    vi.useFakeTimers();
    let version = 1;
    let fetches = 0;
    const fanout = new SnapshotFanout(async () => {
      fetches++;
      return { version, day: "d", allTime: [], daily: [] };
    }, (e) => { throw e; }, 200);
    const seen: number[] = [];
    fanout.add((s: LeaderboardSnapshot) => seen.push(s.version));
    fanout.changed();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetches).toBe(1);
    // Ten writes in the next 100 ms (the cluster crediting kills): no read before the interval is over.
    for (let i = 0; i < 10; i++) {
      version++;
      fanout.changed();
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(fetches).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(fetches).toBe(2);
    expect(seen).toEqual([1, 11]);
    // Nothing changed: nothing read.
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetches).toBe(2);
    // A write after the quiet spell is read at once.
    version++;
    fanout.changed();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetches).toBe(3);
    expect(seen).toEqual([1, 11, 12]);
  });
});
