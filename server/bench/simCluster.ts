/**
 * `npm run sim:cluster -- --processes 170 --players 100000`: what a cluster of that many game processes and
 * players costs Redis, measured, not estimated. Stand-ins for game processes (simStandIn.ts: the cluster work of a
 * process through the server's own modules, each stand-in with its own Redis connections, without rooms or
 * sockets) run many to a Node process, in a few child processes, against a redis-server (or, with --cluster, a
 * Redis Cluster of 3 masters) this script starts on 127.0.0.1 and stops. After the stand-ins have seated their
 * people and the churn has run 2 s, it counts for --seconds: Redis commands and their time in Redis (INFO
 * commandstats), Redis CPU (INFO cpu), bytes in and out (INFO stats), per node with a cluster, and the stand-ins'
 * CPU (each child's process.cpuUsage() over the same window, divided by its stand-ins).
 *
 * Each run says how much of the work asked it did: joins, credits, scoped lists and heartbeats finished (answered by
 * Redis) against the rates asked, the least share of the four. Below STARVED (95 %) the run is marked starved: on a
 * machine too busy for the stand-ins, their figures are those of less work than the plan's, not the plan's.
 *
 * Rates, from the capacity plan's assumptions (docs/OPERATIONS.md): each player joins once per 5-minute match
 * (players / 300 joins a second), 0.33 leaderboard credits a second per full room, 5 % of the players in the lobby.
 *
 * Where the stand-ins of a large cluster cannot keep the plan's rates on this machine (every stand-in hears every
 * event: their cost is processes × events, which a real cluster spreads over its processes' cores), --pace F asks F
 * of the plan's event rates (joins, credits, scoped list re-reads) with everyone seated and every process's own
 * timers as they are; two such runs give the plan's rates by a straight line (projectedRun, `--table a.json+b.json`).
 *
 * Options: --processes N (170), --players N (100000), --seconds S (20, measured), --children K (4), --cluster,
 * --pace F (1), --sweep "players@processes,..." (several runs, one table), --write (docs/BENCHMARKS.md section
 * `sim-cluster-<label>`), --label TEXT, --profile DIR (each child's V8 CPU profile), --json FILE (the result, for
 * --table a.json,b.json,c.json+d.json: one table of runs made one at a time, "+" a projection). Bounded: each run
 * stops by itself (setup at most --setup-timeout, 300 s, then the measure).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { Redis } from "ioredis";
import { machineLine, startRedis, startRedisCluster, writeSection } from "@arena/testkit/remote";
import { parseRedisNodes, type RedisTarget } from "../src/scale/redisTarget.ts";
import { SCOPE_REFRESH_MS } from "../src/people/PeopleDirectory.ts";
import { ROOM_SEATS, StandIn, type StandInPlan, type Work } from "./simStandIn.ts";
import { projectedRun } from "./simProjection.ts";

/** A player joins once per match of at most 5 minutes (MATCH_SECONDS). */
const MATCH_SECONDS = 300;
/** Credits a second per full room (the capacity plan's ≤ 0.33 kills a second per full room). */
const CREDITS_PER_ROOM_S = 0.33;
const LOBBY_SHARE = 0.05;

type Asked = ReturnType<StandIn["planned"]>;

interface ChildReport {
  standIns: number;
  /** CPU of this group from the mark to the stop, and that span (the child's own clock). */
  cpuMs: number;
  spanMs: number;
  setupMs: number;
  done: Work;
  asked: Asked;
}

/** One Redis node's figures over the counted window. */
export interface NodeLoad {
  port: number;
  commandsPerSecond: number;
  cpuPercent: number;
  bytesInPerSecond: number;
  bytesOutPerSecond: number;
  usedMemoryMb: number;
}

