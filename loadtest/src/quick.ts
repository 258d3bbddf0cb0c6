/**
 * `npm run bench:quick`: the ratchet. One short `npm run bench` (200 bots; ours, the floor and the naive
 * server in one run, Socket.io and the bot section left out, nothing written to BENCHMARKS.md) and our
 * server CPU per player-second as a ratio of the floor's and of naive's. Exits 1 when a ratio is more
 * than 25 % above the figure written in loadtest/quick-figures.json: ratios from one run, since absolute
 * CPU moves with whatever else the machine runs. `--record` writes this run's ratios as the new figures
 * (after a change that cut CPU, so the ratchet holds the gain). A run in which the bots or a server fell
 * behind (fewer than 80 % of the inputs up or of the server's frames down: a machine too busy to measure
 * on) proves nothing either way: it exits 3 and records nothing.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { PATCH_RATE, TICK_RATE } from "@arena/shared";
import { REPO_ROOT } from "@arena/testkit/remote";
import type { Row } from "./bench.ts";

const { values } = parseArgs({
  options: {
    bots: { type: "string", default: "200" },
    record: { type: "boolean", default: false },
    figures: { type: "string", default: `${REPO_ROOT}loadtest/quick-figures.json` },
  },
});

/** How far above the written figure a ratio may be before the ratchet fails. */
const TOLERANCE = 1.25;
/** The share of the nominal message rates a run must keep to count. */
const KEPT_PACE = 0.8;
const INPUT_RATE = 30;
/** Frames down per player-second each server sends when it keeps pace: patches (ours, floor) or the world every tick (naive). */
const NOMINAL_DOWN: Record<string, number> = { arena: PATCH_RATE, floor: PATCH_RATE, naive: TICK_RATE };
const JSON_OUT = `${REPO_ROOT}test-output/bench-quick.json`;

export interface QuickFigures {
  /** Ours / floor and ours / naive, server CPU µs per player-second, from one run. */
  oursOverFloor: number;
  oursOverNaive: number;
  bots: number;
  /** When and how they were measured, and the machine's 1-minute load average as the run began. */
  measured: string;
  loadAverage: number;
  /** Where the figures come from when not from a `--record` run. */
  source?: string;
}

const bots = Math.min(400, Math.max(10, Math.floor(Number(values.bots)) || 200));
const load = loadavg()[0] ?? NaN;
const args = [
  "--import", "tsx", `${REPO_ROOT}loadtest/src/bench.ts`,
  // Ours warms up 12 s: a fresh server of ours spends its first ~15 s of load compiling its hot code on V8's helper
  // threads (~500 µs per player-second at first, ~60 after: docs/BENCHMARKS.md, "Warm-up"); after 3 s a large part of
  // its window was that, which a long-running server does not pay. The baselines' code is a few lines: 3 s is enough.
  "--counts", String(bots), "--window", "5", "--warmup", "3", "--arena-warmup", "12", "--ramp", "200",
  "--bot-rooms", "0", "--baselines", "floor,naive", "--no-write", "--json", JSON_OUT,
];
const code = await new Promise<number | null>((resolve) => {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"] });
  child.once("exit", resolve);
});
if (code !== 0) {
  console.error(`bench:quick: the benchmark exited with ${code}`);
  process.exit(2);
}
const rows = JSON.parse(readFileSync(JSON_OUT, "utf8")) as Row[];
const cpu = (kind: Row["kind"]): number => rows.find((r) => r.kind === kind)?.cpuUsPerPlayerSecond ?? NaN;
const ours = cpu("arena");
const now: QuickFigures = {
  oursOverFloor: ours / cpu("floor"),
  oursOverNaive: ours / cpu("naive"),
  bots,
  measured: new Date().toISOString().slice(0, 16).replace("T", " "),
  loadAverage: Math.round(load * 100) / 100,
};
const f2 = (n: number): string => n.toFixed(2);
console.log(`bench:quick, ${bots} bots, load average ${f2(load)} as it began`);
console.log(`server CPU µs / player-s: ours ${ours.toFixed(0)}, floor ${cpu("floor").toFixed(0)}, naive ${cpu("naive").toFixed(0)}`);
console.log(`messages per player-s, up / down: ${rows.map((r) => `${r.kind} ${r.upMessagesPerPlayerSecond.toFixed(1)} / ${r.downMessagesPerPlayerSecond.toFixed(1)}`).join(", ")}`);
const behind = rows.filter((r) => r.upMessagesPerPlayerSecond < KEPT_PACE * INPUT_RATE || r.downMessagesPerPlayerSecond < KEPT_PACE * (NOMINAL_DOWN[r.kind] ?? 0));
if (behind.length > 0 || rows.length < 3) {
  console.log(`ours / floor ${f2(now.oursOverFloor)}×, ours / naive ${f2(now.oursOverNaive)}×`);
  console.log(`bench:quick: INCONCLUSIVE: ${behind.map((r) => r.kind).join(", ") || "a server"} fell behind (under ${KEPT_PACE * 100} % of the nominal message rates): the machine is too busy to measure on; nothing recorded`);
  process.exit(3);
}
if (values.record) {
  writeFileSync(values.figures, JSON.stringify(now, null, 2) + "\n");
  console.log(`ours / floor ${f2(now.oursOverFloor)}×, ours / naive ${f2(now.oursOverNaive)}×: written to ${values.figures}`);
  process.exit(0);
}
const written = JSON.parse(readFileSync(values.figures, "utf8")) as QuickFigures;
console.log(`written figures: ${written.bots} bots, ${written.measured}, load ${written.loadAverage}${written.source !== undefined ? ` (${written.source})` : ""}`);
let failed = false;
for (const [name, key] of [["ours / floor", "oursOverFloor"], ["ours / naive", "oursOverNaive"]] as const) {
  const limit = written[key] * TOLERANCE;
  const over = now[key] > limit;
  failed ||= over;
  console.log(`${name}: ${f2(now[key])}× (written ${f2(written[key])}×, limit ${f2(limit)}×)${over ? "  ← over the limit" : ""}`);
}
if (failed) {
  console.log("bench:quick: FAILED: ours costs more than 25 % over the written ratio (re-run on a quieter machine before believing it)");
  process.exit(1);
}
console.log("bench:quick: ok");
