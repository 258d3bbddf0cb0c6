/**
 * How busy the machine's cores were over a stretch of time, from Linux's /proc/stat: `npm test` prints it for each of
 * its phases (runTiers.ts), which tells a phase that waits (on timers, processes, Redis) from one that the cores
 * limit, where only less work makes it shorter.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** The machine's CPU time since boot, in clock ticks (USER_HZ), all cores added up. */
export interface CpuTimes {
  /** Ticks spent running something: user, nice, system, irq, softirq and steal. */
  readonly busy: number;
  /** Busy ticks plus idle and iowait. */
  readonly total: number;
}

/**
 * The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal [guest guest_nice]. Guest
 * time is already counted in user and nice, so it is left out. Undefined for text without that line.
 */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split("\n").find((l) => /^cpu\s/.test(l));
  if (line === undefined) return undefined;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (ticks.length < 4 || ticks.some((t) => !Number.isFinite(t))) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = ticks;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Now's times, or undefined where there is no /proc/stat (not Linux). */
export function readCpuTimes(): CpuTimes | undefined {
  try {
    return parseProcStat(readFileSync("/proc/stat", "utf8"));
  } catch {
    return undefined;
  }
}

/** Cores busy on average between two readings (0 to `cores`), or undefined if no time passed. */
export function coresBusy(before: CpuTimes, after: CpuTimes, cores = availableParallelism()): number | undefined {
  const total = after.total - before.total;
  if (total <= 0) return undefined;
  return ((after.busy - before.busy) / total) * cores;
}
