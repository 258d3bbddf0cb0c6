/**
 * `npm run bench`: how far one server process goes on this machine, against
 * two baselines measured side by side in the same run.
 *
 * Starts four server processes on 127.0.0.1: ours (`server/src/main.ts`),
 * "floor", "naive" and "socketio" (loadtest/baseline/). At each bot count, the same bots
 * (same pilot, input rate and ramp) play against each server in turn; over a
 * steady window it reads the server's CPU time and memory from /proc, and
 * for ours the step-time histogram and event-loop lag from /metrics. Writes a
 * table and an SVG chart to docs/BENCHMARKS.md and the raw rows as JSON.
 * Then it prices server-side bots: rooms of one person alone, of 16 people,
 * and of one person with 15 bots, so a bot's CPU sits beside a person's.
 * Bounded: counts and windows are capped, and every process it starts is
 * stopped (killed on exit if need be).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadavg } from "node:os";
import { REPO_ROOT, machineLine, sampleProcess, spawnServer, startProcess, writeSection, type ProcessSample, type ServerProcess } from "@arena/testkit/remote";
import { RawRun, type BaselineKind } from "../baseline/rawBots.ts";
import type { SendTimerReading } from "../baseline/sendTimer.ts";
import { SocketIoRun } from "../baseline/socketioBots.ts";
import { total, buckets, quantileBetween, scrape, type MetricFamily } from "./prometheus.ts";
import { LoadRun } from "./run.ts";
import type { LoadStats } from "./stats.ts";
import { chartSvg } from "./chart.ts";

const { values } = parseArgs({
  options: {
    counts: { type: "string", default: "50,100,200,300" },
    window: { type: "string", default: "10" },
    warmup: { type: "string", default: "4" },
    /**
     * Our server's own warm-up (the baselines keep --warmup): a fresh server of ours spends its first ~15 s of load
     * compiling its hot code on V8's helper threads (docs/BENCHMARKS.md, "Warm-up"); --warmup by default.
     */
    "arena-warmup": { type: "string" },
    ramp: { type: "string", default: "100" },
    "input-rate": { type: "string", default: "30" },
    decode: { type: "string", default: "room" },
    json: { type: "string", default: "test-output/bench-load.json" },
    "no-write": { type: "boolean", default: false },
    "bot-rooms": { type: "string", default: "8" },
    /** The baselines measured beside ours (ours always is): `npm run bench:quick` leaves Socket.io out. */
    baselines: { type: "string", default: "floor,naive,socketio" },
  },
});
const COUNTS = values.counts.split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0 && n <= 2000);
const WINDOW_S = Math.min(120, Math.max(1, Number(values.window)));
const WARMUP_S = Math.min(60, Math.max(1, Number(values.warmup)));
const ARENA_WARMUP_S = values["arena-warmup"] === undefined ? WARMUP_S : Math.min(60, Math.max(1, Number(values["arena-warmup"])));
const RAMP = Math.min(500, Math.max(10, Number(values.ramp)));
const INPUT_RATE = Math.min(60, Math.max(1, Number(values["input-rate"])));
/** Rooms in each configuration of the bot section (0: skip it). */
const BOT_ROOMS = Math.min(40, Math.max(0, Math.floor(Number(values["bot-rooms"]) || 0)));
/** A room's seats (`npm start`'s MAX_PLAYERS): the bot rooms hold one person and this many minus one bots. */
const ROOM_SEATS = 16;
const DECODE = values.decode === "all" || values.decode === "none" ? values.decode : "room";
const KINDS = ["arena", "floor", "naive", "socketio"] as const;
type Kind = (typeof KINDS)[number];
const RUN_KINDS: readonly Kind[] = KINDS.filter((k) => k === "arena" || values.baselines.split(",").includes(k));

