/**
 * `npm run sim:cluster -- --processes 170 --players 100000`: what a cluster of that many game processes and
 * players costs one Redis, measured, not estimated. Stand-ins for game processes (simStandIn.ts: the cluster work
 * of a process through the server's own modules, without rooms or sockets) run in a few child processes against a
 * redis-server this script starts on 127.0.0.1 and stops. After the stand-ins have seated their people, it
 * counts for --seconds: Redis commands (INFO commandstats), Redis CPU (INFO cpu), bytes in and out (INFO stats),
 * and the stand-ins' CPU (each child's process.cpuUsage(), divided by its stand-ins).
 *
 * Rates, from the capacity plan's assumptions (docs/OPERATIONS.md): each player joins once per 5-minute match
 * (players / 300 joins a second), 0.33 leaderboard credits a second per full room, 5 % of the players in the lobby.
 *
 * Options: --processes N (170), --players N (100000), --seconds S (20, measured), --children K (4),
 * --sweep "players@processes,..." (several runs, one table), --write (docs/BENCHMARKS.md section `sim-cluster`),
 * --label TEXT. Bounded: each run stops by itself (setup at most --setup-timeout, 300 s, then the measure).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { machineLine, startRedis, writeSection } from "@arena/testkit/remote";
import { ROOM_SEATS, StandIn, type StandInPlan } from "./simStandIn.ts";

/** A player joins once per match of at most 5 minutes (MATCH_SECONDS). */
const MATCH_SECONDS = 300;
/** Credits a second per full room (the capacity plan's ≤ 0.33 kills a second per full room). */
const CREDITS_PER_ROOM_S = 0.33;
const LOBBY_SHARE = 0.05;

interface ChildReport {
  standIns: number;
  cpuMs: number;
  setupMs: number;
  done: StandIn["done"];
}

export interface SimResult {
  processes: number;
  players: number;
  seconds: number;
  commandsPerSecond: number;
  byCommand: Map<string, number>;
  redisCpuPercent: number;
  bytesInPerSecond: number;
  bytesOutPerSecond: number;
  /** Stand-in CPU for its cluster work, as a share of one core. */
  standInCpuPercent: number;
  joinsPerSecond: number;
  creditsPerSecond: number;
  scopeReadsPerSecond: number;
  /** The rates asked for (the capacity plan's): a run on a busy machine may fall short of them. */
  joinTarget: number;
  creditTarget: number;
  usedMemoryMb: number;
  setupSeconds: number;
  errors: number;
}

// ---- child: hosts a group of stand-ins, driven over stdin ("go", "stop") -------------------------------------

async function child(): Promise<void> {
  const plans = JSON.parse(process.argv[process.argv.indexOf("--child") + 1]!) as StandInPlan[];
  const standIns = plans.map((p) => new StandIn(p));
  const setupStart = performance.now();
  // A few at a time: all at once would open every connection and seat every person in one burst.
  // The parent gone (its stdin closed): stop too, never left behind.
  process.stdin.on("close", () => process.exit(1));
  for (let i = 0; i < standIns.length; i += 2) await Promise.all(standIns.slice(i, i + 2).map((s) => s.start()));
  const setupMs = performance.now() - setupStart;
  process.stdout.write("ready\n");
  let cpu = process.cpuUsage();
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "go") {
      await Promise.all(standIns.map((s) => s.go()));
      cpu = process.cpuUsage();
      process.stdout.write("going\n");
    } else if (line === "stop") {
      const used = process.cpuUsage(cpu);
      const done = { joins: 0, credits: 0, scopeReads: 0, quickPlayReads: 0, lobbyReads: 0, errors: 0 };
      for (const s of standIns) for (const k of Object.keys(done) as (keyof typeof done)[]) done[k] += s.done[k];
      const report: ChildReport = { standIns: standIns.length, cpuMs: (used.user + used.system) / 1000, setupMs, done };
      process.stdout.write(`report ${JSON.stringify(report)}\n`);
      for (const s of standIns) s.stopping = true;
      await Promise.race([Promise.all(standIns.map((s) => s.stop())), new Promise((r) => setTimeout(r, 3000))]);
      process.exit(0);
    }
  }
}

// ---- parent: one run ------------------------------------------------------------------------------------------

function info(text: string, field: string): number {
  const m = new RegExp(`^${field}:([\\d.]+)`, "m").exec(text);
  return m === null ? 0 : Number(m[1]);
}

