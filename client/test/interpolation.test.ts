import { describe, expect, it } from "vitest";
import { seededRandom } from "@arena/testkit/remote";
import { InterpolationBuffer, JitterEstimator, interpolationDelay } from "../src/net/interpolation.ts";

describe("interpolation buffer", () => {
  it("interpolates between the samples around a time and holds at the ends", () => {
    const b = new InterpolationBuffer();
    b.push(100, 0, 0);
    b.push(150, 10, 20);
    b.push(200, 20, 20);
    const out = { x: 0, y: 0 };
    expect(b.sample(125, out)).toEqual({ x: 5, y: 10 });
    expect(b.sample(175, out)).toEqual({ x: 15, y: 20 });
    expect(b.sample(50, out)).toEqual({ x: 0, y: 0 });
    expect(b.sample(999, out)).toEqual({ x: 20, y: 20 });
  });

  it("ignores samples older than the newest and keeps a bounded history", () => {
    const b = new InterpolationBuffer(4);
    for (let t = 0; t < 10; t++) b.push(t * 50, t, t);
    b.push(100, 999, 999);
    expect(b.size).toBe(4);
    expect(b.sample(425, { x: 0, y: 0 })).toEqual({ x: 8.5, y: 8.5 });
  });
});

describe("adaptive delay", () => {
  it("measures no jitter on a steady link, whatever its latency", () => {
    const j = new JitterEstimator();
    for (let i = 0; i < 100; i++) j.observe(i * 50 + 150, i * 50);
    expect(j.jitterMs).toBe(0);
    expect(interpolationDelay(50, j.jitterMs, 250)).toBe(55);
  });

  it("grows with jitter and stays within its bounds", () => {
    const j = new JitterEstimator();
    const rand = seededRandom(7);
    for (let i = 0; i < 500; i++) j.observe(i * 50 + 150 + rand() * 60, i * 50);
    expect(j.jitterMs).toBeGreaterThan(8);
    expect(j.jitterMs).toBeLessThan(30);
    const d = interpolationDelay(50, j.jitterMs, 250);
    expect(d).toBeGreaterThan(62);
    expect(interpolationDelay(50, 1000, 250)).toBe(250);
    expect(interpolationDelay(50, 0, 20)).toBe(50);
  });

  /** Patch arrivals over a link adding 0–`jitterMs` at random, and a retransmission delay to `lossPct` of them (as impairment.ts does). */
  function delayOver(jitterMs: number, lossPct: number): number {
    const j = new JitterEstimator();
    let seed = 11;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    let lastArrival = 0;
    const delays: number[] = [];
    for (let i = 0; i < 2000; i++) {
      let arrival = i * 50 + 25 + rand() * jitterMs + (rand() * 100 < lossPct ? 200 : 0);
      arrival = Math.max(arrival, lastArrival); // the ordered stream: nothing overtakes a late patch
      lastArrival = arrival;
      j.observe(arrival, i * 50);
      if (i > 200) delays.push(interpolationDelay(50, j.jitterMs, 200));
    }
    return delays.reduce((a, b) => a + b, 0) / delays.length;
  }

  it("stays at or under 75 ms with 30 ms of jitter and no loss", () => {
    expect(delayOver(30, 0)).toBeLessThanOrEqual(75);
    expect(delayOver(10, 0)).toBeLessThan(delayOver(30, 0));
  });

  it("still rises when loss stalls the stream", () => {
    expect(delayOver(30, 2)).toBeGreaterThan(delayOver(30, 0) + 10);
    expect(delayOver(30, 5)).toBeGreaterThan(delayOver(30, 2));
  });
});
