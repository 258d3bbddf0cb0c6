import { describe, expect, it } from "vitest";
import { MOVE_SCALE, PLAYER_SPEED, applyMove, createRules, ARENA_MAP } from "@arena/shared";
import { aimAt, moveFromKeys } from "../src/input/keys.ts";

describe("input sampling", () => {
  it("maps WASD and arrows to move components; opposite keys cancel", () => {
    expect(moveFromKeys(new Set(["KeyD"]))).toEqual({ mx: MOVE_SCALE, my: 0 });
    expect(moveFromKeys(new Set(["ArrowUp", "ArrowLeft"]))).toEqual({ mx: -MOVE_SCALE, my: -MOVE_SCALE });
    expect(moveFromKeys(new Set(["KeyA", "KeyD", "KeyS"]))).toEqual({ mx: 0, my: MOVE_SCALE });
    expect(moveFromKeys(new Set())).toEqual({ mx: 0, my: 0 });
  });

  it("gives diagonals the same speed as straight lines through the shared step", () => {
    const rules = createRules(30);
    const run = (keys: string[]) => {
      const body = { x: 120, y: 120 };
      const { mx, my } = moveFromKeys(new Set(keys));
      for (let i = 0; i < 30; i++) applyMove(body, mx, my, rules.dt, ARENA_MAP);
      return Math.hypot(body.x - 120, body.y - 120);
    };
    expect(run(["KeyD", "KeyS"])).toBeLessThanOrEqual(PLAYER_SPEED);
    expect(Math.abs(run(["KeyD", "KeyS"]) - run(["KeyD"])) / PLAYER_SPEED).toBeLessThan(0.01);
  });

  it("aims from the player to the pointer, keeping the last aim when they coincide", () => {
    expect(aimAt(0, 0, 10, 0, 1)).toBe(0);
    expect(aimAt(0, 0, 0, 10, 1)).toBeCloseTo(Math.PI / 2);
    expect(aimAt(5, 5, 5, 5, 1.25)).toBe(1.25);
  });
});
