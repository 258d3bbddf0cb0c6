import { describe, expect, it } from "vitest";
import { ArenaState, Player, createRules } from "@arena/shared";
import { DeathView, describeDeath, glideShare } from "../src/game/deathView.ts";

describe("DeathView", () => {
  it("names the killer and counts down to the respawn from the tick the death was seen", () => {
    const rules = createRules();
    const state = new ArenaState();
    state.tickRate = rules.tickRate;
    state.phase = "playing";
    const me = new Player();
    const killer = new Player();
    killer.name = "bob";
    state.players.set("me", me);
    state.players.set("k", killer);
    const view = new DeathView(rules.respawnTicks);
    me.alive = true;
    expect(view.update(state, me)).toBeUndefined();
    me.alive = false;
    me.killedBy = "k";
    state.tick = 100;
    expect(describeDeath(view.update(state, me)!)).toBe("Killed by bob · respawn in 2");
    state.tick = 100 + rules.respawnTicks - 1;
    expect(describeDeath(view.update(state, me)!)).toBe("Killed by bob · respawn in 1");
    state.tick = 100 + rules.respawnTicks;
    expect(describeDeath(view.update(state, me)!)).toBe("Killed by bob · respawning…");
    me.alive = true;
    expect(view.update(state, me)).toBeUndefined();
  });
});

describe("glideShare", () => {
  /** Share of the way left after `ms` of frames of `frameMs` each. */
  const leftAfter = (ms: number, frameMs: number): number => {
    let left = 1;
    for (let t = 0; t < ms - 1e-9; t += frameMs) left *= 1 - glideShare(frameMs);
    return left;
  };

  it("covers the same share of the way in the same time at 144, 60, 30, 10 and 5 frames a second", () => {
    const at60 = leftAfter(400, 1000 / 60);
    expect(at60).toBeLessThan(0.1);
    for (const fps of [144, 30, 10, 5]) expect(leftAfter(400, 1000 / fps)).toBeCloseTo(at60, 2);
  });

  it("is 0.1 of the way in a 60 Hz frame, nothing in no time, and about all of it after a long stall", () => {
    expect(glideShare(1000 / 60)).toBeCloseTo(0.1, 10);
    expect(glideShare(0)).toBe(0);
    expect(glideShare(-5)).toBe(0);
    expect(glideShare(30_000)).toBeGreaterThan(0.99);
  });
});
