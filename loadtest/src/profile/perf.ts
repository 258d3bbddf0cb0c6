/**
 * A CPU profile of a whole process from Linux `perf`: on-CPU samples of every thread, kernel time included,
 * with JavaScript frames named through the process's own `--perf-basic-prof` map (/tmp/perf-PID.map).
 *
 * Why beside the inspector's profile: V8's sampler takes the event loop thread's stack at fixed wall-clock
 * intervals and tags what it cannot see into (a system call, the kernel's TCP work on loopback) by the JavaScript
 * frame it was called from or as "(program)"; its shares are of samples, not of CPU. perf's `cpu-clock` samples
 * only while a thread runs, in the kernel too, so its shares are CPU time. Measured on the floor at 400 bots
 * (docs/BENCHMARKS.md, issue 23, fourth pass): its websocket receive was 7 % of its CPU by the inspector and 18 %
 * by perf.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ProfileFrame } from "./stages.ts";

/** Whether `perf record` can sample another process here (installed, and allowed by perf_event_paranoid or root). */
export function perfAvailable(): boolean {
  const probe = spawnSync("perf", ["record", "-e", "cpu-clock", "-o", "/dev/null", "--", "true"], { stdio: "ignore" });
  return probe.status === 0;
}

/** Samples `pid`'s threads with call stacks for `seconds` at `hz` into `out` (perf.data); resolves when done. */
export function recordPerf(pid: number, seconds: number, hz: number, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("perf", ["record", "-e", "cpu-clock", "-F", String(hz), "-g", "-p", String(pid), "-o", out, "--", "sleep", String(seconds)], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`perf record exited with ${code}: ${err.trim().slice(-300)}`))));
  });
}

/** One on-CPU sample: its thread and its stack, innermost frame first. */
export interface PerfSample {
  tid: number;
  frames: ProfileFrame[];
}

/**
 * A perf symbol as the inspector would name it: `JS:*name url:line:col` (the `*`, `~` or `^` is V8's tier)
 * becomes the function name and the url without its position; a native or kernel symbol is a function name
 * with no url (no rule names those but the garbage collector's, so their time goes to their JavaScript caller).
 */
export function frameOfSymbol(sym: string): ProfileFrame {
  const js = /^JS:[*~^+-]?(.*)$/.exec(sym);
  if (js === null) return { functionName: sym, url: "" };
  const rest = js[1]!;
  const space = rest.lastIndexOf(" ");
  const name = space < 0 ? "" : rest.slice(0, space);
  const where = space < 0 ? rest : rest.slice(space + 1);
  return { functionName: name, url: where.replace(/:\d+:\d+$/, "").replace(/^file:\/\//, "") };
}

/** Reads `file` (perf.data) through `perf script`: every sample's thread and stack. */
export function readPerf(file: string): PerfSample[] {
  const script = spawnSync("perf", ["script", "-i", file, "-F", "tid,ip,sym"], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (script.status !== 0) throw new Error(`perf script exited with ${script.status}: ${script.stderr.slice(-300)}`);
  return parsePerfScript(script.stdout);
}

/** Parses `perf script -F tid,ip,sym` output: a line with the thread id, then one `address symbol` line per frame. */
export function parsePerfScript(text: string): PerfSample[] {
  const samples: PerfSample[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split("\n").map((l) => l.trim()).filter(Boolean);
    if (lines.length === 0) continue;
    const tid = Number(lines[0]);
    if (!Number.isInteger(tid)) continue;
    const frames = lines.slice(1).map((l) => {
      const space = l.indexOf(" ");
      return frameOfSymbol(space < 0 ? "[unknown]" : l.slice(space + 1));
    });
    samples.push({ tid, frames });
  }
  return samples;
}
