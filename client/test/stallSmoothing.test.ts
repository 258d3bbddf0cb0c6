import { describe, expect, it } from "vitest";
import { PLAYER_RADIUS, PLAYER_SPEED } from "@arena/shared";
import { InterpolationBuffer } from "../src/net/interpolation.ts";
import { EXTRAPOLATE_MS, StallSmoother } from "../src/net/stallSmoothing.ts";

/** A player running right at full speed, one state every 50 ms up to `untilMs`. */
function running(untilMs: number): InterpolationBuffer {
  const b = new InterpolationBuffer();
  for (let t = 0; t <= untilMs; t += 50) b.push(t, (PLAYER_SPEED * t) / 1000, 0);
  return b;
}

describe("stall smoothing", () => {
  it("carries a player on at its last velocity past the newest state, for a bounded time, then holds", () => {
    const b = running(500);
    const out = { x: 0, y: 0 };
    expect(b.sample(550, out, EXTRAPOLATE_MS).x).toBeCloseTo(PLAYER_SPEED * 0.55, 6);
    const held = b.sample(500 + EXTRAPOLATE_MS, { x: 0, y: 0 }, EXTRAPOLATE_MS).x;
    expect(b.sample(900, out, EXTRAPOLATE_MS).x).toBe(held);
    // Without extrapolation (the old behaviour) it froze at the newest state.
    expect(b.sample(550, out).x).toBe(PLAYER_SPEED * 0.5);
  });

  it("draws a player through a 300 ms stall without freezing, and eases back without a jump over a body width", () => {
    // The stream stalls from 500 ms to 800 ms (a lost packet); meanwhile the player turned back at 550 ms.
    const b = new InterpolationBuffer();
    const xAt = (t: number): number => (t <= 550 ? PLAYER_SPEED * t : PLAYER_SPEED * (1100 - t)) / 1000;
    const smoother = new StallSmoother();
    const out = { x: 0, y: 0 };
    let last = NaN;
    let frozen = 0;
    let maxStep = 0;
    const delay = 70;
    let now = 100;
    for (; now <= 1400; now += 1000 / 60) {
      // Patches up to 500 arrive on time; those from 550 to 800 all arrive at 800 + 25 (behind the lost one).
      for (let t = 0; t <= now - 25; t += 50) if (t <= 500 || now >= 825) b.push(t, xAt(t), 0);
      const drawn = smoother.draw(b.sample(now - 25 - delay, { x: 0, y: 0 }, EXTRAPOLATE_MS), now, out).x;
      if (!Number.isNaN(last)) {
        if (Math.abs(drawn - last) < 1e-9) frozen++;
        maxStep = Math.max(maxStep, Math.abs(drawn - last));
      }
      last = drawn;
    }
    now -= 1000 / 60;
    expect(maxStep).toBeLessThan(2 * PLAYER_RADIUS);
    // Held for a while after the extrapolation runs out, but far less than the stall.
    expect(frozen).toBeLessThan(10);
    // Eased back: where the player truly is at the end.
    expect(last).toBeCloseTo(xAt(now - 25 - delay), 0);
  });

  it("shows a respawn (a jump over 100 units) at once", () => {
    const s = new StallSmoother();
    const out = { x: 0, y: 0 };
    s.draw({ x: 0, y: 0 }, 0, out);
    expect(s.draw({ x: 500, y: 0 }, 16, out).x).toBe(500);
  });

  it("answers the same within a frame, so a second caller (a hit check) does not read motion as a jump", () => {
    const s = new StallSmoother();
    const out = { x: 0, y: 0 };
    s.draw({ x: 0, y: 0 }, 0, out);
    expect(s.draw({ x: 3.6, y: 0 }, 16, out).x).toBeCloseTo(3.6, 9);
    expect(s.draw({ x: 3.6, y: 0 }, 16.5, out).x).toBeCloseTo(3.6, 9);
    expect(s.draw({ x: 7.2, y: 0 }, 33, out).x).toBeCloseTo(7.2, 9);
  });
});
