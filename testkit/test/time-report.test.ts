import { describe, expect, it } from "vitest";
import { errorHead, mergeReports, summaryLines, type TimeReport } from "../src/timeReport.ts";

const report = (startedAt: string, totalMs: number, project: string, files: [string, number][]): TimeReport => ({
  startedAt,
  totalMs,
  projects: [{ project, files: files.length, wallMs: totalMs, fileMs: files.reduce((a, [, ms]) => a + ms, 0) }],
  files: files.map(([file, durationMs]) => ({ file, project, durationMs, tests: 1, status: "passed" })),
  failures: [],
});

describe("time reports of vitest runs made side by side (npm test's cluster and e2e)", () => {
  it("merge into one: every file slowest first, every project, and the total from the first start to the last end", () => {
    const inProcess = report("2026-01-01T00:00:00.000Z", 60_000, "server", [["a.test.ts", 5_000]]);
    const cluster = report("2026-01-01T00:01:00.000Z", 300_000, "cluster", [["b.test.ts", 70_000], ["c.test.ts", 1_000]]);
    const e2e = report("2026-01-01T00:01:00.500Z", 250_000, "e2e", [["d.test.ts", 40_000]]);
    const merged = mergeReports([inProcess, cluster, e2e]);
    expect(merged.startedAt).toBe("2026-01-01T00:00:00.000Z");
    expect(merged.totalMs).toBe(360_000);
    expect(merged.files.map((f) => f.file)).toEqual(["b.test.ts", "d.test.ts", "a.test.ts", "c.test.ts"]);
    expect(merged.projects.map((p) => p.project)).toEqual(["server", "cluster", "e2e"]);
  });

  it("prints the five slowest files, each project's wall time and the total", () => {
    const files: [string, number][] = [1, 2, 3, 4, 5, 6].map((i) => [`f${i}.test.ts`, i * 1000]);
    const lines = summaryLines(mergeReports([report("2026-01-01T00:00:00.000Z", 30_000, "unit", files)]), "out.json");
    expect(lines.filter((l) => l.includes(".test.ts"))).toHaveLength(5);
    expect(lines[2]).toContain("6.0 s");
    expect(lines.at(-2)).toBe("Projects: unit 30.0 s (6 files)");
    expect(lines.at(-1)).toBe("Total 30.0 s; per-file times in out.json");
  });

  it("names every failed test last, with its error's first lines, so the tail of a CI log says what failed", () => {
    const cluster = report("2026-01-01T00:00:00.000Z", 10_000, "cluster", [["b.test.ts", 5_000]]);
    const e2e = {
      ...report("2026-01-01T00:00:00.000Z", 20_000, "e2e", [["d.test.ts", 9_000]]),
      failures: [{ file: "d.test.ts", project: "e2e", test: "lobby > shows the room", error: errorHead("expected 1 to be 2\n\n- Expected\n+ Received\nmore") }],
    };
    const lines = summaryLines(mergeReports([cluster, e2e]), "out.json");
    expect(lines.slice(-3)).toEqual(["Failed (1):", "  [e2e] d.test.ts > lobby > shows the room", "      expected 1 to be 2 | - Expected | + Received"]);
    expect(errorHead("x".repeat(1000))).toHaveLength(400);
    expect(summaryLines(cluster, "out.json").some((l) => l.startsWith("Failed"))).toBe(false);
  });
});
