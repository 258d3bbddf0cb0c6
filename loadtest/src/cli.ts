/**
 * `npm run loadtest -- --bots 200`: runs the bots against servers on this
 * machine for a bounded time, shows progress, and writes a JSON summary.
 *
 * On a terminal the run is driven by @colyseus/loadtest's `cli(main)` (its
 * screen shows connections, CPU and bytes, and its loop starts the bots);
 * elsewhere (CI, pipes, `--plain`) progress is printed as lines.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ROOM_ARENA } from "@arena/shared";
import { OptionsError, USAGE, parseOptions } from "./options.ts";
import { LoadRun, type Progress } from "./run.ts";
import type { LoadSummary } from "./stats.ts";

function progressLine(p: Progress, total: number): string {
  return `[${String(p.seconds).padStart(4)} s] bots ${p.joined}/${total} joined, ${p.inRoom} in rooms, ${p.failed} failed | `
    + `in ${p.messagesInPerSecond} msg/s ${(p.bytesInPerSecond / 1024).toFixed(1)} KB/s | out ${p.messagesOutPerSecond} msg/s | rtt p50 ${Number.isNaN(p.rttP50Ms) ? "-" : p.rttP50Ms.toFixed(2) + " ms"}`;
}

function writeSummary(summary: LoadSummary, out: string | undefined): string | undefined {
  if (out === undefined) return undefined;
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(summary, null, 2) + "\n");
  return path;
}

function verdict(summary: LoadSummary): string {
  return `joined ${summary.joined}/${summary.bots}, failed ${summary.failed}, protocol errors ${summary.protocolErrors}, `
    + `rtt p50 ${summary.rttMs.p50} ms p99 ${summary.rttMs.p99} ms, `
    + `in ${summary.in.messagesPerSecond} msg/s ${(summary.in.bytesPerSecond / 1024).toFixed(1)} KB/s, `
    + `out ${summary.out.messagesPerSecond} msg/s ${(summary.out.bytesPerSecond / 1024).toFixed(1)} KB/s`;
}

async function plain(run: LoadRun): Promise<LoadSummary> {
  const summary = await run.run({ onProgress: (p) => process.stderr.write(progressLine(p, run.options.bots) + "\n") });
  return summary;
}

/** Hands the bots to @colyseus/loadtest's screen and connect loop; resolves when the duration is over. */
async function screen(run: LoadRun): Promise<LoadSummary> {
  const { cli } = await import("@colyseus/loadtest");
  // cli() reads its own options from argv: the count, the room and the pace come from ours.
  process.argv = [process.argv[0]!, process.argv[1]!, "--numClients", String(run.options.bots), "--room", ROOM_ARENA,
    "--endpoint", run.options.endpoints.join(","), "--delay", String(Math.round(1000 / run.options.rampPerSecond))];
  return run.run({
    onProgress: (p) => console.log(progressLine(p, run.options.bots)),
    starter: (start) => new Promise<void>((resolveStarted) => {
      let started = 0;
      cli(async (o) => {
        try {
          await start(o.clientId);
        } finally {
          if (++started >= run.options.bots) resolveStarted();
        }
      });
    }),
  });
}

try {
  const { options, plain: wantPlain, help } = parseOptions(process.argv.slice(2));
  if (help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const run = new LoadRun(options);
  const useScreen = process.stdout.isTTY === true && !wantPlain;
  if (!useScreen) process.stderr.write(`load test: ${options.bots} bots for ${options.durationSeconds} s against ${options.endpoints.join(", ")} (decode: ${options.decode})\n`);
  const summary = useScreen ? await screen(run) : await plain(run);
  const path = writeSummary(summary, options.out);
  const line = `done: ${verdict(summary)}${path ? `\nsummary: ${path}` : ""}\n`;
  // The screen (if any) restores the terminal on exit; print the verdict after it.
  process.on("exit", () => process.stderr.write(line));
  process.exit(summary.failed > 0 || summary.protocolErrors > 0 ? 1 : 0);
} catch (e) {
  if (e instanceof OptionsError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  throw e;
}