export interface Row {
  kind: Kind;
  /** The server's process id (to check it was stopped). */
  pid: number;
  bots: number;
  /** Bots connected through the window. */
  players: number;
  failed: number;
  cpuPercent: number;
  cpuUsPerPlayerSecond: number;
  downBytesPerPlayerSecond: number;
  upBytesPerPlayerSecond: number;
  downMessagesPerPlayerSecond: number;
  /** Inputs (and other frames) the bots sent per player-second: under INPUT_RATE when the bots fell behind. */
  upMessagesPerPlayerSecond: number;
  rssMb: number;
  stepP50Us: number | null;
  stepP99Us: number | null;
  loopLagP99Ms: number | null;
  patchBytesMean: number | null;
  /** CPU of the benchmark process (the bots), % of one core: near 100 means the bots, not the server, were the limit. */
  botCpuPercent: number;
  /** Baselines: frames their send loop sent per player-second over the window, by their own count (/health). */
  sentMessagesPerPlayerSecond: number | null;
  /** Baselines: firings of their send loop per second over the window, and the interval it is set to (ms). */
  sendFiringsPerSecond: number | null;
  sendIntervalMs: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The pause after a measurement, while the server disposes its rooms and closes the sockets before the next one is
 * measured: 1.5 s from ~300 bots on, less for fewer (the smoke run's 4 bots close in a few ms; its 7 pauses of 1.5 s
 * were a quarter of its time).
 */
const settleMs = (bots: number): number => Math.min(1500, 100 + 5 * bots);

/** A baseline's send loop as its /health reports it. */
async function sendReading(url: string): Promise<SendTimerReading> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  return ((await res.json()) as { send: SendTimerReading }).send;
}

interface Window {
  proc: ProcessSample;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  botCpu: number;
  metrics?: Map<string, MetricFamily>;
}

function snapshot(server: ServerProcess, stats: LoadStats): Window {
  const u = process.cpuUsage();
  return { proc: sampleProcess(server.pid), bytesIn: stats.bytesIn, bytesOut: stats.bytesOut, messagesIn: stats.messagesIn, messagesOut: stats.messagesOut, botCpu: (u.user + u.system) / 1e6 };
}

/** `playersPerRoom`: load clients per room (each group creates its own room); quick play when undefined. */
async function measure(kind: Kind, server: ServerProcess, bots: number, floorBytes: number, playersPerRoom?: number): Promise<Row> {
  // An upper bound: the run is stopped right after the window; joins may be slower than the ramp.
  const warmupS = kind === "arena" ? ARENA_WARMUP_S : WARMUP_S;
  const durationSeconds = (3 * bots) / RAMP + warmupS + WINDOW_S + 30;
  const run = kind === "arena"
    ? new LoadRun({ endpoints: [server.url], bots, playersPerRoom, durationSeconds, inputRate: INPUT_RATE, rampPerSecond: RAMP, decode: DECODE, chatEverySeconds: 0, rejoinEverySeconds: 0, out: undefined })
    : kind === "socketio"
      ? new SocketIoRun({ url: server.url, bots, durationSeconds, inputRate: INPUT_RATE, rampPerSecond: RAMP, decode: DECODE, seed: 1 })
      : new RawRun({ url: server.url.replace("http", "ws"), kind: kind as BaselineKind, bots, durationSeconds, inputRate: INPUT_RATE, rampPerSecond: RAMP, decode: DECODE, floorBytes, seed: 1 });
  const done = run.run();
  const until = performance.now() + durationSeconds * 1000;
  while (run.stats.botsJoined + run.stats.botsFailed < bots && performance.now() < until) await sleep(100);
  await sleep(warmupS * 1000);
  const a = snapshot(server, run.stats);
  if (kind === "arena") a.metrics = await scrape(server.url);
  const sendA = kind === "arena" ? undefined : await sendReading(server.url);
  const playersAtStart = run.stats.inRoom;
  await sleep(WINDOW_S * 1000);
  const b = snapshot(server, run.stats);
  if (kind === "arena") b.metrics = await scrape(server.url);
  const sendB = kind === "arena" ? undefined : await sendReading(server.url);
  const players = Math.min(playersAtStart, run.stats.inRoom);
  run.stop();
  await done;
  const seconds = (b.proc.at - a.proc.at) / 1000;
  const playerSeconds = Math.max(1, players) * seconds;
  const cpu = b.proc.cpuSeconds - a.proc.cpuSeconds;
  let stepP50Us: number | null = null;
  let stepP99Us: number | null = null;
  let loopLagP99Ms: number | null = null;
  let patchBytesMean: number | null = null;
  if (a.metrics !== undefined && b.metrics !== undefined) {
    const sb = buckets(a.metrics, "arena_step_duration_seconds");
    const se = buckets(b.metrics, "arena_step_duration_seconds");
    stepP50Us = quantileBetween(sb, se, 0.5) * 1e6;
    stepP99Us = quantileBetween(sb, se, 0.99) * 1e6;
    loopLagP99Ms = total(b.metrics, "arena_event_loop_lag_p99_seconds") * 1000;
    const n = total(b.metrics, "arena_patch_size_bytes_count") - total(a.metrics, "arena_patch_size_bytes_count");
    const sum = total(b.metrics, "arena_patch_size_bytes_sum") - total(a.metrics, "arena_patch_size_bytes_sum");
    patchBytesMean = n > 0 ? sum / n : null;
  }
  return {
    kind, pid: server.pid, bots, players, failed: run.stats.botsFailed,
    cpuPercent: (cpu / seconds) * 100,
    cpuUsPerPlayerSecond: (cpu * 1e6) / playerSeconds,
    downBytesPerPlayerSecond: (b.bytesIn - a.bytesIn) / playerSeconds,
    upBytesPerPlayerSecond: (b.bytesOut - a.bytesOut) / playerSeconds,
    downMessagesPerPlayerSecond: (b.messagesIn - a.messagesIn) / playerSeconds,
    upMessagesPerPlayerSecond: (b.messagesOut - a.messagesOut) / playerSeconds,
    rssMb: b.proc.rssBytes / 1024 / 1024,
    stepP50Us, stepP99Us, loopLagP99Ms, patchBytesMean,
    botCpuPercent: ((b.botCpu - a.botCpu) / seconds) * 100,
    sentMessagesPerPlayerSecond: sendA !== undefined && sendB !== undefined ? (sendB.frames - sendA.frames) / playerSeconds : null,
    sendFiringsPerSecond: sendA !== undefined && sendB !== undefined ? (sendB.firings - sendA.firings) / seconds : null,
    sendIntervalMs: sendB?.intervalMs ?? null,
  };
}

