/**
 * CPU time of each thread of a process, from /proc (Linux): the event loop's thread (its id is the
 * process id) apart from V8's helpers (GC, compiler), libuv's pool and the inspector, which a
 * sampling profile of the main thread does not see.
 */
import { readFileSync, readdirSync } from "node:fs";

/** Clock ticks per second of /proc times (USER_HZ). */
const CLK_TCK = 100;

/** CPU seconds by thread name; the event loop's thread is "main". */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      continue; // the thread ended
    }
    const name = tid === String(pid) ? "main" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).replace(/\d+$/, "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const seconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    out.set(name, (out.get(name) ?? 0) + seconds);
  }
  return out;
}

/** CPU seconds each thread name used between two readings. */
export function threadCpuBetween(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, s] of b) out.set(name, s - (a.get(name) ?? 0));
  return out;
}
