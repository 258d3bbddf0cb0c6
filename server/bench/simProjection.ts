/**
 * `npm run sim:cluster`'s projection: the plan's rates drawn from two runs at lower paces (`--pace`), for a cluster
 * whose stand-ins cannot keep the plan's rates on this machine (simCluster.ts). `--table a.json+b.json` prints it.
 */
import type { SimResult } from "./simCluster.ts";

/**
 * The plan's rates (pace 1) drawn from two runs of one cluster (same players, processes and Redis) at lower paces,
 * where the stand-ins keep up: each rate measured (commands, Redis CPU, bytes, work) taken as a straight line in the
 * pace through the two, read at 1. A process's own work (heartbeats, status) is the same at every pace, and its
 * capped re-reads (the leaderboard's, ≤ 5 a second, and the lobby feed's, ≤ 10) must be at their caps in both runs
 * (enough events at the lower pace), or the line overshoots them; Redis' CPU per command falls as it gets busier
 * (more commands per read of its sockets), so the line overstates it. Both checked against a run at pace 1 where
 * one fits on this machine (docs/BENCHMARKS.md).
 */
export function projectedRun(a: SimResult, b: SimResult): SimResult {
  if (a.players !== b.players || a.processes !== b.processes || a.cluster !== b.cluster) throw new Error("a projection needs two runs of the same cluster");
  const [lo, hi] = a.pace < b.pace ? [a, b] : [b, a];
  if (lo.pace === hi.pace || hi.pace >= 1) throw new Error(`a projection needs two paces below 1, got ${lo.pace} and ${hi.pace}`);
  const t = (1 - hi.pace) / (hi.pace - lo.pace);
  const at1 = (l: number, h: number): number => Math.max(0, h + (h - l) * t);
  const work = <W extends object>(l: W, h: W): W => Object.fromEntries(Object.keys(h).map((key) => [key, at1(l[key as keyof W] as number, h[key as keyof W] as number)])) as W;
  const byCommand = new Map<string, { perSecond: number; usecPerCall: number }>();
  for (const c of new Set([...lo.byCommand.keys(), ...hi.byCommand.keys()])) {
    const [l, h] = [lo.byCommand.get(c) ?? { perSecond: 0, usecPerCall: 0 }, hi.byCommand.get(c) ?? { perSecond: 0, usecPerCall: 0 }];
    const perSecond = at1(l.perSecond, h.perSecond);
    // Redis' time in the command, a second, on the same line: its time per call follows.
    const usec = at1(l.perSecond * l.usecPerCall, h.perSecond * h.usecPerCall);
    if (perSecond > 0) byCommand.set(c, { perSecond, usecPerCall: usec / perSecond });
  }
  const perSecond = work(lo.perSecond, hi.perSecond);
  const asked = work(lo.asked, hi.asked);
  return {
    ...hi,
    pace: 1,
    projectedFrom: [lo.pace, hi.pace],
    loadBefore: lo.loadBefore,
    loadAfter: hi.loadAfter,
    commandsPerSecond: at1(lo.commandsPerSecond, hi.commandsPerSecond),
    byCommand,
    redisCpuPercent: at1(lo.redisCpuPercent, hi.redisCpuPercent),
    bytesInPerSecond: at1(lo.bytesInPerSecond, hi.bytesInPerSecond),
    bytesOutPerSecond: at1(lo.bytesOutPerSecond, hi.bytesOutPerSecond),
    nodes: hi.nodes.map((h, i) => {
      const l = lo.nodes[i]!;
      return { port: h.port, commandsPerSecond: at1(l.commandsPerSecond, h.commandsPerSecond), cpuPercent: at1(l.cpuPercent, h.cpuPercent), bytesInPerSecond: at1(l.bytesInPerSecond, h.bytesInPerSecond), bytesOutPerSecond: at1(l.bytesOutPerSecond, h.bytesOutPerSecond), usedMemoryMb: h.usedMemoryMb };
    }),
    standInCpuPercent: at1(lo.standInCpuPercent, hi.standInCpuPercent),
    perSecond,
    asked,
    // What the projection stands on: the least the two runs did of what they were asked.
    workDone: Math.min(lo.workDone, hi.workDone),
    setupSeconds: Math.max(lo.setupSeconds, hi.setupSeconds),
    errors: lo.errors + hi.errors,
  };
}
