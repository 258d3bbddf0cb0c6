/**
 * A CPU profile of a whole process from Linux `perf`: on-CPU samples of every thread, kernel time included,
 * with JavaScript frames named through the process's own `--perf-basic-prof` map (/tmp/perf-PID.map).
 *
 * Why beside the inspector's profile: V8's sampler takes the event loop thread's stack at fixed wall-clock
 * intervals and tags what it cannot see into (a system call, the kernel's TCP work on loopback) by the JavaScript
 * frame it was called from or as "(program)"; its shares are of samples, not of CPU. perf's `cpu-clock` samples
 * only while a thread runs, in the kernel too, so its shares are CPU time. Measured on the floor at 400 bots
 * (docs/BENCHMARKS.md, issue 23, fourth pass): its websocket receive (socket reads, ws' parsing) was 7 % of its CPU
 * by the inspector and 34 % by perf.
 *
 * JavaScript functions inlined by the optimizer have no frame of their own: their time is their caller's.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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

/**
 * Reads `file` (perf.data of process `pid`) through `perf script`: every sample's thread and stack. V8 appends a
 * line to /tmp/perf-PID.map for each piece of code it makes, and reuses the addresses of code it dropped; perf
 * names an address by the first line that covers it, i.e. often by code long gone (a websocket write "called" from
 * the hit test). So for the time of `perf script` the map holds only the newest line covering each address (the
 * windows are taken once the hot code is compiled), and V8 keeps appending to its own file meanwhile.
 */
export function readPerf(file: string, pid: number): PerfSample[] {
  const map = `/tmp/perf-${pid}.map`;
  const live = `${map}.live`;
  const swapped = existsSync(map);
  if (swapped) {
    renameSync(map, live);
    writeFileSync(map, newestSymbols(readFileSync(live, "utf8")));
  }
  try {
    const script = spawnSync("perf", ["script", "-i", file, "-F", "tid,ip,sym"], { encoding: "utf8", maxBuffer: 1 << 30 });
    if (script.status !== 0) throw new Error(`perf script exited with ${script.status}: ${script.stderr.slice(-300)}`);
    return parsePerfScript(script.stdout);
  } finally {
    if (swapped) renameSync(live, map);
  }
}

/** A perf map (`start size name` lines, hex) with every line dropped that a later line overlaps. */
export function newestSymbols(map: string): string {
  const entries = map.split("\n").filter(Boolean).map((line, order) => {
    const [start = "", size = ""] = line.split(" ", 2);
    const from = parseInt(start, 16);
    return { line, order, from, to: from + parseInt(size, 16) };
  }).filter((e) => Number.isFinite(e.from) && e.to > e.from);
  entries.sort((a, b) => a.from - b.from || b.order - a.order);
  const kept: typeof entries = [];
  for (const e of entries) {
    // Against the kept lines it overlaps (they start at or before it): the newer one stays.
    let newest = true;
    while (kept.length > 0 && kept[kept.length - 1]!.to > e.from) {
      if (kept[kept.length - 1]!.order > e.order) {
        newest = false;
        break;
      }
      kept.pop();
    }
    if (newest) kept.push(e);
  }
  return kept.map((e) => e.line).join("\n") + "\n";
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
