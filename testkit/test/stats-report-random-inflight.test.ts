/** The harness's own arithmetic: quantiles, report sections replaced in place, the seeded PRNG. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inFlight, mean, quantile, seededBytes, seededRandom, writeSection } from "../src/remote.ts";

describe("quantile", () => {
  it("takes the nearest rank, whatever the order, and NaN when empty", () => {
    const v = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(quantile(v, 0.5)).toBe(5);
    expect(quantile(v, 0.9)).toBe(9);
    expect(quantile(v, 0.99)).toBe(10);
    expect(quantile(v, 0)).toBe(1);
    expect(quantile([], 0.5)).toBeNaN();
    expect(mean([1, 2, 3, 6])).toBe(3);
  });
});

describe("writeSection", () => {
  it("replaces its own section and keeps the rest of the file, or appends when missing", () => {
    const file = join(mkdtempSync(join(tmpdir(), "testkit-")), "BENCH.md");
    writeFileSync(file, "# Benchmarks\n\nintro\n\n<!-- a:start -->\nold a\n<!-- a:end -->\n\noutro\n");
    writeSection("a", "new a", file);
    writeSection("b", "first b", file);
    writeSection("b", "second b", file);
    expect(readFileSync(file, "utf8")).toBe("# Benchmarks\n\nintro\n\n<!-- a:start -->\nnew a\n<!-- a:end -->\n\noutro\n\n<!-- b:start -->\nsecond b\n<!-- b:end -->\n");
  });
});

describe("seededRandom", () => {
  it("repeats a sequence for a seed, differs between seeds, and stays in [0, 1)", () => {
    const a = Array.from({ length: 1000 }, seededRandom(42));
    expect(Array.from({ length: 1000 }, seededRandom(42))).toEqual(a);
    expect(Array.from({ length: 1000 }, seededRandom(43))).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mean(a)).toBeGreaterThan(0.45);
    expect(mean(a)).toBeLessThan(0.55);
    expect(seededBytes(7, 16)).toEqual(seededBytes(7, 16));
  });
});

describe("inFlight", () => {
  it("runs every job once, never more than the limit at a time, and the limit at once when there is work", async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await inFlight(25, 4, async (i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 1 + (i % 3)));
      seen.push(i);
      running--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(most).toBe(4);
  });
});
