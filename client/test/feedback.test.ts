import { describe, expect, it } from "vitest";
import { ArenaState, MAX_HP, PROJECTILE_DAMAGE, Player, createRules } from "@arena/shared";
import { HeartbeatCue } from "../src/audio/cues.ts";
import type { FlyingShot, StateEvent } from "@arena/shared/view";
import {
  Heartbeat, MuzzlePrediction, Spawns, dangerEdge, feedbackOf, heartbeatPeriodMs, indicatorAngle, pairHits, wallStop, type Point,
} from "../src/game/feedback.ts";

const at: Record<string, Point> = { me: { x: 0, y: 0 }, a: { x: 100, y: 0 }, b: { x: 0, y: 300 }, c: { x: -500, y: 0 } };
const where = (id: string): Point | undefined => at[id];
const noShot = (): undefined => undefined;

describe("feedbackOf: which state events make which effects", () => {
  it("a hit I land gives a hit marker with the damage on the target; the victim sees a hit", () => {
    const events: StateEvent[] = [
      { type: "landed", shooter: "me", firedAt: 10 },
      { type: "hurt", target: "a", damage: PROJECTILE_DAMAGE },
    ];
    expect(feedbackOf(events, "me", where, noShot)).toEqual([
      { kind: "hitLanded", target: "a", damage: PROJECTILE_DAMAGE },
      { kind: "hitSeen", target: "a" },
    ]);
    expect(feedbackOf(events, "a", where, noShot)).toEqual([{ kind: "hitTaken", from: "me", damage: PROJECTILE_DAMAGE }]);
  });

  it("my own shot from the server makes no second muzzle flash (it was predicted); another's shot does", () => {
    const events: StateEvent[] = [
      { type: "shot", shooter: "me", x: 1, y: 2, angle: 0.5, tick: 7 },
      { type: "shot", shooter: "a", x: 3, y: 4, angle: 1, tick: 7 },
    ];
    expect(feedbackOf(events, "me", where, noShot)).toEqual([{ kind: "muzzle", x: 3, y: 4, angle: 1 }]);
  });

  it("two hits in one patch go to the targets nearest each landed shot", () => {
    const events: StateEvent[] = [
      { type: "hurt", target: "b", damage: 25 },
      { type: "hurt", target: "me", damage: 25 },
      { type: "landed", shooter: "a", firedAt: 3 },
      { type: "landed", shooter: "c", firedAt: 4 },
    ];
    // a's shot was last drawn near b; c's shot flies here unseen (no position): it takes the one left.
    const shotAt = (shooter: string): Point | undefined => (shooter === "a" ? { x: 5, y: 290 } : undefined);
    expect(pairHits(events, where, shotAt).hits).toEqual([
      { shooter: "a", target: "b", damage: 25 },
      { shooter: "c", target: "me", damage: 25 },
    ]);
    expect(feedbackOf(events, "me", where, shotAt)).toContainEqual({ kind: "hitTaken", from: "c", damage: 25 });
  });

  it("a hit on me that no landed shot explains still shows; the killer points it when it killed me", () => {
    const hurt: StateEvent = { type: "hurt", target: "me", damage: 25 };
    expect(feedbackOf([hurt], "me", where, noShot)).toEqual([{ kind: "hitTaken", from: undefined, damage: 25 }]);
    const kill: StateEvent = { type: "kill", killer: "b", victim: "me" };
    expect(feedbackOf([hurt, kill], "me", where, noShot)).toEqual([
      { kind: "hitTaken", from: "b", damage: 25 },
      { kind: "death", victim: "me" },
    ]);
  });

  it("every kill bursts where the victim is, whoever sees it", () => {
    const events: StateEvent[] = [{ type: "kill", killer: "a", victim: "b" }];
    expect(feedbackOf(events, "me", where, noShot)).toEqual([{ kind: "death", victim: "b" }]);
  });
});

