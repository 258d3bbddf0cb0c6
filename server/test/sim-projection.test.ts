/**
 * sim:cluster's projection to the plan's rates (simProjection.ts): two runs of one cluster at lower paces, each figure
 * on the straight line through them, read at pace 1.
 */
import { describe, expect, it } from "vitest";
import type { SimResult } from "../bench/simCluster.ts";
import { projectedRun } from "../bench/simProjection.ts";

const work = (n: number) => ({ joins: n, credits: 2 * n, scopeReads: 3 * n, beats: 10, quickPlayReads: n, lobbyNotices: 4 * n, lobbyReads: 5, errors: 0 });

/** A run whose every rate is a process's fixed part plus a part proportional to the pace. */
function run(pace: number, over: Partial<SimResult> = {}): SimResult {
  return {
    processes: 170, players: 100_000, cluster: false, pace, seconds: 20, loadBefore: 1, loadAfter: 2,
    commandsPerSecond: 6_000 + 80_000 * pace,
    // hmget: 100/s fixed at 10 µs (the capped feed reads) plus 1,000/s × pace at 30 µs.
    byCommand: new Map([["hmget", { perSecond: 100 + 1_000 * pace, usecPerCall: (100 * 10 + 1_000 * pace * 30) / (100 + 1_000 * pace) }], ["zadd", { perSecond: 170, usecPerCall: 5 }]]),
    redisCpuPercent: 4 + 40 * pace, bytesInPerSecond: 1e6 + 4e6 * pace, bytesOutPerSecond: 2e6 + 20e6 * pace,
    nodes: [{ port: 1, commandsPerSecond: 6_000 + 80_000 * pace, cpuPercent: 4 + 40 * pace, bytesInPerSecond: 1e6 + 4e6 * pace, bytesOutPerSecond: 2e6 + 20e6 * pace, usedMemoryMb: 300 }],
    standInCpuPercent: 0.2 + pace, perSecond: work(333 * pace), asked: { joins: 333 * pace, credits: 666 * pace, scopeReads: 999 * pace, beats: 170 },
    workDone: 0.99, usedMemoryMb: 300, setupSeconds: 12, errors: 0,
    ...over,
  };
}

describe("sim:cluster's projection to the plan's rates", () => {
  it("reads every rate at pace 1 on the line through two runs at lower paces, whichever comes first", () => {
    for (const [a, b] of [[run(0.25), run(0.5)], [run(0.5), run(0.25)]] as const) {
      const p = projectedRun(a, b);
      expect(p.pace).toBe(1);
      expect(p.projectedFrom).toEqual([0.25, 0.5]);
      expect(p.commandsPerSecond).toBeCloseTo(86_000, 6);
      expect(p.redisCpuPercent).toBeCloseTo(44, 6);
      expect(p.bytesOutPerSecond).toBeCloseTo(22e6, 0);
      expect(p.nodes[0]!.cpuPercent).toBeCloseTo(44, 6);
      expect(p.perSecond.joins).toBeCloseTo(333, 6);
      expect(p.asked.credits).toBeCloseTo(666, 6);
      expect(p.perSecond.beats).toBe(10);
      // A command's Redis time per call follows its time a second: 100 at 10 µs and 1,000 at 30 µs.
      expect(p.byCommand.get("hmget")!.perSecond).toBeCloseTo(1_100, 6);
      expect(p.byCommand.get("hmget")!.usecPerCall).toBeCloseTo((100 * 10 + 1_000 * 30) / 1_100, 6);
      expect(p.byCommand.get("zadd")).toEqual({ perSecond: 170, usecPerCall: 5 });
    }
  });

  it("stands on the lesser of the two runs' work done, and never projects a rate below zero", () => {
    const p = projectedRun(run(0.25, { workDone: 0.97, standInCpuPercent: 2 }), run(0.5, { workDone: 0.99, standInCpuPercent: 1 }));
    expect(p.workDone).toBe(0.97);
    expect(p.standInCpuPercent).toBe(0);
  });

  it("refuses runs of different clusters, one pace twice, or a run at the plan's pace", () => {
    expect(() => projectedRun(run(0.25), run(0.5, { processes: 85 }))).toThrow(/same cluster/);
    expect(() => projectedRun(run(0.25), run(0.5, { cluster: true }))).toThrow(/same cluster/);
    expect(() => projectedRun(run(0.5), run(0.5))).toThrow(/two paces below 1/);
    expect(() => projectedRun(run(0.5), run(1))).toThrow(/two paces below 1/);
  });
});
