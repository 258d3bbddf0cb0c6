import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { coresBusy, parseProcStat, readCpuTimes } from "../src/machineCpu.ts";

describe("the machine's busy cores over a phase of npm test (/proc/stat)", () => {
  it("counts user, nice, system, irq, softirq and steal as busy, idle and iowait as not, and guest time once", () => {
    const text = [
      "cpu  100 5 40 800 20 3 2 1 50 7",
      "cpu0 50 2 20 400 10 1 1 0 25 3",
      "intr 12345",
    ].join("\n");
    expect(parseProcStat(text)).toEqual({ busy: 151, total: 971 });
  });

  it("refuses text without the aggregate cpu line", () => {
    expect(parseProcStat("cpu0 1 2 3 4\nintr 5")).toBeUndefined();
    expect(parseProcStat("cpu  a b c d")).toBeUndefined();
  });

  it("averages the cores busy between two readings", () => {
    // Two cores over 100 ticks each (200 in all), 150 of them busy: 1.5 cores.
    expect(coresBusy({ busy: 1000, total: 4000 }, { busy: 1150, total: 4200 }, 2)).toBeCloseTo(1.5, 10);
    expect(coresBusy({ busy: 1000, total: 4000 }, { busy: 1000, total: 4000 }, 2)).toBeUndefined();
  });

  it.runIf(existsSync("/proc/stat"))("sees this process keep a core busy", () => {
    const before = readCpuTimes()!;
    const until = Date.now() + 300;
    let spin = 0;
    while (Date.now() < until) spin += 1;
    const after = readCpuTimes()!;
    expect(spin).toBeGreaterThan(0);
    // At least most of one core, whatever else runs, and never more than the machine has.
    const busy = coresBusy(before, after)!;
    expect(busy).toBeGreaterThan(0.8);
    expect(busy).toBeLessThanOrEqual(availableParallelism());
  });
});