export interface SimResult {
  processes: number;
  players: number;
  cluster: boolean;
  /** Share of the plan's event rates (joins, credits, scoped list re-reads) asked: 1 is the plan. */
  pace: number;
  /** Set on a projection (projectedRun): the paces of the two measured runs it was drawn from. */
  projectedFrom?: readonly [number, number];
  seconds: number;
  /** 1-minute load average of the machine when the run started and when it ended. */
  loadBefore: number;
  loadAfter: number;
  commandsPerSecond: number;
  byCommand: Map<string, { perSecond: number; usecPerCall: number }>;
  redisCpuPercent: number;
  bytesInPerSecond: number;
  bytesOutPerSecond: number;
  /** Per node, with a cluster (one entry with one redis-server). */
  nodes: NodeLoad[];
  /** Stand-in CPU for its cluster work, as a share of one core. */
  standInCpuPercent: number;
  /** Work done a second, and what was asked (the capacity plan's rates). */
  perSecond: Work;
  asked: Asked;
  /** The least of done / asked over joins, credits, scoped lists and heartbeats: below STARVED the figures are not the plan's. */
  workDone: number;
  usedMemoryMb: number;
  setupSeconds: number;
  errors: number;
}

/** A run that did less than this share of any work asked is reported as starved, not as a figure. */
export const STARVED = 0.95;

const NO_WORK: Work = { joins: 0, credits: 0, scopeReads: 0, beats: 0, quickPlayReads: 0, lobbyNotices: 0, lobbyReads: 0, errors: 0 };

function minus(a: Work, b: Work): Work {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof Work)[]) out[k] -= b[k];
  return out;
}

// ---- child: hosts a group of stand-ins, driven over stdin ("go", "mark", "stop") ---------------------------------

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
  const total = (): Work => {
    const sum = { ...NO_WORK };
    for (const s of standIns) for (const k of Object.keys(sum) as (keyof Work)[]) sum[k] += s.done[k];
    return sum;
  };
  let mark = { cpu: process.cpuUsage(), at: performance.now(), done: total() };
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "go") {
      await Promise.all(standIns.map((s) => s.go()));
      process.stdout.write("going\n");
    } else if (line === "mark") {
      mark = { cpu: process.cpuUsage(), at: performance.now(), done: total() };
      process.stdout.write("marked\n");
    } else if (line === "stop") {
      const used = process.cpuUsage(mark.cpu);
      const spanMs = performance.now() - mark.at;
      const asked = { joins: 0, credits: 0, scopeReads: 0, beats: 0 };
      for (const s of standIns) for (const [k, v] of Object.entries(s.planned(spanMs / 1000)) as [keyof Asked, number][]) asked[k] += v;
      const report: ChildReport = { standIns: standIns.length, cpuMs: (used.user + used.system) / 1000, spanMs, setupMs, done: minus(total(), mark.done), asked };
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

function commandStats(text: string): Map<string, { calls: number; usec: number }> {
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) stats.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  return stats;
}

/** Lines of a child's stdout, each handed to `onLine`. */
function lines(proc: ChildProcess, onLine: (line: string) => void): void {
  createInterface({ input: proc.stdout! }).on("line", onLine);
}

/** The Redis the stand-ins share: one redis-server, or a Redis Cluster of 3 masters (no replicas), on loopback. */
async function startTarget(cluster: boolean): Promise<{ target: RedisTarget; ports: number[]; stop(): Promise<void> }> {
  if (!cluster) {
    const r = await startRedis();
    return { target: { kind: "single", url: r.url }, ports: [r.port], stop: () => r.stop() };
  }
  const c = await startRedisCluster({ masters: 3, replicas: 0 });
  return { target: { kind: "cluster", ...parseRedisNodes(c.seeds) }, ports: c.nodes.map((n) => n.port), stop: () => c.stop() };
}

/** Counts of every node at one moment. */
function snapshotOf(dbs: readonly Redis[]): Promise<string[]> {
  return Promise.all(dbs.map((db) => db.info("all")));
}

/** A group's stdout lines counted by kind: each kind resolves once every group has said it. */
class Chorus {
  private readonly counts = new Map<string, number>();
  private readonly waiting = new Map<string, () => void>();
  constructor(private readonly groups: number) {}
  heard(kind: string): void {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    if (n === this.groups) this.waiting.get(kind)?.();
  }
  all(kind: string): Promise<void> {
    if ((this.counts.get(kind) ?? 0) >= this.groups) return Promise.resolve();
    return new Promise((r) => this.waiting.set(kind, r));
  }
}