function commandCalls(text: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

/** Lines of a child's stdout, each handed to `onLine`. */
function lines(proc: ChildProcess, onLine: (line: string) => void): void {
  createInterface({ input: proc.stdout! }).on("line", onLine);
}

export async function simulate(opts: { processes: number; players: number; seconds: number; children: number; setupTimeoutS: number }): Promise<SimResult> {
  const { processes, players, seconds } = opts;
  const redis = await startRedis();
  const db = new Redis(redis.url);
  const kids: ChildProcess[] = [];
  try {
    const perProcess = players / processes;
    const rooms = players / ROOM_SEATS;
    const plans: StandInPlan[] = [...Array(processes).keys()].map((index) => ({
      redisUrl: redis.url,
      index,
      players: Math.round(perProcess),
      lobbyShare: LOBBY_SHARE,
      joinsPerSecond: players / MATCH_SECONDS / processes,
      creditsPerSecond: (rooms * CREDITS_PER_ROOM_S) / processes,
    }));
    const children = Math.min(opts.children, processes);
    const groups: StandInPlan[][] = [...Array(children).keys()].map((k) => plans.filter((_, i) => i % children === k));
    const reports: ChildReport[] = [];
    let failAll: (e: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (failAll = reject));
    failed.catch(() => undefined);
    let ready = 0;
    let readyAll: () => void = () => undefined;
    const allReady = new Promise<void>((r) => (readyAll = r));
    let going = 0;
    let goingAll: () => void = () => undefined;
    const allGoing = new Promise<void>((r) => (goingAll = r));
    let reported: () => void = () => undefined;
    const allReported = new Promise<void>((r) => (reported = r));
    const self = fileURLToPath(import.meta.url);
    for (const group of groups) {
      const proc = spawn(process.execPath, ["--import", "tsx", self, "--child", JSON.stringify(group)], { stdio: ["pipe", "pipe", "inherit"] });
      kids.push(proc);
      lines(proc, (line) => {
        if (line === "ready" && ++ready === groups.length) readyAll();
        if (line === "going" && ++going === groups.length) goingAll();
        if (line.startsWith("report ")) {
          reports.push(JSON.parse(line.slice(7)) as ChildReport);
          if (reports.length === groups.length) reported();
        }
      });
      proc.on("exit", (code) => {
        if (code !== 0 && reports.length < groups.length) failAll(new Error(`a stand-in group exited with ${code} before its report`));
      });
    }
    const setupStart = performance.now();
    await within(opts.setupTimeoutS * 1000, Promise.race([allReady, failed]), `stand-ins seated within ${opts.setupTimeoutS} s`);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    // Churn starts; a second for the first reads and writes to settle, then the counted window.
    for (const k of kids) k.stdin!.write("go\n");
    await within(60_000, Promise.race([allGoing, failed]), "stand-ins under way");
    const goneAt = performance.now();
    await new Promise((r) => setTimeout(r, 2000));
    await db.config("RESETSTAT");
    const before = await db.info("all");
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const after = await db.info("all");
    const elapsed = (performance.now() - t0) / 1000;
    for (const k of kids) k.stdin!.write("stop\n");
    // Redis' side is counted already; a stand-in group too busy to report in time leaves its CPU and work unknown.
    await within(120_000, Promise.race([allReported, failed]), "stand-in reports").catch((e: Error) => process.stderr.write(`${e.message}: ${reports.length} of ${groups.length} groups reported\n`));
    const childSpan = (performance.now() - goneAt) / 1000;
    const reportedStandIns = reports.reduce((s, r) => s + r.standIns, 0);
    const calls = commandCalls(after);
    calls.delete("info");
    calls.delete("config");
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    const cpu = (t: string): number => info(t, "used_cpu_sys") + info(t, "used_cpu_user");
    const cpuMs = reports.reduce((s, r) => s + r.cpuMs, 0);
    // The children's CPU and work are counted from their "going" to their report: about the settling seconds longer.
    const sum = (k: keyof ChildReport["done"]): number => reports.reduce((s, r) => s + r.done[k], 0);
    return {
      processes,
      players,
      seconds: elapsed,
      commandsPerSecond: total / elapsed,
      byCommand: new Map([...calls].map(([c, n]) => [c, n / elapsed])),
      redisCpuPercent: ((cpu(after) - cpu(before)) / elapsed) * 100,
      bytesInPerSecond: (info(after, "total_net_input_bytes") - info(before, "total_net_input_bytes")) / elapsed,
      bytesOutPerSecond: (info(after, "total_net_output_bytes") - info(before, "total_net_output_bytes")) / elapsed,
      standInCpuPercent: reportedStandIns === 0 ? NaN : (cpuMs / reportedStandIns / (childSpan * 1000)) * 100,
      joinsPerSecond: sum("joins") / childSpan,
      creditsPerSecond: sum("credits") / childSpan,
      scopeReadsPerSecond: sum("scopeReads") / childSpan,
      joinTarget: players / MATCH_SECONDS,
      creditTarget: rooms * CREDITS_PER_ROOM_S,
      usedMemoryMb: info(after, "used_memory") / 1e6,
      setupSeconds,
      errors: sum("errors"),
    };
  } finally {
    for (const k of kids) if (k.exitCode === null) k.kill("SIGKILL");
    db.disconnect();
    await redis.stop();
  }
}

async function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- the command line ------------------------------------------------------------------------------------------

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function whole(name: string, fallback: number, min: number, max: number): number {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
  return v;
}

const k = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));
const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB/s`;

export function table(results: readonly SimResult[]): string {
  const top = [...new Set(results.flatMap((r) => [...r.byCommand.keys()]))]
    .filter((c) => results.some((r) => (r.byCommand.get(c) ?? 0) >= 0.5))
    .sort((a, b) => Math.max(...results.map((r) => r.byCommand.get(b) ?? 0)) - Math.max(...results.map((r) => r.byCommand.get(a) ?? 0)));
  const head = `| | ${results.map((r) => `${k(r.players)} players, ${r.processes} processes`).join(" | ")} |\n|---|${results.map(() => "---").join("|")}|`;
  const row = (label: string, f: (r: SimResult) => string): string => `| ${label} | ${results.map(f).join(" | ")} |`;
  return [
    head,
    row("Redis commands/s", (r) => `**${k(r.commandsPerSecond)}**`),
    row("… per process", (r) => (r.commandsPerSecond / r.processes).toFixed(0)),
    row("Redis CPU (one core = 100 %)", (r) => `**${r.redisCpuPercent.toFixed(0)} %**`),
    row("bytes into Redis", (r) => mb(r.bytesInPerSecond)),
    row("bytes out of Redis", (r) => mb(r.bytesOutPerSecond)),
    row("stand-in CPU for cluster work (of one core)", (r) => `${r.standInCpuPercent.toFixed(1)} %`),
    row("Redis memory", (r) => `${r.usedMemoryMb.toFixed(0)} MB`),
    row("joins/s done (asked)", (r) => `${r.joinsPerSecond.toFixed(0)} (${r.joinTarget.toFixed(0)})`),
    row("credits/s done (asked)", (r) => `${r.creditsPerSecond.toFixed(0)} (${r.creditTarget.toFixed(0)})`),
    row("scoped lists read/s", (r) => r.scopeReadsPerSecond.toFixed(0)),
    row("setup (seating everyone), s", (r) => r.setupSeconds.toFixed(0)),
    row("errors", (r) => String(r.errors)),
    ...top.map((c) => row(`\`${c}\`/s`, (r) => k(r.byCommand.get(c) ?? 0))),
  ].join("\n");
}