const f = (n: number | null, d = 0): string => (n === null || !Number.isFinite(n) ? "–" : n.toFixed(d));

function memoryPerPlayer(rows: readonly Row[]): string {
  return RUN_KINDS.map((k) => {
    const mine = rows.filter((r) => r.kind === k);
    const first = mine[0];
    const last = mine.at(-1);
    const idle = idleRssMb[k];
    if (first === undefined || last === undefined || last.players <= first.players) return `${k} – (idle ${f(idle ?? null)} MB)`;
    return `${k} ${f(((last.rssMb - first.rssMb) * 1024) / (last.players - first.players), 1)} KB (idle ${f(idle ?? null)} MB)`;
  }).join(", ");
}

function report(rows: readonly Row[]): string {
  const memory = memoryPerPlayer(rows);
  const byCount = [...new Set(rows.map((r) => r.bots))];
  const table = rows.map((r) => `| ${r.bots} | ${r.kind} | ${r.players} | ${f(r.cpuPercent, 1)} % | ${f(r.cpuUsPerPlayerSecond)} | ${f(r.stepP50Us)} / ${f(r.stepP99Us)} | ${f(r.downBytesPerPlayerSecond)} | ${f(r.upBytesPerPlayerSecond)} | ${f(r.downMessagesPerPlayerSecond, 1)} | ${f(r.rssMb)} | ${f(r.loopLagP99Ms, 1)} | ${f(r.botCpuPercent)} % |`).join("\n");
  const ratios = byCount.map((n) => {
    const get = (k: Kind): Row | undefined => rows.find((r) => r.bots === n && r.kind === k);
    const a = get("arena");
    const fl = get("floor");
    const nv = get("naive");
    const io = get("socketio");
    const ratio = (x: number | undefined, y: number | undefined, d = 2): string => (x !== undefined && y !== undefined && y > 0 ? (x / y).toFixed(d) : "–");
    return `| ${n} | ${ratio(a?.cpuUsPerPlayerSecond, fl?.cpuUsPerPlayerSecond)}× | ${ratio(a?.cpuUsPerPlayerSecond, nv?.cpuUsPerPlayerSecond)}× | ${ratio(a?.cpuUsPerPlayerSecond, io?.cpuUsPerPlayerSecond)}× | ${ratio(a?.downBytesPerPlayerSecond, fl?.downBytesPerPlayerSecond)}× | ${ratio(a?.downBytesPerPlayerSecond, nv?.downBytesPerPlayerSecond, 3)}× | ${ratio(a?.downBytesPerPlayerSecond, io?.downBytesPerPlayerSecond, 3)}× |`;
  }).join("\n");
  return `## Load: players per process, against the baselines (\`npm run bench\`)

${machineLine()}, load average ${f(loadAtStart, 1)} as the run began. Command: \`npm run bench${process.argv.length > 2 ? " -- " + process.argv.slice(2).join(" ") : ""}\`.
Four server processes side by side on 127.0.0.1: ours (\`npm start\` defaults: 30 Hz steps, 20 Hz patches,
16 players per room), *floor*, *naive* and *socketio* (\`loadtest/baseline/\`). At each count the same bots (this process; same pilot,
${INPUT_RATE} inputs/s, quick play, state decoding: \`${DECODE}\`) play against each server in turn; after a ${WARMUP_S} s warm-up${ARENA_WARMUP_S !== WARMUP_S ? ` (ours ${ARENA_WARMUP_S} s)` : ""} the server's
CPU (user + system, /proc) and memory are read over a ${WINDOW_S} s window. Bytes and messages are counted by the bots.
Step time (p50 / p99, µs, from the \`arena_step_duration_seconds\` histogram between two scrapes) and event-loop lag
(p99 beyond the 10 ms sampling interval) are ours only. Memory per player is the growth of RSS per added player between
the smallest and the largest count (RSS does not shrink back between counts, so a row's RSS is a high-water mark).
Bot CPU near 100 % means the bots, not the server, were the limit at that count.

| bots | server | players | server CPU | CPU µs / player-s | step p50 / p99 µs | down B / player-s | up B / player-s | down msg / player-s | RSS MB | loop lag p99 ms | bot CPU |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${table}

Memory per player (RSS growth from the smallest to the largest count; idle RSS in brackets): ${memory}.

Ours as a ratio of the baselines, measured in the same run:

| bots | CPU vs floor | CPU vs naive | CPU vs Socket.io | bytes down vs floor | bytes down vs naive | bytes down vs Socket.io |
| --- | --- | --- | --- | --- | --- | --- |
${ratios}

![server CPU per player-second against players](bench-load.svg)

*floor* sends each client messages of the mean size of our patches at that count, fixed-size and binary, at 20 Hz, and discards
its inputs: the cost of the messages alone. *naive* runs the same shared step at 30 Hz but sends the whole world as JSON to every
client every tick, parses JSON inputs and queues them without bound (it pays the schema objects' change tracking, which a
hand-written naive server would not, and has no lag compensation). *socketio* is the same game as a Socket.io 4.8 tutorial builds it:
the same shared step at 30 Hz in rooms of 16, the whole world as JSON to each room at 20 Hz with \`io.to(room).emit\`, inputs as
events (checked, the newest applied per step), its bots on \`socket.io-client\` over the websocket transport (bytes counted per
engine.io packet, type byte and payload). Absolute numbers drift ~30 % between runs on this shared
machine; the ratios come from one run.`;
}