export async function simulate(opts: { processes: number; players: number; seconds: number; children: number; setupTimeoutS: number; pace?: number; cluster?: boolean; profileDir?: string }): Promise<SimResult> {
  const { processes, players, seconds } = opts;
  const pace = opts.pace ?? 1;
  const loadBefore = loadavg()[0]!;
  const redis = await startTarget(opts.cluster === true);
  const dbs = redis.ports.map((port) => new Redis({ host: "127.0.0.1", port }));
  const kids: ChildProcess[] = [];
  try {
    const perProcess = players / processes;
    const rooms = players / ROOM_SEATS;
    const plans: StandInPlan[] = [...Array(processes).keys()].map((index) => ({
      redis: redis.target,
      index,
      players: Math.round(perProcess),
      lobbyShare: LOBBY_SHARE,
      joinsPerSecond: (pace * players) / MATCH_SECONDS / processes,
      creditsPerSecond: (pace * rooms * CREDITS_PER_ROOM_S) / processes,
      scopeRefreshMs: SCOPE_REFRESH_MS / pace,
    }));
    const children = Math.min(opts.children, processes);
    const groups: StandInPlan[][] = [...Array(children).keys()].map((k) => plans.filter((_, i) => i % children === k));
    const reports: ChildReport[] = [];
    const chorus = new Chorus(groups.length);
    let failAll: (e: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (failAll = reject));
    failed.catch(() => undefined);
    const self = fileURLToPath(import.meta.url);
    for (const group of groups) {
      const profile = opts.profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", opts.profileDir];
      const proc = spawn(process.execPath, [...profile, "--import", "tsx", self, "--child", JSON.stringify(group)], { stdio: ["pipe", "pipe", "inherit"] });
      kids.push(proc);
      lines(proc, (line) => {
        if (line.startsWith("report ")) {
          reports.push(JSON.parse(line.slice(7)) as ChildReport);
          chorus.heard("report");
        } else chorus.heard(line);
      });
      proc.on("exit", (code) => {
        if (code !== 0 && reports.length < groups.length) failAll(new Error(`a stand-in group exited with ${code} before its report`));
      });
    }
    const tell = (word: string): void => {
      for (const k of kids) k.stdin!.write(`${word}\n`);
    };
    const setupStart = performance.now();
    await within(opts.setupTimeoutS * 1000, Promise.race([chorus.all("ready"), failed]), `stand-ins seated within ${opts.setupTimeoutS} s`);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    // Churn starts; two seconds for the first reads and writes to settle, then the counted window, the same for
    // Redis (INFO before and after) and for the stand-ins (their CPU and work from "mark" to "stop").
    tell("go");
    await within(60_000, Promise.race([chorus.all("going"), failed]), "stand-ins under way");
    await new Promise((r) => setTimeout(r, 2000));
    tell("mark");
    const before = await snapshotOf(dbs);
    const t0 = performance.now();
    await within(30_000, Promise.race([chorus.all("marked"), failed]), "stand-ins marked");
    await new Promise((r) => setTimeout(r, Math.max(0, seconds * 1000 - (performance.now() - t0))));
    tell("stop");
    const after = await snapshotOf(dbs);
    const elapsed = (performance.now() - t0) / 1000;
    const loadAfter = loadavg()[0]!;
    // Redis' side is counted already; a stand-in group too busy to report in time leaves its CPU and work unknown.
    await within(120_000, Promise.race([chorus.all("report"), failed]), "stand-in reports").catch((e: Error) => process.stderr.write(`${e.message}: ${reports.length} of ${groups.length} groups reported\n`));
    const reportedStandIns = reports.reduce((s, r) => s + r.standIns, 0);
    const cpu = (t: string): number => info(t, "used_cpu_sys") + info(t, "used_cpu_user");
    const nodes: NodeLoad[] = redis.ports.map((port, i) => {
      const [a, b] = [after[i]!, before[i]!];
      const calls = [...commandStats(a)].filter(([c]) => c !== "info" && c !== "config").reduce((s, [c, v]) => s + v.calls - (commandStats(b).get(c)?.calls ?? 0), 0);
      return {
        port,
        commandsPerSecond: calls / elapsed,
        cpuPercent: ((cpu(a) - cpu(b)) / elapsed) * 100,
        bytesInPerSecond: (info(a, "total_net_input_bytes") - info(b, "total_net_input_bytes")) / elapsed,
        bytesOutPerSecond: (info(a, "total_net_output_bytes") - info(b, "total_net_output_bytes")) / elapsed,
        usedMemoryMb: info(a, "used_memory") / 1e6,
      };
    });
    const byCommand = new Map<string, { perSecond: number; usecPerCall: number }>();
    const merged = new Map<string, { calls: number; usec: number }>();
    redis.ports.forEach((_, i) => {
      const b = commandStats(before[i]!);
      for (const [c, v] of commandStats(after[i]!)) {
        if (c === "info" || c === "config") continue;
        const m = merged.get(c) ?? { calls: 0, usec: 0 };
        m.calls += v.calls - (b.get(c)?.calls ?? 0);
        m.usec += v.usec - (b.get(c)?.usec ?? 0);
        merged.set(c, m);
      }
    });
    for (const [c, v] of merged) if (v.calls > 0) byCommand.set(c, { perSecond: v.calls / elapsed, usecPerCall: v.usec / v.calls });
    const spanS = reports.length === 0 ? elapsed : reports.reduce((s, r) => s + r.spanMs, 0) / reports.length / 1000;
    const done = reports.reduce((sum, r) => {
      for (const k of Object.keys(sum) as (keyof Work)[]) sum[k] += r.done[k];
      return sum;
    }, { ...NO_WORK });
    const asked = reports.reduce((sum, r) => {
      for (const k of Object.keys(sum) as (keyof Asked)[]) sum[k] += r.asked[k];
      return sum;
    }, { joins: 0, credits: 0, scopeReads: 0, beats: 0 });
    const perSecond = { ...done };
    for (const k of Object.keys(perSecond) as (keyof Work)[]) perSecond[k] /= spanS;
    const askedPerSecond = { ...asked };
    for (const k of Object.keys(askedPerSecond) as (keyof Asked)[]) askedPerSecond[k] /= spanS;
    // A group that did not report did none of its work, as far as this run can tell.
    const shares = (Object.keys(asked) as (keyof Asked)[]).filter((k) => asked[k] > 0).map((k) => done[k] / asked[k]);
    const workDone = reports.length < groups.length ? 0 : Math.min(1, ...shares);
    return {
      processes,
      players,
      cluster: opts.cluster === true,
      pace,
      seconds: elapsed,
      loadBefore,
      loadAfter,
      commandsPerSecond: nodes.reduce((s, n) => s + n.commandsPerSecond, 0),
      byCommand,
      redisCpuPercent: nodes.reduce((s, n) => s + n.cpuPercent, 0),
      bytesInPerSecond: nodes.reduce((s, n) => s + n.bytesInPerSecond, 0),
      bytesOutPerSecond: nodes.reduce((s, n) => s + n.bytesOutPerSecond, 0),
      nodes,
      standInCpuPercent: reportedStandIns === 0 ? NaN : (reports.reduce((s, r) => s + r.cpuMs, 0) / reportedStandIns / (spanS * 1000)) * 100,
      perSecond,
      asked: askedPerSecond,
      workDone,
      usedMemoryMb: nodes.reduce((s, n) => s + n.usedMemoryMb, 0),
      setupSeconds,
      errors: done.errors,
    };
  } finally {
    // A moment for the groups to stop by themselves (a profiled one writes its profile as it exits), then killed.
    await within(5000, Promise.all(kids.map((k) => (k.exitCode !== null ? undefined : new Promise((r) => k.once("exit", r))))), "stand-in groups exited").catch(() => undefined);
    for (const k of kids) if (k.exitCode === null) k.kill("SIGKILL");
    for (const db of dbs) db.disconnect();
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

const k = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n >= 10 ? n.toFixed(0) : n.toFixed(1));
const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB/s`;
const pct = (n: number): string => `${(n * 100).toFixed(0)} %`;

/** "10k players, 10 processes, pace 0.1": a run's column head, marked when it was starved or is a projection. */
function head(r: SimResult): string {
  const pace = r.projectedFrom !== undefined ? `, **projected** to pace 1 from ${r.projectedFrom[0]} and ${r.projectedFrom[1]}` : r.pace === 1 ? "" : `, pace ${r.pace}`;
  return `${k(r.players)} players, ${r.processes} processes${r.cluster ? ", cluster" : ""}${pace}${r.workDone < STARVED ? " (**starved**)" : ""}`;
}

export function table(results: readonly SimResult[]): string {
  const top = [...new Set(results.flatMap((r) => [...r.byCommand.keys()]))]
    .filter((c) => results.some((r) => (r.byCommand.get(c)?.perSecond ?? 0) >= 0.5))
    .sort((a, b) => Math.max(...results.map((r) => r.byCommand.get(b)?.perSecond ?? 0)) - Math.max(...results.map((r) => r.byCommand.get(a)?.perSecond ?? 0)));
  const row = (label: string, f: (r: SimResult) => string): string => `| ${label} | ${results.map(f).join(" | ")} |`;
  const done = (key: keyof SimResult["asked"]) => (r: SimResult): string => `${k(r.perSecond[key])} (${k(r.asked[key])})`;
  const clustered = Math.max(...results.map((r) => r.nodes.length));
  const perNode = [...Array(clustered > 1 ? clustered : 0).keys()].map((i) =>
    row(`node ${i + 1}: commands/s, CPU, out`, (r) => {
      const n = r.nodes[i];
      return n === undefined || r.nodes.length < 2 ? "" : `${k(n.commandsPerSecond)}, ${n.cpuPercent.toFixed(0)} %, ${mb(n.bytesOutPerSecond)}`;
    }));
  return [
    `| | ${results.map(head).join(" | ")} |`,
    `|---|${results.map(() => "---").join("|")}|`,
    row("load average (1 min), start → end", (r) => `${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)}`),
    row(`work done of the work asked (least of the four below; < ${pct(STARVED)}: starved)`, (r) => `**${pct(r.workDone)}**`),
    row("Redis commands/s", (r) => `**${k(r.commandsPerSecond)}**`),
    row("… per process", (r) => (r.commandsPerSecond / r.processes).toFixed(0)),
    row("Redis CPU (one core = 100 %)", (r) => `**${r.redisCpuPercent.toFixed(0)} %**`),
    row("bytes into Redis", (r) => mb(r.bytesInPerSecond)),
    row("bytes out of Redis", (r) => mb(r.bytesOutPerSecond)),
    ...perNode,
    row("stand-in CPU for cluster work (of one core)", (r) => `${r.standInCpuPercent.toFixed(1)} %`),
    row("Redis memory", (r) => `${r.usedMemoryMb.toFixed(0)} MB`),
    row("joins/s done (asked)", done("joins")),
    row("credits/s done (asked)", done("credits")),
    row("scoped lists read/s (asked)", done("scopeReads")),
    row("heartbeats/s (asked)", done("beats")),
    row("lobby notices heard/s, all processes", (r) => k(r.perSecond.lobbyNotices)),
    row("listing reads for them/s", (r) => k(r.perSecond.lobbyReads)),
    row("setup (seating everyone), s", (r) => r.setupSeconds.toFixed(0)),
    row("errors", (r) => String(r.errors)),
    ...top.map((c) => row(`\`${c}\`/s (µs each in Redis)`, (r) => {
      const v = r.byCommand.get(c);
      return v === undefined ? "0" : `${k(v.perSecond)} (${v.usecPerCall.toFixed(1)})`;
    })),
  ].join("\n");
}

