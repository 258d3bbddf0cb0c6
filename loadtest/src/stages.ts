/**
 * `npm run bench:stages`: where each microsecond of the server goes. Our server and the raw-websocket
 * floor (loadtest/baseline/floor.ts) run on 127.0.0.1; the same bots as `npm run bench` play against
 * each in turn, and over the steady window the server's CPU is read from /proc and a profile is taken:
 * with Linux perf where it runs (on-CPU samples of every thread, kernel included: profile/perf.ts), else
 * through the inspector (V8's sampler, the event loop's thread). The profile's samples are split by
 * stage (profile/stages.ts) and scaled to the /proc CPU: µs per player-second and per message (inputs
 * up plus frames down) by stage, ours beside the floor. Bounded: counts and windows are capped, every
 * process it starts is stopped.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { REPO_ROOT, TEST_SECRET, freePort, machineLine, sampleProcess, spawnServer, startProcess, writeSection, type ServerProcess } from "@arena/testkit/remote";
import { RawRun } from "../baseline/rawBots.ts";
import { InspectorProfiler, inspectorUrl, type CpuProfile } from "./profile/inspector.ts";
import { perfAvailable, readPerf, recordPerf } from "./profile/perf.ts";
import { threadCpu, threadCpuBetween } from "./profile/threads.ts";
import { STAGES, splitByStage, splitPerfByStage, type Stage, type StageSplit } from "./profile/stages.ts";
import { scrape, total } from "./prometheus.ts";
import { LoadRun } from "./run.ts";
import type { LoadStats } from "./stats.ts";

const { values } = parseArgs({
  options: {
    counts: { type: "string", default: "400" },
    window: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    interval: { type: "string", default: "500" },
    "arena-env": { type: "string", default: "" },
    "no-write": { type: "boolean", default: false },
    section: { type: "string", default: "stages" },
    label: { type: "string", default: "" },
    /** A second server of ours measured in the same run (a lever): its extra environment, and/or another checkout's root. */
    "b-env": { type: "string" },
    "b-root": { type: "string" },
    /** Ours from another checkout's root too (e.g. a `git archive`), so that ours and ours B differ by one change only. */
    "a-root": { type: "string" },
    /** Rounds of every server in turn (the A/B ratios are medians over rounds); the profile is taken in the first only. */
    rounds: { type: "string", default: "1" },
    "no-profile": { type: "boolean", default: false },
    /** "perf" (Linux perf: CPU time of every thread, kernel included; the default where it runs) or "inspector" (V8's sampler). */
    profiler: { type: "string" },
  },
});
const ROUNDS = Math.min(9, Math.max(1, Math.floor(Number(values.rounds)) || 1));
const envOf = (list: string): Record<string, string> =>
  Object.fromEntries(list.split(",").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
const B_ENV = values["b-env"] !== undefined ? envOf(values["b-env"]) : undefined;
const B_ROOT = values["b-root"];
const A_ROOT = values["a-root"];
const HAS_B = B_ENV !== undefined || B_ROOT !== undefined;
const COUNTS = values.counts.split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0 && n <= 1000);
const WINDOW_S = Math.min(30, Math.max(2, Number(values.window)));
const WARMUP_S = Math.min(20, Math.max(1, Number(values.warmup)));
const INTERVAL_US = Math.min(10_000, Math.max(100, Number(values.interval)));
const RAMP = 100;
const INPUT_RATE = 30;
/** Extra environment for our server (e.g. WS_NO_BUFFER_UTIL=1), to measure a lever. */
const ARENA_ENV = envOf(values["arena-env"]);
if (values.profiler !== undefined && values.profiler !== "perf" && values.profiler !== "inspector") throw new Error(`--profiler must be perf or inspector, got "${values.profiler}"`);
const PROFILER: "perf" | "inspector" = values.profiler === "inspector" || (values.profiler === undefined && !perfAvailable()) ? "inspector" : "perf";
if (values.profiler === "perf" && !perfAvailable()) throw new Error("--profiler perf: `perf record` cannot run here (install linux-perf, and run as root or lower /proc/sys/kernel/perf_event_paranoid)");
/** perf's samples per second (cpu-clock, every thread). */
const PERF_HZ = 1999;

/** "arena-b": the second server of ours, when --b-env or --b-root is given. */
type Kind = "arena" | "arena-b" | "floor";