async function main(): Promise<void> {
  const seconds = whole("seconds", 20, 2, 120);
  const children = whole("children", 4, 1, 16);
  const setupTimeoutS = whole("setup-timeout", 300, 10, 900);
  const sweep = arg("sweep", "");
  const runs = sweep === ""
    ? [{ players: whole("players", 100_000, 16, 200_000), processes: whole("processes", 170, 1, 400) }]
    : sweep.split(",").map((s) => {
      const [players, processes] = s.split("@").map(Number);
      if (!Number.isInteger(players) || !Number.isInteger(processes) || players! < 16 || processes! < 1 || processes! > 400 || players! > 200_000) throw new Error(`--sweep entries are players@processes, got "${s}"`);
      return { players: players!, processes: processes! };
    });
  const results: SimResult[] = [];
  for (const run of runs) {
    process.stdout.write(`${run.players} players on ${run.processes} stand-ins, ${seconds} s measured...\n`);
    const r = await simulate({ ...run, seconds, children, setupTimeoutS });
    process.stdout.write(`  joins ${r.joinsPerSecond.toFixed(1)}/s (asked ${r.joinTarget.toFixed(1)}), credits ${r.creditsPerSecond.toFixed(1)}/s (asked ${r.creditTarget.toFixed(1)}), errors ${r.errors}\n`);
    process.stdout.write(`  ${k(r.commandsPerSecond)} commands/s, Redis CPU ${r.redisCpuPercent.toFixed(0)} %, in ${mb(r.bytesInPerSecond)}, out ${mb(r.bytesOutPerSecond)}, stand-in CPU ${r.standInCpuPercent.toFixed(1)} % (setup ${r.setupSeconds.toFixed(0)} s)\n`);
    results.push(r);
  }
  const body = `## Cluster simulation (\`npm run sim:cluster\`, ${arg("label", "now")})

${machineLine()}. Stand-ins for game processes (server/bench/simStandIn.ts: heartbeats, status feed, people's whereabouts,
contacts, notification channels and scoped lists, room listings with the open-room index and the lobby's listing feed,
quick play's index read, leaderboard credits and snapshot re-reads, through the server's own modules; no rooms, no
sockets, no match custody) on one redis-server, ${seconds} s counted after every person is seated. Rates from the
capacity plan: a join per player per 5-minute match, ${CREDITS_PER_ROOM_S} credits a second per full room, ${LOBBY_SHARE * 100} % of the
players in the lobby (each lobby visitor's scoped list re-read every 3 s). Redis and the stand-ins share the machine's
2 cores with each other (and with other work): a Redis CPU near 100 % means the run was bound by it.

${table(results)}`;
  process.stdout.write(`\n${body}\n`);
  if (process.argv.includes("--write")) writeSection(`sim-cluster-${arg("label", "now")}`, body);
  process.exit(0);
}

if (process.argv.includes("--child")) await child();
else if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
