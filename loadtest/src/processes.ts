/** Server processes for the benchmark: start one, wait for its "listening" line, read its CPU and memory, stop it. */
import { readFileSync } from "node:fs";

export type { ServerProcess } from "../../server/bench/process.ts";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

export interface ProcessSample {
  /** User + system CPU seconds so far. */
  cpuSeconds: number;
  rssBytes: number;
  at: number;
}

/** CPU time and resident memory of a process, from /proc (Linux). */
export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { cpuSeconds: (utime + stime) / CLK_TCK, rssBytes: rssKb * 1024, at: performance.now() };
}

export { startProcess } from "../../server/bench/process.ts";
