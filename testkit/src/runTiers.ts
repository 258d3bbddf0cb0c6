/**
 * `npm test` (`tsx testkit/src/runTiers.ts`): the type check and the six tiers (testkit/src/tiers.ts) in the order that
 * fits the time budget on two cores.
 *
 * 1. unit, isolated, server and slow in one vitest run, six files at a time (vitest.config.ts), with the type check
 *    beside them (`tsc -b` of TypeScript 7, the native port: about 10 CPU-s from a clean tree, where TypeScript 5.9 took
 *    35 and 47–63 s so in CI): vitest runs the TypeScript itself, so the tests do not wait for it, and these tiers'
 *    checks hold with six files at a time on two cores (their files mostly wait on their servers: at two at a time
 *    the phase used 0.6 of the cores, and at four still 60 %). The client's build is not here: beside this phase,
 *    which kept both cores busy with TypeScript 5.9's type check, it made the phase 10 s longer (76 s against 66 s in
 *    CI), where at the e2e lane's start it overlaps the cluster lane's waits.
 * 2. cluster and e2e in two vitest processes (lanes) side by side, each one file at a time. A cluster file mostly
 *    waits on its processes (heartbeats, takeovers, outages, measurement windows: about half a core) and a browser
 *    file's Chromium takes one to two cores (WebGL drawn in software), so the two lanes keep the cores mostly busy
 *    (1.63 of 2 over the phase in CI at 23:12), and running more files at once does not end sooner (two cluster files
 *    at a time beside one browser file: the lanes took 343 and 340 s instead of 358 and 346; a pool of two cluster
 *    workers beside the browser files alone: 381 s instead of 373, with two timed checks failing). Groups of
 *    functional cluster files (tiers.ts, CLUSTER_SHARED) are shared: each lane, as it ends, runs the next group not
 *    yet taken (a vitest of its own, about 3 s to start), so the lanes end together on a machine where the browser
 *    files are slow (CPU-bound: one CI machine took 350 s over them) and on one where they are quick (170 s) and the
 *    cluster files' waits decide.
 * 3. The files that need the machine to themselves (tiers.ts, CLUSTER_ALONE: join-storm and join-rush, then E2E_ALONE:
 *    voice), alone.
 *
 * Every phase runs even when an earlier one failed, so one run shows every failure; the exit code is non-zero if any
 * failed. Each vitest writes its own time report; this merges them into test-output/test-times.json and prints the
 * slowest files, and each phase's time with how many cores the machine kept busy over it (machineCpu.ts): near all
 * of them, only less work shortens the phase; well under, it waits. Arguments (a file, `-t name`) go to one plain
 * `vitest run` instead.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { coresBusy, readCpuTimes } from "./machineCpu.ts";
import { CLUSTER_ALONE, CLUSTER_SHARED, E2E_ALONE, classifyTestFiles } from "./tiers.ts";
import { mergeReports, summaryLines, writeReport, type TimeReport } from "./timeReport.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const require = createRequire(import.meta.url);
const VITEST = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
const TSC = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");

interface Run {
  readonly name: string;
  readonly projects: readonly string[];
  /** The files to run, when not every file of the projects. */
  readonly files?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs side by side, each in its own vitest; as each ends, it takes the next of the shared runs not yet taken. */
interface Phase {
  readonly lanes: readonly Run[];
  readonly shared?: readonly Run[];
}

// Runs that start after another run of the phase (or an earlier phase) built the client and the server bundle do not
// build them again (client/test/e2e/build.setup.ts, testkit/src/serverBundle.setup.ts).
const BUILT = { ARENA_CLIENT_BUILT: "1", ARENA_SERVER_BUILT: "1" };
const { cluster, e2e } = classifyTestFiles();
const sharedFiles = new Set(CLUSTER_SHARED.flat());
const PHASES: readonly Phase[] = [
  { lanes: [{ name: "in-process", projects: ["unit", "isolated", "server", "slow"] }] },
  {
    lanes: [
      { name: "cluster", projects: ["cluster"], files: cluster.filter((f) => !sharedFiles.has(f) && !CLUSTER_ALONE.has(f)) },
      { name: "e2e", projects: ["e2e"], files: e2e.filter((f) => !E2E_ALONE.has(f)) },
    ],
    shared: CLUSTER_SHARED.map((files, i) => ({ name: `shared-${i + 1}`, projects: ["cluster"], files, env: BUILT })),
  },
  // The cluster project's group runs first (groupOrder).
  {
    lanes: [{
      name: "e2e-alone", projects: ["cluster", "e2e"],
      files: [...cluster.filter((f) => CLUSTER_ALONE.has(f)), ...e2e.filter((f) => E2E_ALONE.has(f))], env: BUILT,
    }],
  },
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

/** `tsc -b` in the background; its output kept until it is asked for. */
function typeCheckBeside(): Promise<{ code: number; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSC, "-b"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output, ms: Date.now() - started }));
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length > 0) return vitest(args);

  const started = Date.now();
  const failed: string[] = [];
  const runs = PHASES.flatMap((phase) => [...phase.lanes, ...(phase.shared ?? [])]);
  for (const run of runs) rmSync(join(ROOT, timesFile(run)), { force: true });
  const typeCheck = typeCheckBeside();
  const phaseLines: string[] = [];
  for (const [i, phase] of PHASES.entries()) {
    const phaseStarted = Date.now();
    const cpuBefore = readCpuTimes();
    const queue = [...(phase.shared ?? [])];
    const taken = new Map<string, string[]>();
    const runOne = async (run: Run): Promise<void> => {
      const code = await vitest([...run.projects.flatMap((p) => ["--project", p]), ...(run.files ?? [])], { ...run.env, ARENA_TEST_TIMES: timesFile(run) });
      if (code !== 0) failed.push(run.name);
    };
    await Promise.all(phase.lanes.map(async (lane) => {
      await runOne(lane);
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        taken.set(lane.name, [...(taken.get(lane.name) ?? []), next.name]);
        await runOne(next);
      }
    }));
    const cpuAfter = readCpuTimes();
    const busy = cpuBefore && cpuAfter ? coresBusy(cpuBefore, cpuAfter) : undefined;
    const lanes = phase.lanes.map((lane) => [lane.name, ...(taken.get(lane.name) ?? [])].join(" + "));
    const line = `${lanes.join(" beside ")}: ${((Date.now() - phaseStarted) / 1000).toFixed(0)} s` +
      (busy === undefined ? "" : `, ${busy.toFixed(2)} of the machine's ${availableParallelism()} cores busy`);
    phaseLines.push(`  ${i + 1}. ${line}`);
    console.log(`phase ${i + 1}, ${line}`);
    if (i === 0) {
      // Its output after the first phase's, whole, and before the lanes start: they must not share the cores with it.
      const checked = await typeCheck;
      process.stdout.write(checked.output);
      console.log(`type check (tsc -b): ${checked.code === 0 ? "passed" : "FAILED"} in ${(checked.ms / 1000).toFixed(0)} s`);
      if (checked.code !== 0) failed.push("type check");
    }
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
  console.log(["Phases:", ...phaseLines].join("\n"));
  console.log(`npm test: ${((Date.now() - started) / 1000).toFixed(0)} s; ${failed.length === 0 ? "the type check and every tier passed" : `failed: ${failed.join(", ")}`}`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
