import { describe, expect, it } from "vitest";
import { MOVE_SCALE } from "@arena/shared";
import { DEAD_ZONE_PX, STICK_RADIUS_PX, aimFromStick, moveFromStick } from "../src/input/sticks.ts";

describe("twin sticks", () => {
  it("moves in proportion to the push, full speed at the rim and beyond, nothing inside the dead zone", () => {
    expect(moveFromStick(DEAD_ZONE_PX - 1, 0)).toEqual({ mx: 0, my: 0 });
    expect(moveFromStick(STICK_RADIUS_PX / 2, 0)).toEqual({ mx: Math.round(MOVE_SCALE / 2), my: 0 });
    expect(moveFromStick(0, -3 * STICK_RADIUS_PX)).toEqual({ mx: 0, my: -MOVE_SCALE });
    const diag = moveFromStick(STICK_RADIUS_PX, STICK_RADIUS_PX);
    expect(Math.hypot(diag.mx, diag.my)).toBeCloseTo(MOVE_SCALE, 0);
  });

  it("aims where the right stick points and fires while it is pushed; at rest it keeps the aim and holds fire", () => {
    expect(aimFromStick(0, -40, 0)).toEqual({ aim: -Math.PI / 2, fire: true });
    expect(aimFromStick(2, 2, 1.25)).toEqual({ aim: 1.25, fire: false });
  });
});
