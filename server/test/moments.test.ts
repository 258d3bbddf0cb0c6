/** The results' best moments (rooms/arena/moments.ts): the longest kill streak and the most damage in one life. */
import { describe, expect, it } from "vitest";
import type { GameEvent, Standing } from "@arena/shared";
import { MatchMoments } from "../src/rooms/arena/moments.ts";

const hit = (shooter: string, target: string, damage = 25): GameEvent => ({ type: "hit", shooter, target, projectile: "p", firedAt: 0, damage, x: 0, y: 0 });
const kill = (killer: string, victim: string): GameEvent => ({ type: "kill", killer, victim, tick: 0 });
const line = (sessionId: string): Standing => ({ sessionId, name: sessionId, kills: 0, deaths: 0, damage: 0 });

describe("best moments of a match", () => {
  it("counts the longest run of kills without dying, and the most damage dealt within one life", () => {
    const m = new MatchMoments();
    const events: GameEvent[] = [
      { type: "matchStart", tick: 0, endsAt: 100 },
      hit("a", "b"), hit("a", "b"), hit("a", "b"), hit("a", "b"), kill("a", "b"),
      hit("a", "c"), kill("a", "c"),
      hit("c", "a"), kill("c", "a"), // a dies: streak 2 and 125 damage in that life
      hit("a", "b"), kill("a", "b"),
    ];
    for (const e of events) m.observe(e);
    expect(m.fill([line("a"), line("c"), line("z")]).map((s) => [s.sessionId, s.bestStreak, s.bestLife])).toEqual([
      ["a", 2, 125], ["c", 1, 25], ["z", 0, 0],
    ]);
  });

  it("starts afresh with each match", () => {
    const m = new MatchMoments();
    m.observe(hit("a", "b"));
    m.observe(kill("a", "b"));
    m.observe({ type: "matchStart", tick: 10, endsAt: 100 });
    expect(m.fill([line("a")])[0]).toMatchObject({ bestStreak: 0, bestLife: 0 });
  });
});