/** A result as JSON (its per-command map as an object), and back. */
const toJson = (r: SimResult): unknown => ({ ...r, byCommand: Object.fromEntries(r.byCommand) });
// Runs saved before --pace were at the plan's pace.
const fromJson = (j: SimResult & { byCommand: Record<string, { perSecond: number; usecPerCall: number }> }): SimResult => ({ ...j, pace: j.pace ?? 1, byCommand: new Map(Object.entries(j.byCommand)) });
const loaded = (file: string): SimResult => fromJson(JSON.parse(readFileSync(file, "utf8")));

async function main(): Promise<void> {
  // --table a.json,b.json,c.json+d.json: one table from runs saved by --json (runs made one at a time, when the machine
  // was quiet); "c.json+d.json" is the projection to pace 1 of two runs at lower paces.
  const saved = arg("table", "");
  if (saved !== "") {
    const column = (entry: string): SimResult => {
      const [a, b, ...rest] = entry.split("+");
      if (b === undefined) return loaded(a!);
      if (rest.length > 0) throw new Error(`a projection is drawn from two runs, got "${entry}"`);
      return projectedRun(loaded(a!), loaded(b));
    };
    process.stdout.write(`${table(saved.split(",").map(column))}\n`);
    return;
  }
  const seconds = whole("seconds", 20, 2, 120);
  const children = whole("children", 4, 1, 16);
  const setupTimeoutS = whole("setup-timeout", 300, 10, 900);
  const cluster = process.argv.includes("--cluster");
  const pace = Number(arg("pace", "1"));
  if (!(pace >= 0 && pace <= 1)) throw new Error("--pace is a share of the plan's event rates, from 0 to 1");
  const profileDir = arg("profile", "") || undefined;
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
    process.stdout.write(`${run.players} players on ${run.processes} stand-ins${cluster ? " on a 3-master cluster" : ""}${pace === 1 ? "" : ` at pace ${pace}`}, ${seconds} s measured (load ${loadavg()[0]!.toFixed(1)})...\n`);
    const r = await simulate({ ...run, seconds, children, setupTimeoutS, cluster, pace, ...(profileDir !== undefined && { profileDir }) });
    process.stdout.write(`  work done ${pct(r.workDone)}${r.workDone < STARVED ? " STARVED" : ""}: joins ${r.perSecond.joins.toFixed(1)}/s (asked ${r.asked.joins.toFixed(1)}), credits ${r.perSecond.credits.toFixed(1)}/s (asked ${r.asked.credits.toFixed(1)}), scoped lists ${r.perSecond.scopeReads.toFixed(1)}/s (asked ${r.asked.scopeReads.toFixed(1)}), beats ${r.perSecond.beats.toFixed(1)}/s (asked ${r.asked.beats.toFixed(1)}), errors ${r.errors}\n`);
    process.stdout.write(`  ${k(r.commandsPerSecond)} commands/s, Redis CPU ${r.redisCpuPercent.toFixed(0)} %, in ${mb(r.bytesInPerSecond)}, out ${mb(r.bytesOutPerSecond)}, stand-in CPU ${r.standInCpuPercent.toFixed(1)} % (setup ${r.setupSeconds.toFixed(0)} s, load ${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)})\n`);
    results.push(r);
  }
  const body = `## Cluster simulation (\`npm run sim:cluster\`, ${arg("label", "now")})

${machineLine()}. Stand-ins for game processes (server/bench/simStandIn.ts: heartbeats, status feed, people's whereabouts,
contacts, notification channels and scoped lists, room listings with the open-room index and the lobby's listing feed,
quick play's index read, leaderboard credits and snapshot re-reads, through the server's own modules; no rooms, no
sockets, no match custody) on ${cluster ? "a Redis Cluster of 3 masters" : "one redis-server"}, ${seconds} s counted after every person is seated. Rates from the
capacity plan: a join per player per 5-minute match, ${CREDITS_PER_ROOM_S} credits a second per full room, ${LOBBY_SHARE * 100} % of the
players in the lobby (each lobby visitor's scoped list re-read every 3 s). Redis and the stand-ins share the machine's
2 cores with each other (and with other work): a run that did less than ${pct(STARVED)} of any work asked is starved.

${table(results)}`;
  process.stdout.write(`\n${body}\n`);
  const json = arg("json", "");
  if (json !== "") writeFileSync(json, JSON.stringify(results.length === 1 ? toJson(results[0]!) : results.map(toJson)));
  if (process.argv.includes("--write")) writeSection(`sim-cluster-${arg("label", "now")}`, body);
  process.exit(0);
}

if (process.argv.includes("--child")) await child();
else if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
