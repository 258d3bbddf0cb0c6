import { describe, expect, it } from "vitest";
import { expectRewindOf, shootMovingTarget } from "./lag-compensation.scenario.ts";

describe("lag compensation on", () => {
  it("counts a hit where the shooter saw the target, 240 ms in the past", async () => {
    const outcome = await shootMovingTarget(true);
    expectRewindOf(outcome, true);
    expect(outcome.hit).toBe(true);
  });
});
