import { describe, expect, it } from "vitest";
import {
  ARENA_MAP, MOVE_SCALE, PLAYER_RADIUS, PLAYER_SPEED, POSITION_RANGE, POSITION_SCALE, Player, applyMove, circleOverlapsRect, createRules,
  moveDirection, type ArenaMap,
} from "../src/index.ts";

const rules = createRules(30);

function run(start: { x: number; y: number }, mx: number, my: number, steps: number, map: ArenaMap = ARENA_MAP) {
  const body = { ...start };
  for (let i = 0; i < steps; i++) applyMove(body, mx, my, rules.dt, map);
  return body;
}

describe("movement", () => {
  it("moves at most PLAYER_SPEED per second, straight and diagonal alike", () => {
    const start = { x: 120, y: 120 };
    const straight = run(start, MOVE_SCALE, 0, 30);
    const diagonal = run(start, MOVE_SCALE, MOVE_SCALE, 30);
    const dStraight = Math.hypot(straight.x - start.x, straight.y - start.y);
    const dDiagonal = Math.hypot(diagonal.x - start.x, diagonal.y - start.y);
    expect(dStraight).toBeLessThanOrEqual(PLAYER_SPEED);
    expect(dStraight).toBeGreaterThan(PLAYER_SPEED * 0.99);
    expect(dDiagonal).toBeLessThanOrEqual(PLAYER_SPEED);
    expect(Math.abs(dDiagonal - dStraight) / dStraight).toBeLessThan(0.01);
  });

  it("normalizes move vectors longer than 1 and ignores non-finite components", () => {
    expect(Math.hypot(moveDirection(127, 127).dx, moveDirection(127, 127).dy)).toBeCloseTo(1, 12);
    expect(moveDirection(NaN, Infinity)).toEqual({ dx: 0, dy: 0 });
    const huge = run({ x: 120, y: 120 }, 1e9, 0, 30);
    expect(huge.x - 120).toBeLessThanOrEqual(PLAYER_SPEED);
  });

  it("keeps positions on the 1/32 grid, exactly representable in float32", () => {
    const body = run({ x: 120, y: 120 }, 90, -37, 200);
    for (const v of [body.x, body.y]) {
      expect(Number.isInteger(v * POSITION_SCALE)).toBe(true);
      expect(Math.fround(v)).toBe(v);
    }
  });

  it("cannot tunnel through walls at max speed from any direction", () => {
    // A thin wall, the worst case for tunnelling.
    const thin: ArenaMap = { ...ARENA_MAP, walls: [{ x: 500, y: 0, w: 2, h: 1400 }], spawns: [] };
    for (const [mx, my] of [[127, 0], [127, 127], [127, -60], [127, 20]] as const) {
      const body = run({ x: 300, y: 700 }, mx, my, 300, thin);
      expect(body.x).toBeLessThanOrEqual(500 - PLAYER_RADIUS);
    }
    // Every wall of the real map, approached from every side at full speed, is never entered.
    for (const wall of ARENA_MAP.walls) {
      const cx = wall.x + wall.w / 2;
      const cy = wall.y + wall.h / 2;
      for (let a = 0; a < 16; a++) {
        const angle = (a / 16) * Math.PI * 2;
        const from = { x: cx - Math.cos(angle) * 200, y: cy - Math.sin(angle) * 200 };
        if (ARENA_MAP.walls.some((w) => circleOverlapsRect(from.x, from.y, PLAYER_RADIUS, w))) continue;
        const body = { ...from };
        const mx = Math.round(Math.cos(angle) * 127);
        const my = Math.round(Math.sin(angle) * 127);
        let entered = false;
        for (let i = 0; i < 90; i++) {
          applyMove(body, mx, my, rules.dt, ARENA_MAP);
          entered ||= ARENA_MAP.walls.some((w) => circleOverlapsRect(body.x, body.y, PLAYER_RADIUS, w));
        }
        expect(entered, `wall ${JSON.stringify(wall)} entered from angle ${angle}`).toBe(false);
      }
    }
  });

  it("slides along a wall instead of stopping", () => {
    const wall: ArenaMap = { ...ARENA_MAP, walls: [{ x: 500, y: 0, w: 100, h: 1400 }], spawns: [] };
    const body = run({ x: 500 - PLAYER_RADIUS, y: 700 }, 127, 127, 30, wall);
    expect(body.x).toBeLessThanOrEqual(500 - PLAYER_RADIUS);
    expect(body.y - 700).toBeGreaterThan(PLAYER_SPEED * 0.6);
  });

  it("stays inside the arena bounds", () => {
    const body = run({ x: 120, y: 120 }, -127, -127, 120);
    expect(body.x).toBeGreaterThanOrEqual(PLAYER_RADIUS);
    expect(body.y).toBeGreaterThanOrEqual(PLAYER_RADIUS);
  });

  it("has no spawn point inside a wall", () => {
    for (const s of ARENA_MAP.spawns) {
      for (const w of ARENA_MAP.walls) expect(circleOverlapsRect(s.x, s.y, PLAYER_RADIUS, w)).toBe(false);
    }
  });
});

describe("position encoding", () => {
  it("fits the map inside the 16-bit position range, so grid positions travel exactly", () => {
    expect(ARENA_MAP.width).toBeLessThan(POSITION_RANGE);
    expect(ARENA_MAP.height).toBeLessThan(POSITION_RANGE);
    const p = new Player();
    for (const v of [0, 1 / 32, 18.40625, 1234.5, ARENA_MAP.width - 1 / 32]) {
      p.x = v;
      expect(p.x).toBe(v);
    }
  });
});
