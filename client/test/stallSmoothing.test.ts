import { describe, expect, it } from "vitest";
import { PLAYER_RADIUS, PLAYER_SPEED } from "@arena/shared";
import { InterpolationBuffer } from "../src/net/interpolation.ts";
import { CARRY_LIMIT_MS, EXTRAPOLATE_MS, StallSmoother, carriedMs } from "../src/net/stallSmoothing.ts";

/** A player running right at full speed, one state every 50 ms up to `untilMs`. */
function running(untilMs: number): InterpolationBuffer {
  const b = new InterpolationBuffer();
  for (let t = 0; t <= untilMs; t += 50) b.push(t, (PLAYER_SPEED * t) / 1000, 0);
  return b;
}

describe("stall smoothing", () => {
  it("carries a player on at full speed past the newest state, then slower and slower, never past the carry limit", () => {
    const b = running(500);
    const out = { x: 0, y: 0 };
    const drawnAt = (t: number): number => b.sample(500 + carriedMs(t - 500), out, CARRY_LIMIT_MS).x;
    expect(drawnAt(550)).toBeCloseTo(PLAYER_SPEED * 0.55, 6);
    expect(drawnAt(500 + EXTRAPOLATE_MS)).toBeCloseTo((PLAYER_SPEED * (500 + EXTRAPOLATE_MS)) / 1000, 6);
    // Past that it still moves every frame of a long stall (no frozen frame), slower each frame.
    let last = drawnAt(500 + EXTRAPOLATE_MS);
    let lastStep = Infinity;
    for (let t = 500 + EXTRAPOLATE_MS + 1000 / 60; t < 1500; t += 1000 / 60) {
      const step = drawnAt(t) - last;
      expect(step).toBeGreaterThan(0.01);
      expect(step).toBeLessThan(lastStep);
      lastStep = step;
      last = drawnAt(t);
    }
    expect(last).toBeLessThan((PLAYER_SPEED * (500 + CARRY_LIMIT_MS)) / 1000);
    // Without extrapolation (the old "held" behaviour) it froze at the newest state.
    expect(b.sample(550, out).x).toBe(PLAYER_SPEED * 0.5);
  });

  it("draws a player through a 375 ms stall without a frozen frame, and eases back without a jump over a body width", () => {
    // The stream stalls from 500 ms to 875 ms (a lost packet at 250 ms RTT); meanwhile the player turned back at 550 ms.
    const b = new InterpolationBuffer();
    const xAt = (t: number): number => (t <= 550 ? PLAYER_SPEED * t : PLAYER_SPEED * (1100 - t)) / 1000;
    const smoother = new StallSmoother();
    const out = { x: 0, y: 0 };
    let last = NaN;
    let frozen = 0;
    let maxStep = 0;
    const delay = 70;
    let now = 100;
    for (; now <= 1700; now += 1000 / 60) {
      // Patches up to 500 arrive on time; those from 550 to 875 all arrive at 875 + 25 (behind the lost one).
      for (let t = 0; t <= now - 25; t += 50) if (t <= 500 || now >= 900) b.push(t, xAt(t), 0);
      const renderAt = now - 25 - delay;
      const newest = b.newestTime;
      const shown = renderAt > newest ? newest + carriedMs(renderAt - newest) : renderAt;
      const drawn = smoother.draw(b.sample(shown, { x: 0, y: 0 }, CARRY_LIMIT_MS), now, out).x;
      if (!Number.isNaN(last)) {
        if (Math.abs(drawn - last) < 0.01) frozen++;
        maxStep = Math.max(maxStep, Math.abs(drawn - last));
      }
      last = drawn;
    }
    now -= 1000 / 60;
    expect(maxStep).toBeLessThan(2 * PLAYER_RADIUS);
    // The turn itself (and the ease back) may stop it for a frame or two; the stall does not.
    expect(frozen).toBeLessThan(3);
    // Eased back: where the player truly is at the end.
    expect(last).toBeCloseTo(xAt(now - 25 - delay), 0);
  });

  it("shows a respawn (a jump of 500 units) at once", () => {
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
