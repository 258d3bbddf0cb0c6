/** The hot path's histogram (server/src/countingHistogram.ts): the same text at scrape time as prom-client's own for the same values. */
import { describe, expect, it } from "vitest";
import { Histogram, Registry } from "prom-client";
import { CountingHistogram } from "../src/countingHistogram.ts";

describe("CountingHistogram", () => {
  it("scrapes as prom-client's Histogram does for the same observations (bounds, +Inf, sum, count), and resets", async () => {
    const buckets = [0.0005, 0.001, 0.02, 16, 64, 1024];
    const ours = new Registry();
    const theirs = new Registry();
    const a = new CountingHistogram("x_size", "Sizes.", buckets, [ours]);
    const b = new Histogram({ name: "x_size", help: "Sizes.", buckets, registers: [theirs] });
    // On the bounds, between them, under the first and over the last.
    for (const v of [0, 0.0005, 0.0007, 0.001, 0.5, 16, 16.5, 64, 100, 1024, 1025, 99999, 3, 3, 3]) {
      a.observe(v);
      b.observe(v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    ours.resetMetrics();
    theirs.resetMetrics();
    a.observe(20);
    b.observe(20);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
