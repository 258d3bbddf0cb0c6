/**
 * How long this process's main thread, the event loop, has waited for a CPU
 * while runnable (Linux schedstat's run_delay). On a busy machine that is time
 * in which no timer could fire however healthy the loop: a room's fixed step
 * loses steps after such a wait as after a stall of its own, and the difference
 * tells a slow machine from slow code.
 */
import { readFileSync } from "node:fs";

/** Seconds the main thread waited for a CPU since the process started; 0 where /proc/<pid>/schedstat is missing. */
export function mainThreadRunDelaySeconds(): number {
  try {
    // "<time on cpu ns> <time waiting on a runqueue ns> <timeslices>" of the thread whose id is the process id.
    const waited = Number(readFileSync(`/proc/${process.pid}/schedstat`, "utf8").split(" ")[1]);
    return Number.isFinite(waited) ? waited / 1e9 : 0;
  } catch {
    return 0;
  }
}