describe("red edge, indicator, heartbeat", () => {
  it("the red edge is off at full HP and while dead, and grows as HP falls", () => {
    expect(dangerEdge(MAX_HP, MAX_HP, true)).toBe(0);
    expect(dangerEdge(0, MAX_HP, false)).toBe(0);
    const steps = [75, 50, 25].map((hp) => dangerEdge(hp, MAX_HP, true));
    expect(steps[0]).toBeGreaterThan(0);
    expect(steps[1]).toBeGreaterThan(steps[0]!);
    expect(steps[2]).toBeGreaterThan(steps[1]!);
    expect(steps[2]).toBeLessThanOrEqual(1);
  });

  it("the indicator points from me toward the shooter", () => {
    expect(indicatorAngle({ x: 0, y: 0 }, { x: 10, y: 0 })).toBe(0);
    expect(indicatorAngle({ x: 0, y: 0 }, { x: 0, y: 10 })).toBeCloseTo(Math.PI / 2);
    expect(indicatorAngle({ x: 5, y: 5 }, { x: -5, y: 5 })).toBeCloseTo(Math.PI);
  });

  it("the heartbeat beats only at low HP, faster as HP falls, and stops on death", () => {
    expect(heartbeatPeriodMs(MAX_HP, MAX_HP, true)).toBeUndefined();
    expect(heartbeatPeriodMs(50, MAX_HP, true)).toBeUndefined();
    expect(heartbeatPeriodMs(25, MAX_HP, true)).toBeLessThan(1000);
    expect(heartbeatPeriodMs(10, MAX_HP, true)!).toBeLessThan(heartbeatPeriodMs(25, MAX_HP, true)!);
    expect(heartbeatPeriodMs(10, MAX_HP, false)).toBeUndefined();
    const beat = new Heartbeat();
    const period = heartbeatPeriodMs(25, MAX_HP, true)!;
    expect(beat.due(0, 25, MAX_HP, true)).toBe(true);
    expect(beat.due(period - 1, 25, MAX_HP, true)).toBe(false);
    expect(beat.due(period, 25, MAX_HP, true)).toBe(true);
    expect(beat.due(period * 3, 100, MAX_HP, true)).toBe(false);
  });
});

describe("predicted muzzle flash, wall sparks, spawn-in", () => {
  it("the muzzle flash shows at the press and then at the fire rate, never while dead or out of play", () => {
    const rules = createRules();
    const cooldownMs = (rules.fireCooldownSteps * 1000) / rules.tickRate;
    const m = new MuzzlePrediction(cooldownMs);
    expect(m.fires(0, false, true, true)).toBe(false);
    expect(m.fires(1, true, true, true)).toBe(true);
    expect(m.fires(1 + cooldownMs - 1, true, true, true)).toBe(false);
    expect(m.fires(1 + cooldownMs, true, true, true)).toBe(true);
    expect(m.fires(1e6, true, false, true)).toBe(false);
    expect(m.fires(1e6, true, true, false)).toBe(false);
  });

  it("sparks where a projectile meets its wall, none when its lifetime ends it in the open", () => {
    const lifetime = createRules().projectileLifetimeTicks;
    const shot: FlyingShot = { shooter: "a", x: 0, y: 0, angle: 0, tick: 1, endsAt: 4 };
    const pos = (s: FlyingShot, age: number): Point => ({ x: s.x + age * 30, y: s.y });
    expect(wallStop(shot, lifetime, pos)).toEqual({ x: 120, y: 0 });
    expect(wallStop({ ...shot, endsAt: lifetime }, lifetime, pos)).toBeUndefined();
  });

  it("a player coming alive (spawn or respawn) gets the spawn-in effect once, not one already alive when first seen", () => {
    const s = new Spawns();
    expect(s.cameAlive("a", true)).toBe(false);
    expect(s.cameAlive("b", false)).toBe(false);
    expect(s.cameAlive("b", true)).toBe(true);
    expect(s.cameAlive("b", true)).toBe(false);
    expect(s.cameAlive("a", false)).toBe(false);
    expect(s.cameAlive("a", true)).toBe(true);
  });
});

describe("HeartbeatCue", () => {
  it("beats for the player at low HP while the match is playing, and not for a healthy one or outside play", () => {
    const state = new ArenaState();
    state.phase = "playing";
    const me = new Player();
    me.alive = true;
    me.hp = 20;
    state.players.set("me", me);
    const cue = new HeartbeatCue();
    expect(cue.update(state, "me", 0)).toBe("heartbeat");
    expect(cue.update(state, "me", 10)).toBeUndefined();
    expect(cue.update(state, "me", 2000)).toBe("heartbeat");
    me.hp = MAX_HP;
    expect(cue.update(state, "me", 4000)).toBeUndefined();
    me.hp = 20;
    state.phase = "results";
    expect(cue.update(state, "me", 6000)).toBeUndefined();
  });
});
