/**
 * A fuzz campaign against a real server process: a bystander plays while
 * hostile clients, each on a real seat, write fuzz frames onto their sockets;
 * the server's exit, its log lines, its /metrics and the bystander's patch
 * rate say whether it held. Bounded by a frame count and a deadline,
 * 127.0.0.1 only, and it stops everything it started.
 */
import { loadavg } from "node:os";
import { ErrorCode, type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { MAX_FRAME_BYTES, MESSAGES_PER_SECOND, type ArenaState } from "@arena/shared";
import { guestToken, sampleProcess, seededRandom } from "@arena/testkit/remote";
import { scrape, total, type MetricFamily } from "../prometheus.ts";
import { Bystander } from "./bystander.ts";
import { FrameMaker, PROTOCOL_CODES, type FrameKind } from "./frames.ts";
import { emptyStats, runHostile, type HostileStats } from "./hostile.ts";
import { recordSdkFrames } from "./record.ts";
import { startLoggedServer } from "./serverProcess.ts";
import { watchServer } from "./watch.ts";

export interface CampaignOptions {
  /** Frames to send in all (the campaign ends when they are sent or at the deadline). */
  readonly frames: number;
  /** Hostile clients at once. */
  readonly clients: number;
  readonly seed: number;
  /** Hard limit on the fuzzing phase. */
  readonly maxSeconds: number;
  /** Progress lines (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

export interface Memory {
  rssMb: number;
  heapUsedMb: number;
}

export interface CampaignReport {
  readonly options: CampaignOptions;
  readonly sent: Record<FrameKind, number>;
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly seconds: number;
  readonly joins: number;
  readonly joinFailures: Array<[string, number]>;
  readonly closes: Array<[number, number]>;
  /** SDK frames recorded to mutate, by label. */
  readonly recorded: Array<[string, number]>;
  readonly crashes: number;
  readonly crash: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly unhandledRejections: number;
  /** arena_unhandled_rejections_total after the run (the server's own count). */
  readonly unhandledRejectionsMetric: number;
  readonly uncaughtExceptions: number;
  readonly roomExceptions: number;
  readonly protocolErrors: number;
  readonly colyseusErrorLines: number;
  readonly samples: string[];
  /** Websocket frames the server counted from all clients during the run (arena_messages_in_total). */
  readonly serverFramesIn: number;
  /** p99 event-loop delay of the server while the hostile clients ran (its /metrics). */
  readonly serverLoopLagP99Ms: number;
  /** The machine's 1-minute load average at the start and the end of the run (2 cores: above 2, processes queue for a core). */
  readonly loadAverage: [number, number];
  /** Share of one core this process (hostile clients, bystander, frame making) used meanwhile. */
  readonly fuzzerCpuPercent: number;
  /** Share of one core the server used while the hostile clients ran. */
  readonly serverCpuPercent: number;
  readonly patchRate: number;
  /** Seconds of the run during which match results showed (left out of the patch rates). */
  readonly resultsSeconds: number;
  /** The bystander's patch rate over the seconds just before the hostile clients started (what the machine gives it). */
  readonly baselinePatchRate: number;
  /** The fuzzed room by the server's own counters, from just before the hostile clients started until they were gone. */
  readonly pace: CampaignPace;
  readonly worstSecondPatchRate: number;
  readonly bystanderLeftWith: number | undefined;
  /** A new client joined the fuzzed room after the run and got its state, in this many ms. */
  readonly freshJoinMs: number;
  readonly memoryBefore: Memory;
  readonly memoryAfter: Memory;
  /** Exit code of the server on SIGTERM at the end (0: a clean shutdown). */
  readonly exitCode: number | null;
}

/** The server's step and patch counters (its /metrics) over the fuzzing phase; the server holds the one fuzzed room. */
export interface CampaignPace {
  readonly seconds: number;
  /** Steps run, scheduled by the fixed timestep, and due on the server's clock. */
  readonly steps: number;
  readonly stepsScheduled: number;
  readonly stepsDue: number;
  readonly stepTimerRuns: number;
  readonly patches: number;
  readonly patchesDue: number;
  /** Seconds the server's event-loop thread waited for a CPU (a busy machine). */
  readonly cpuWaitSeconds: number;
  /** Patch frames the bystander received over the same span (from before the first scrape to after the last). */
  readonly bystanderPatchFrames: number;
}

function paceBetween(a: Map<string, MetricFamily>, b: Map<string, MetricFamily>, seconds: number, bystanderPatchFrames: number): CampaignPace {
  const moved = (name: string): number => total(b, name) - total(a, name);
  return {
    seconds,
    steps: moved("arena_steps_total"),
    stepsScheduled: moved("arena_steps_scheduled_total"),
    stepsDue: moved("arena_steps_due_total"),
    stepTimerRuns: moved("arena_step_timer_runs_total"),
    patches: moved("arena_patches_total"),
    patchesDue: moved("arena_patches_due_total"),
    cpuWaitSeconds: moved("arena_event_loop_cpu_wait_seconds_total"),
    bystanderPatchFrames,
  };
}

/** Frames per second each hostile connection sends: a margin under the room's flood limit. */
const FRAMES_PER_SECOND = Math.floor(MESSAGES_PER_SECOND * 0.8);
/** Pause after each frame: on loopback the server has read it and, if it drops the client, said so. */
const GAP_MS = 4;
/** Patches the bystander counts before the hostile clients start (about 3 s at 20 Hz). */
const BASELINE_PATCHES = 60;
/** Patch-rate windows for the worst-case figure. */
const WINDOW_MS = 1000;

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function memory(url: string, pid: number): Promise<Memory & { metrics: Map<string, MetricFamily> }> {
  const metrics = await scrape(url);
  // RSS from /proc (what the OS charges); heap from the server's own /metrics.
  return { rssMb: mb(sampleProcess(pid).rssBytes), heapUsedMb: mb(total(metrics, "nodejs_heap_size_used_bytes")), metrics };
}

/** Resolves once `url`'s /metrics shows `clients` clients (the hostile ones gone), or after `timeoutMs`. */
async function settle(url: string, clients: number, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (total(await scrape(url), "arena_clients") <= clients) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Joins the fuzzed room as a new client; a room that is locked (results showing, seats held) is retried for up to 30 s. */
async function freshJoin(url: string, token: string, roomId: string): Promise<number> {
  const client = new JoinClient(url);
  client.auth.token = token;
  const until = performance.now() + 30_000;
  let t0 = performance.now();
  let room: Room<any, ArenaState> | undefined;
  while (room === undefined) {
    t0 = performance.now();
    try {
      room = (await client.joinById(roomId)) as Room<any, ArenaState>;
    } catch (e) {
      if ((e as { code?: unknown }).code !== ErrorCode.MATCHMAKE_INVALID_ROOM_ID || performance.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const joined = room;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("fresh join: no state within 5 s")), 5000);
    joined.onStateChange.once(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  const ms = performance.now() - t0;
  await room.leave(true);
  return ms;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const say = options.progress ?? (() => {});
  // Every hostile client re-joins from 127.0.0.1 hundreds of times a minute: the per-address matchmaking
  // limit (RATE_LIMIT_MATCHMAKE, an HTTP concern with its own tests) would stop the campaign, not test the room.
  const server = await startLoggedServer({ RATE_LIMIT_MATCHMAKE: "off" });
  const watch = watchServer(server);
  let bystander: Bystander | undefined;
  let companion: Bystander | undefined;
  try {
    bystander = await Bystander.join(server.url, await guestToken(server.url, "bystander"), "bystander");
    const roomId = bystander.room.roomId;
    // A second steady player: with the hostile clients all dropped at once, the match would end for want of players.
    companion = await Bystander.join(server.url, await guestToken(server.url, "companion"), "companion");
    const recorded = await recordSdkFrames(server.url, await guestToken(server.url, "recorder"), roomId, bystander.room);
    say(`fuzz: server ${server.url} (pid ${server.proc.pid}), room ${roomId}, ${recorded.length} SDK frames recorded`);
    // One sign-in per hostile client, one after another; each reuses its token for every rejoin.
    const tokens: string[] = [];
    for (let i = 0; i < options.clients; i++) tokens.push(await guestToken(server.url, `hostile${i}`));
    await settle(server.url, 2, 5000);
    await bystander.inPlay();
    const baselineFrom = performance.now();
    await bystander.patches(BASELINE_PATCHES);
    const baselinePatchRate = bystander.patchRate(baselineFrom, performance.now());
    const paceFrom = { at: performance.now(), frames: bystander.patchFrames };
    const before = await memory(server.url, server.proc.pid!);
    say(`fuzz: before: RSS ${before.rssMb} MB, heap ${before.heapUsedMb} MB`);

    const cpuBefore = sampleProcess(server.proc.pid!);
    const ownCpuBefore = process.cpuUsage();
    const stats: HostileStats = emptyStats();
    const budget = { remaining: options.frames };
    const loadAtStart = loadavg()[0]!;
    const start = performance.now();
    const ctx = {
      url: server.url, roomId, stats, budget,
      maker: new FrameMaker(seededRandom(options.seed), recorded, MAX_FRAME_BYTES),
      deadline: start + options.maxSeconds * 1000,
      framesPerSecond: FRAMES_PER_SECOND,
      gapMs: GAP_MS,
      // A dead server, or a bystander no longer in the room (the room may be gone with it), ends the run early.
      aborted: () => watch.crash !== undefined || bystander!.leftWith !== undefined,
    };
    const ticker = setInterval(() => {
      const sent = options.frames - budget.remaining;
      say(`fuzz: ${sent} frames, ${stats.joins} joins, ${((performance.now() - start) / 1000).toFixed(0)} s, bystander ${bystander!.patchRate(performance.now() - 5000, performance.now()).toFixed(1)} patches/s`);
    }, 5000);
    try {
      await Promise.all(tokens.map((token) => runHostile(ctx, token)));
    } finally {
      clearInterval(ticker);
    }
    const end = performance.now();
    const cpuAfter = watch.crash === undefined ? sampleProcess(server.proc.pid!) : cpuBefore;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const lagP99Ms = watch.crash === undefined ? 1000 * total(await scrape(server.url), "arena_event_loop_lag_p99_seconds") : NaN;

    // A dead server has no memory or rooms to read; the report says it crashed.
    const alive = watch.crash === undefined;
    if (alive) await settle(server.url, 2, 10_000);
    const after = alive ? await memory(server.url, server.proc.pid!) : { rssMb: NaN, heapUsedMb: NaN, metrics: new Map<string, MetricFamily>() };
    const pace = paceBetween(before.metrics, after.metrics, (performance.now() - paceFrom.at) / 1000, bystander.patchFrames - paceFrom.frames);
    // NaN when no new client can join (the report fails then); the room is gone if everyone left it.
    const freshJoinMs = alive ? await freshJoin(server.url, tokens[0]!, roomId).catch(() => NaN) : NaN;
    const framesSent = options.frames - budget.remaining;
    const report: CampaignReport = {
      options,
      sent: stats.sent,
      framesSent,
      bytesSent: stats.bytes,
      seconds: (end - start) / 1000,
      joins: stats.joins,
      joinFailures: [...stats.joinFailures].sort((a, b) => b[1] - a[1]),
      closes: [...stats.closes].sort((a, b) => b[1] - a[1]),
      recorded: countLabels(recorded.map((f) => f.label)),
      crashes: watch.crash === undefined ? 0 : 1,
      crash: watch.crash,
      unhandledRejections: watch.unhandledRejections,
      unhandledRejectionsMetric: total(after.metrics, "arena_unhandled_rejections_total"),
      uncaughtExceptions: watch.uncaughtExceptions,
      roomExceptions: watch.roomExceptions,
      protocolErrors: watch.protocolErrors,
      colyseusErrorLines: watch.otherStderrLines,
      samples: watch.samples,
      serverFramesIn: alive ? total(after.metrics, "arena_messages_in_total") - total(before.metrics, "arena_messages_in_total") : NaN,
      serverLoopLagP99Ms: lagP99Ms,
      loadAverage: [loadAtStart, loadavg()[0]!],
      fuzzerCpuPercent: (100 * (ownCpu.user + ownCpu.system)) / 1000 / (end - start),
      serverCpuPercent: (100 * (cpuAfter.cpuSeconds - cpuBefore.cpuSeconds)) / ((cpuAfter.at - cpuBefore.at) / 1000),
      patchRate: bystander.patchRate(start, end),
      resultsSeconds: bystander.resultsMs(start, end) / 1000,
      baselinePatchRate,
      pace,
      worstSecondPatchRate: bystander.worstWindowRate(start, end, WINDOW_MS),
      bystanderLeftWith: bystander.leftWith,
      freshJoinMs,
      memoryBefore: { rssMb: before.rssMb, heapUsedMb: before.heapUsedMb },
      memoryAfter: { rssMb: after.rssMb, heapUsedMb: after.heapUsedMb },
      exitCode: null,
    };
    await bystander.leave();
    await companion.leave();
    bystander = companion = undefined;
    watch.expectExit();
    return { ...report, crashes: watch.crash === undefined ? 0 : 1, crash: watch.crash, exitCode: await server.kill("SIGTERM") };
  } finally {
    await bystander?.leave().catch(() => undefined);
    await companion?.leave().catch(() => undefined);
    watch.expectExit();
    await server.kill("SIGKILL");
  }
}

function countLabels(labels: readonly string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts];
}

/** The protocol codes the campaign covers, by name (for the report). */
export const protocolCodeNames = (): string => PROTOCOL_CODES.map(([name, code]) => `${name} (${code})`).join(", ");
