/**
 * `npm test`, after the type check (`tsx testkit/src/runTiers.ts`): the five tiers (testkit/src/tiers.ts) in the order that fits the time budget on
 * two cores.
 *
 * 1. unit, isolated, server and slow in one vitest run, two files at a time (vitest.config.ts).
 * 2. cluster and e2e in two vitest processes (lanes) side by side, each one file at a time. A cluster file mostly
 *    waits on its processes (heartbeats, takeovers, outages, measurement windows) and an e2e file mostly on Chromium,
 *    so one of each fits beside the other where two of either kind would starve each other (README, "Tests"). The
 *    e2e lane also takes the short functional cluster files (tiers.ts, CLUSTER_BESIDE_E2E) so the lanes end together.
 * 3. The browser files that need the machine to themselves (tiers.ts, E2E_ALONE: voice), alone.
 *
 * Every phase runs even when an earlier one failed, so one run shows every failure; the exit code is non-zero if any
 * failed. Each vitest writes its own time report; this merges them into test-output/test-times.json and prints the
 * slowest files. Arguments (a file, `-t name`) go to one plain `vitest run` instead.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLUSTER_BESIDE_E2E, E2E_ALONE, classifyTestFiles } from "./tiers.ts";
import { mergeReports, summaryLines, writeReport, type TimeReport } from "./timeReport.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VITEST = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");

interface Run {
  readonly name: string;
  readonly projects: readonly string[];
  /** The files to run, when not every file of the projects. */
  readonly files?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

const { cluster, e2e } = classifyTestFiles();
const PHASES: readonly (readonly Run[])[] = [
  [{ name: "in-process", projects: ["unit", "isolated", "server", "slow"] }],
  [
    { name: "cluster", projects: ["cluster"], files: cluster.filter((f) => !CLUSTER_BESIDE_E2E.has(f)) },
    { name: "e2e", projects: ["cluster", "e2e"], files: [...cluster.filter((f) => CLUSTER_BESIDE_E2E.has(f)), ...e2e.filter((f) => !E2E_ALONE.has(f))] },
  ],
  // The e2e lane built the client: this one does not build it again (client/test/e2e/build.setup.ts).
  [{ name: "e2e-alone", projects: ["e2e"], files: e2e.filter((f) => E2E_ALONE.has(f)), env: { ARENA_CLIENT_BUILT: "1" } }],
];

const timesFile = (run: Run) => join("test-output", `test-times.${run.name}.json`);

/** Copies a child's output to ours a whole line at a time, so two runs side by side never split each other's lines. */
function forward(stream: NodeJS.ReadableStream, to: NodeJS.WriteStream): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const text = pending + chunk;
    const cut = text.lastIndexOf("\n") + 1;
    pending = text.slice(cut);
    if (cut > 0) to.write(text.slice(0, cut));
  });
  stream.on("end", () => {
    if (pending) to.write(`${pending}\n`);
  });
}

function vitest(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VITEST, "run", ...args], {
      cwd: ROOT,
      // Piped, vitest prints one line per file instead of redrawing a live summary; colours only for a terminal.
      env: { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    forward(child.stdout!, process.stdout);
    forward(child.stderr!, process.stderr);
    child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length > 0) return vitest(args);

  const started = Date.now();
  const failed: string[] = [];
  const runs = PHASES.flat();
  for (const run of runs) rmSync(join(ROOT, timesFile(run)), { force: true });
  for (const phase of PHASES) {
    const codes = await Promise.all(
      phase.map((run) => vitest([...run.projects.flatMap((p) => ["--project", p]), ...(run.files ?? [])], { ...run.env, ARENA_TEST_TIMES: timesFile(run) })),
    );
    codes.forEach((code, i) => code !== 0 && failed.push(phase[i]!.name));
  }

  const reports = runs
    .map((run) => join(ROOT, timesFile(run)))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, "utf8")) as TimeReport);
  if (reports.length > 0) {
    const out = join("test-output", "test-times.json");
    writeReport(mergeReports(reports), join(ROOT, out));
    console.log(["", "All tiers:", ...summaryLines(mergeReports(reports), out).slice(1)].join("\n"));
  }
  console.log(`npm test: ${((Date.now() - started) / 1000).toFixed(0)} s after the type check; ${failed.length === 0 ? "every tier passed" : `failed: ${failed.join(", ")}`}`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