export interface StageRow {
  kind: Kind;
  bots: number;
  players: number;
  seconds: number;
  cpuUsPerPlayerSecond: number;
  messagesPerPlayerSecond: { up: number; down: number };
  busySamples: number;
  idleSamples: number;
  /** CPU µs per player-second by thread: the event loop's ("main"), V8's and libuv's helpers. */
  threads: Record<string, number>;
  /** µs per player-second by stage (the /proc CPU shared out by the profile's busy samples). */
  stages: Partial<Record<Stage, number>>;
  unassignedTop: [string, number][];
  botCpuPercent: number;
  round?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function measure(kind: Kind, server: ServerProcess, bots: number, floorBytes: number, profiled: boolean): Promise<StageRow> {
  // The bots play until stopped after the second window; this only bounds a run whose joins never finish.
  const durationSeconds = (6 * bots) / RAMP + WARMUP_S + 2 * WINDOW_S + 60;
  const run = kind !== "floor"
    ? new LoadRun({ endpoints: [server.url], bots, durationSeconds, inputRate: INPUT_RATE, rampPerSecond: RAMP, decode: "room", chatEverySeconds: 0, rejoinEverySeconds: 0, out: undefined })
    : new RawRun({ url: server.url.replace("http", "ws"), kind, bots, durationSeconds, inputRate: INPUT_RATE, rampPerSecond: RAMP, decode: "room", floorBytes, seed: 1 });
  const done = run.run();
  const until = performance.now() + durationSeconds * 1000;
  while (run.stats.botsJoined + run.stats.botsFailed < bots && performance.now() < until - (WARMUP_S + 2 * WINDOW_S + 10) * 1000) await sleep(100);
  await sleep(WARMUP_S * 1000);
  const url = PROFILER === "inspector" ? inspectorUrl(server.lines) : "";
  if (url === undefined) throw new Error(`${kind}: no inspector address in its output`);
  const stats: LoadStats = run.stats;
  const reading = () => ({ proc: sampleProcess(server.pid), threads: threadCpu(server.pid), up: stats.messagesOut, down: stats.messagesIn, players: stats.inRoom, bots: process.cpuUsage() });
  // First window: CPU without the profiler (its sampling thread and signals cost CPU of their own).
  const a = reading();
  await sleep(WINDOW_S * 1000);
  const b = reading();
  // Second window: the profile. The inspector's is of the event loop's thread only; perf's of every thread.
  let profile: CpuProfile = { nodes: [], startTime: 0, endTime: 0, samples: [], timeDeltas: [] };
  const perfFile = `${REPO_ROOT}test-output/stages-${kind}-${bots}.perf.data`;
  mkdirSync(`${REPO_ROOT}test-output`, { recursive: true });
  if (profiled && PROFILER === "inspector") {
    const profiler = await InspectorProfiler.connect(url);
    await profiler.start(INTERVAL_US);
    await sleep(WINDOW_S * 1000);
    profile = await profiler.stop();
    profiler.close();
  } else if (profiled) {
    await recordPerf(server.pid, WINDOW_S, PERF_HZ, perfFile);
  }
  const inRoomAfter = stats.inRoom;
  run.stop();
  await done;
  if (profiled && PROFILER === "inspector") writeFileSync(`${REPO_ROOT}test-output/stages-${kind}-${bots}.cpuprofile`, JSON.stringify(profile));
  const seconds = (b.proc.at - a.proc.at) / 1000;
  const players = Math.max(1, Math.min(a.players, b.players));
  if (inRoomAfter < a.players) process.stderr.write(`stages: ${kind}: ${a.players - inRoomAfter} bots left during the profile window\n`);
  const playerSeconds = players * seconds;
  const cpuUs = (b.proc.cpuSeconds - a.proc.cpuSeconds) * 1e6;
  const threads = threadCpuBetween(a.threads, b.threads);
  const mainUs = (threads.get("main") ?? 0) * 1e6;
  const stages: Partial<Record<Stage, number>> = {};
  let split: StageSplit;
  if (PROFILER === "perf") {
    // perf's samples are CPU time of every thread: the /proc CPU of the first window is shared out by them.
    split = profiled ? splitPerfByStage(readPerf(perfFile, server.pid), server.pid) : splitByStage(profile);
    for (const [s, n] of split.samples) stages[s] = (cpuUs * (n / Math.max(1, split.busySamples))) / playerSeconds;
  } else {
    split = splitByStage(profile);
    for (const [s, n] of split.samples) stages[s] = (mainUs * (n / Math.max(1, split.busySamples))) / playerSeconds;
    const helpersUs = cpuUs - mainUs;
    if (helpersUs > 0) stages["other threads: V8 helpers (GC, compiler), libuv pool"] = helpersUs / playerSeconds;
  }
  const botUs = (b.bots.user + b.bots.system) - (a.bots.user + a.bots.system);
  return {
    kind, bots, players, seconds,
    cpuUsPerPlayerSecond: cpuUs / playerSeconds,
    messagesPerPlayerSecond: { up: (b.up - a.up) / playerSeconds, down: (b.down - a.down) / playerSeconds },
    busySamples: split.busySamples,
    idleSamples: split.idleSamples,
    threads: Object.fromEntries([...threads].filter(([, v]) => v > 0).map(([k, v]) => [k, (v * 1e6) / playerSeconds])),
    stages,
    unassignedTop: [...split.unassigned].sort((x, y) => y[1] - x[1]).slice(0, 12),
    botCpuPercent: (botUs / 1e6 / seconds) * 100,
  };
}

const f = (n: number | undefined, d = 0): string => (n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(d));

function report(rows: readonly StageRow[]): string {
  const counts = [...new Set(rows.map((r) => r.bots))];
  const tables = counts.map((n) => {
    const kinds: Kind[] = HAS_B ? ["arena", "arena-b", "floor"] : ["arena", "floor"];
    const label: Record<Kind, string> = { arena: "ours", "arena-b": "ours B", floor: "floor" };
    const of = kinds.map((k) => rows.find((r) => r.bots === n && r.kind === k));
    const msgs = (r: StageRow | undefined): number => (r === undefined ? NaN : r.messagesPerPlayerSecond.up + r.messagesPerPlayerSecond.down);
    const pair = (r: StageRow | undefined, v: number | undefined): string => `${f(v)} | ${f(v === undefined ? undefined : v / msgs(r), 2)}`;
    const lines = STAGES.filter((s) => of.some((r) => (r?.stages[s] ?? 0) > 0)).map((s) => `| ${s} | ${of.map((r) => pair(r, r?.stages[s])).join(" | ")} |`);
    const total = `| **total (/proc)** | ${of.map((r) => `**${f(r?.cpuUsPerPlayerSecond)}** | **${f(r === undefined ? undefined : r.cpuUsPerPlayerSecond / msgs(r), 2)}**`).join(" | ")} |`;
    const head = (r: StageRow | undefined): string => r === undefined ? "–" : `${r.players} players, ${f(r.messagesPerPlayerSecond.up, 1)} up + ${f(r.messagesPerPlayerSecond.down, 1)} down msg/player-s, bots ${f(r.botCpuPercent)} % of a core, ${r.busySamples} ${PROFILER === "perf" ? "perf samples" : "busy samples"}`;
    return `### ${n} bots

${kinds.map((k, i) => `${label[k]}: ${head(of[i])}`).join(". ")}.

| stage | ${kinds.map((k) => `${label[k]} µs / player-s | ${label[k]} µs / msg`).join(" | ")} |
| --- | ${kinds.map(() => "--- | ---").join(" | ")} |
${lines.join("\n")}
${total}`;
  });
  const median = (xs: number[]): number => {
    const v = [...xs].sort((x, y) => x - y);
    return v.length === 0 ? NaN : v.length % 2 === 1 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  const rounds = counts.map((n) => {
    const row = (k: Kind, r: number): StageRow | undefined => rows.find((x) => x.bots === n && x.kind === k && (x.round ?? 0) === r);
    const cpu = (k: Kind, r: number): number => row(k, r)?.cpuUsPerPlayerSecond ?? NaN;
    const perMsg = (k: Kind, r: number): number => {
      const x = row(k, r);
      return x === undefined ? NaN : x.cpuUsPerPlayerSecond / (x.messagesPerPlayerSecond.up + x.messagesPerPlayerSecond.down);
    };
    const rs = [...new Set(rows.filter((x) => x.bots === n).map((x) => x.round ?? 0))];
    const kinds: Kind[] = HAS_B ? ["arena", "arena-b", "floor"] : ["arena", "floor"];
    const pairs: [Kind, Kind][] = HAS_B ? [["arena", "floor"], ["arena-b", "floor"], ["arena-b", "arena"]] : [["arena", "floor"]];
    const cell = (k: Kind, r: number): string => `${f(cpu(k, r))} (${f(perMsg(k, r), 1)})`;
    const ratios = (r: number): string => pairs.map(([a, b]) => `${f(cpu(a, r) / cpu(b, r), 2)}× (${f(perMsg(a, r) / perMsg(b, r), 2)}×)`).join(" | ");
    const line = (r: number): string => `| ${n} | ${r + 1} | ${kinds.map((k) => cell(k, r)).join(" | ")} | ${ratios(r)} |`;
    const med = `| ${n} | median | ${kinds.map(() => "").join(" | ")} | ${pairs.map(([a, b]) => `**${f(median(rs.map((r) => cpu(a, r) / cpu(b, r))), 2)}× (${f(median(rs.map((r) => perMsg(a, r) / perMsg(b, r))), 2)}×)**`).join(" | ")} |`;
    return [...rs.map(line), ...(rs.length > 1 ? [med] : [])].join("\n");
  });
  const bWhat = [B_ENV !== undefined ? `environment \`${values["b-env"]}\`` : "", B_ROOT !== undefined ? `the server of \`${B_ROOT}\`` : ""].filter(Boolean).join(", ");
  const roundTable = `CPU µs per player-second (/proc, without the profiler) and, in brackets, per message; each round every server in turn${HAS_B ? `; *ours B*: ${bWhat}` : ""}.
On a busy machine the bots (in the benchmark's process) fall behind and send and receive fewer messages than 30 up and 20 down per
second; per message is then the fairer comparison.

| bots | round | ours | ${HAS_B ? "ours B | " : ""}floor | ours / floor |${HAS_B ? " ours B / floor | ours B / ours |" : ""}
| --- | --- | --- | ${HAS_B ? "--- | " : ""}--- | --- |${HAS_B ? " --- | --- |" : ""}
${rounds.join("\n")}`;
  const env = Object.keys(ARENA_ENV).length > 0 ? ` Our server's extra environment: \`${values["arena-env"]}\`.` : "";
  return `## Server CPU by stage${values.label ? ` (${values.label})` : ""} (\`npm run bench:stages\`)

${machineLine()}, load average ${f(loadAtStart, 2)} as the run began (2 cores shared with other work).
Command: \`npm run bench:stages${process.argv.length > 2 ? " -- " + process.argv.slice(2).join(" ") : ""}\`.${env}
${PROFILER === "perf" ? `After the bots joined and a ${WARMUP_S} s warm-up, /proc reads each server's CPU over a ${WINDOW_S} s window, then Linux
\`perf\` samples every thread of the server on CPU (${PERF_HZ} Hz, \`cpu-clock\`, kernel included; JavaScript frames named through
\`--perf-basic-prof\`) over a second ${WINDOW_S} s window. Each sample of the event loop's thread goes to the stage of the innermost
frame of its stack that a rule of \`loadtest/src/profile/stages.ts\` names: shared libraries (the schema package, msgpackr)
and kernel or native frames count for their JavaScript caller, so a \`writev\`'s kernel time is its sender's and a socket's
read (libuv's \`uv__read\`) is the receive's and the loop's wait in epoll a row of its own; a stack with no JavaScript that
no rule names (libuv, V8's own work) is *V8 and native*.
Samples of the other threads (V8's concurrent GC and compiler, libuv's pool) are a row of their own. The first window's
/proc CPU is shared out in proportion to the samples. A message is an input up or a frame down.` : `Each server runs with its inspector open; after the bots joined and a ${WARMUP_S} s warm-up, /proc reads the server's CPU,
thread by thread, over a ${WINDOW_S} s window, then a ${INTERVAL_US} µs sampling profile of the event loop's thread is taken over a second
${WINDOW_S} s window (the profiler's own thread and signals cost CPU, so it is kept out of the first). Each busy sample goes to
the stage of the innermost frame of its stack that a rule of \`loadtest/src/profile/stages.ts\` names (shared libraries such
as the schema package or msgpackr count for their caller); the event loop thread's CPU is shared out in proportion, and the
process's other threads (V8's concurrent GC and compiler, libuv's pool) are a row of their own. V8's sampler takes stacks at
wall-clock intervals and cannot see into system calls: \`--profiler perf\` (the default where \`perf\` runs) measures CPU time.
A message is an input up or a frame down.`}

${values["no-profile"] ? "" : tables.join("\n\n") + "\n\n"}${roundTable}`;
}

const loadAtStart = loadavg()[0] ?? NaN;
const servers: ServerProcess[] = [];
const rows: StageRow[] = [];
try {
  // perf names JavaScript frames from the map V8 writes with --perf-basic-prof (/tmp/perf-PID.map).
  const inspect = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${PROFILER === "perf" ? "--perf-basic-prof" : "--inspect=127.0.0.1:0"}`.trim() };
  const start = { showErrors: false, timeoutMs: 90_000 };
  const startOurs = (label: string, root: string | undefined, env: Record<string, string>): Promise<ServerProcess> => {
    if (root === undefined) return spawnServer(env, start);
    // Another checkout's server, with spawnServer's settings (its own port, the test secret, no rate limits).
    return freePort().then((port) => startProcess(label, resolve(root, "server/src/main.ts"), {
      ...start, env: { PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, AUTH_SECRET: TEST_SECRET, RATE_LIMITS: "off", ...env },
    }));
  };
  const bStart = (): Promise<ServerProcess> => startOurs("arena-b", B_ROOT, { BOT_FILL: "0", ...inspect, ...ARENA_ENV, ...B_ENV });
  const [arena, floor, arenaB] = await Promise.all([
    startOurs("arena", A_ROOT, { BOT_FILL: "0", ...inspect, ...ARENA_ENV }).then((s) => (servers.push(s), s)),
    startProcess("floor", `${REPO_ROOT}loadtest/baseline/floor.ts`, { ...start, env: inspect }).then((s) => (servers.push(s), s)),
    HAS_B ? bStart().then((s) => (servers.push(s), s)) : undefined,
  ]);
  await sleep(1000);
  const order: [Kind, ServerProcess][] = [["arena", arena], ...(arenaB !== undefined ? [["arena-b", arenaB] as [Kind, ServerProcess]] : []), ["floor", floor]];
  // An unmeasured pass first, so that no server's first window pays for compiling its hot code.
  for (const [kind, server] of order) {
    process.stderr.write(`stages: warming ${kind} up...\n`);
    const run = kind !== "floor"
      ? new LoadRun({ endpoints: [server.url], bots: 50, durationSeconds: 30, inputRate: INPUT_RATE, rampPerSecond: RAMP, decode: "room", chatEverySeconds: 0, rejoinEverySeconds: 0, out: undefined })
      : new RawRun({ url: server.url.replace("http", "ws"), kind, bots: 50, durationSeconds: 30, inputRate: INPUT_RATE, rampPerSecond: RAMP, decode: "room", floorBytes: 256, seed: 2 });
    const done = run.run();
    // Ours compiles its hot code on V8's helper threads for its first ~15 s of load (docs/BENCHMARKS.md, issue 23's
    // second pass): 12 s here keeps most of that out of the windows; the floor's few lines need 3.
    await sleep(kind === "floor" ? 3000 : 12_000);
    run.stop();
    await done;
  }
  for (const bots of COUNTS) {
    let floorBytes = 256;
    for (let round = 0; round < ROUNDS; round++) {
      // Every other round in reverse, so neither server always goes first.
      for (const [kind, server] of round % 2 === 0 ? order : [...order].reverse()) {
        process.stderr.write(`stages: ${bots} bots against ${kind}, round ${round + 1}...\n`);
        const row = await measure(kind, server, bots, floorBytes, round === 0 && !values["no-profile"]);
        row.round = round;
        if (kind === "arena") {
          // The floor's frames are the size of our mean patch so far, as in `npm run bench`.
          const m = await scrape(server.url);
          const n = total(m, "arena_patch_size_bytes_count");
          if (n > 0) floorBytes = Math.round(total(m, "arena_patch_size_bytes_sum") / n);
        }
        rows.push(row);
        process.stderr.write(`  ${JSON.stringify({ ...row, unassignedTop: undefined })}\n`);
        await sleep(1500);
      }
    }
  }
} finally {
  await Promise.allSettled(servers.map((s) => s.stop()));
}
const body = report(rows);
console.log(body);
writeFileSync(`${REPO_ROOT}test-output/bench-stages.json`, JSON.stringify(rows, null, 2) + "\n");
if (!values["no-write"] && process.env.BENCH_NO_WRITE !== "1") writeSection(values.section, body);
process.exit(0);