/** The bot section's three configurations, R rooms each. */
export interface BotRows {
  rooms: number;
  alone: Row;
  people: Row;
  bots: Row;
}

/**
 * Rooms of one person alone, of 16 people, and of one person with 15 bots (BOT_FILL=16 on a
 * second process). Adding 15 people or 15 bots to the lone rooms costs the difference.
 */
async function measureBots(plain: ServerProcess, filled: ServerProcess): Promise<BotRows> {
  const rooms = BOT_ROOMS;
  const step = async (label: string, server: ServerProcess, clients: number, perRoom: number): Promise<Row> => {
    process.stderr.write(`bench: ${label}...\n`);
    const row = await measure("arena", server, clients, 256, perRoom);
    process.stderr.write(`  ${JSON.stringify(row)}\n`);
    await sleep(settleMs(clients));
    return row;
  };
  const alone = await step(`${rooms} rooms of 1 person`, plain, rooms, 1);
  const people = await step(`${rooms} rooms of ${ROOM_SEATS} people`, plain, rooms * ROOM_SEATS, ROOM_SEATS);
  const bots = await step(`${rooms} rooms of 1 person + ${ROOM_SEATS - 1} bots`, filled, rooms, 1);
  return { rooms, alone, people, bots };
}

function botReport(b: BotRows): string {
  const added = b.rooms * (ROOM_SEATS - 1);
  // cpuPercent is % of one core: CPU seconds per second, times 100.
  const perAdded = (r: Row): number => ((r.cpuPercent - b.alone.cpuPercent) / 100) * 1e6 / added;
  const line = (what: string, r: Row, players: string): string =>
    `| ${what} | ${players} | ${f(r.cpuPercent, 1)} % | ${f(r.stepP50Us)} / ${f(r.stepP99Us)} | ${f(r.rssMb)} |`;
  const person = perAdded(b.people);
  const bot = perAdded(b.bots);
  return `## Bots: server CPU of a bot beside a person's (\`npm run bench\`)

${machineLine()}. ${b.rooms} rooms in each configuration, on \`npm start\` defaults (30 Hz steps, 20 Hz patches, ${ROOM_SEATS} seats), same
pilot and window as above. *alone*: each room holds one load-test client. *people*: ${ROOM_SEATS} clients per room. *bots*: one client per
room on a process with \`BOT_FILL=${ROOM_SEATS}\`, so each room holds one person and ${ROOM_SEATS - 1} server-side bots. The cost of a person
or a bot is the CPU added over *alone*, divided by the ${added} people or bots added (a person's includes encoding and sending its
patches and reading its inputs; a bot's, its brain, its share of the step and of everyone's patches).

| rooms | players per room | server CPU | step p50 / p99 µs | RSS MB |
| --- | --- | --- | --- | --- |
${line("alone", b.alone, "1 person")}
${line("people", b.people, `${ROOM_SEATS} people`)}
${line("bots", b.bots, `1 person + ${ROOM_SEATS - 1} bots`)}

CPU per added player: **a person ${f(person)} µs/s, a bot ${f(bot)} µs/s** (${f(bot / person, 2)}× a person).`;
}

