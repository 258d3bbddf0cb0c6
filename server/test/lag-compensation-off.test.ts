import { describe, expect, it } from "vitest";
import { expectRewindOf, shootMovingTarget } from "./lag-compensation.scenario.ts";

describe("lag compensation off (control)", () => {
  it("misses the same shot, because the target has moved on", async () => {
    const outcome = await shootMovingTarget(false);
    expectRewindOf(outcome, false);
    expect(outcome.hit).toBe(false);
  });
});
