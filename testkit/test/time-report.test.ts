import { describe, expect, it } from "vitest";
import { summaryLines, type TimeReport } from "../src/timeReport.ts";

const report = (startedAt: string, totalMs: number, project: string, files: [string, number][]): TimeReport => ({
  startedAt,
  totalMs,
  projects: [{ project, files: files.length, wallMs: totalMs, fileMs: files.reduce((a, [, ms]) => a + ms, 0) }],
  files: files.map(([file, durationMs]) => ({ file, project, durationMs, tests: 1, status: "passed" })),
});

describe("the time report", () => {
  it("prints the five slowest files, each project's wall time and the total", () => {
    const files: [string, number][] = [1, 2, 3, 4, 5, 6].map((i) => [`f${i}.test.ts`, i * 1000]);
    const lines = summaryLines(report("2026-01-01T00:00:00.000Z", 30_000, "unit", files.slice().reverse()), "out.json");
    expect(lines.filter((l) => l.includes(".test.ts"))).toHaveLength(5);
    expect(lines[2]).toContain("6.0 s");
    expect(lines.at(-2)).toBe("Projects: unit 30.0 s (6 files)");
    expect(lines.at(-1)).toBe("Total 30.0 s; per-file times in out.json");
  });
});