/** The machine's 1-minute load average as the run began: on a shared machine, how much else was running. */
const loadAtStart = loadavg()[0] ?? NaN;
const servers: ServerProcess[] = [];
const idleRssMb: Partial<Record<Kind, number>> = {};
const rows: Row[] = [];
let botRows: BotRows | undefined;
try {
  // Load-test clients are the only players here: no bots fill the rooms they open (the bot section adds its own).
  // Started together (they are idle until measured); the bot section's process too, if it runs.
  const track = <T extends ServerProcess>(p: Promise<T>): Promise<T> => p.then((s) => (servers.push(s), s));
  // Five processes compiling their TypeScript at once on a busy 2-core machine can take well over 30 s.
  const start = { showErrors: true, timeoutMs: 90_000 };
  const baseline = (kind: Exclude<Kind, "arena">): Promise<ServerProcess> =>
    track(startProcess(kind, `${REPO_ROOT}loadtest/baseline/${kind}.ts`, start));
  const optional = (kind: Exclude<Kind, "arena">): Promise<ServerProcess | undefined> =>
    RUN_KINDS.includes(kind) ? baseline(kind) : Promise.resolve(undefined);
  const [arena, floor, naive, socketio, filled] = await Promise.all([
    track(spawnServer({ BOT_FILL: "0" }, start)),
    optional("floor"), optional("naive"), optional("socketio"),
    BOT_ROOMS > 0 ? track(spawnServer({ BOT_FILL: String(ROOM_SEATS) }, start)) : undefined,
  ]);
  const byKind: Partial<Record<Kind, ServerProcess>> = { arena, floor, naive, socketio };
  await sleep(1000);
  for (const k of RUN_KINDS) idleRssMb[k] = sampleProcess(byKind[k]!.pid).rssBytes / 1024 / 1024;
  for (const bots of COUNTS) {
    let floorBytes = 256;
    for (const kind of RUN_KINDS) {
      process.stderr.write(`bench: ${bots} bots against ${kind}...\n`);
      const row = await measure(kind, byKind[kind]!, bots, floorBytes);
      if (kind === "arena" && row.patchBytesMean !== null) floorBytes = Math.round(row.patchBytesMean);
      rows.push(row);
      process.stderr.write(`  ${JSON.stringify(row)}\n`);
      await sleep(settleMs(bots)); // rooms dispose and sockets close before the next server is measured
    }
    const ours = rows.find((r) => r.bots === bots && r.kind === "arena")!;
    if (ours.failed > 0 || ours.players < bots || (ours.stepP99Us ?? 0) > 33_000 || ours.botCpuPercent > 95) {
      process.stderr.write(`bench: stopping after ${bots} bots (failed or dropped joins, step over budget, or bots saturated)\n`);
      break;
    }
  }
  if (filled !== undefined) {
    await Promise.all([floor, naive, socketio].map((s) => s?.stop()));
    botRows = await measureBots(arena, filled);
  }
} finally {
  await Promise.allSettled(servers.map((s) => s.stop()));
}

const body = report(rows);
console.log(body);
const botBody = botRows === undefined ? undefined : botReport(botRows);
if (botBody !== undefined) console.log("\n" + botBody);
mkdirSync(dirname(resolve(values.json)), { recursive: true });
writeFileSync(resolve(values.json), JSON.stringify(rows, null, 2) + "\n");
if (botRows !== undefined) writeFileSync(resolve(dirname(resolve(values.json)), "bench-bots.json"), JSON.stringify(botRows, null, 2) + "\n");
if (!values["no-write"] && process.env.BENCH_NO_WRITE !== "1") {
  writeSection("load", body);
  if (botBody !== undefined) writeSection("load-bots", botBody);
  writeFileSync(`${REPO_ROOT}docs/bench-load.svg`, chartSvg(rows));
}
process.exit(0);
