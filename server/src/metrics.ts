/**
 * Prometheus metrics for one server process (`GET /metrics`), and the few
 * hooks the transport and the rooms call to feed them.
 *
 * Hot paths (every frame in and out, every step) only add to plain numbers or
 * to a CountingHistogram's buckets; prom-client reads them when scraped, so
 * metrics cost nothing between scrapes beyond those additions.
 */
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { monitorEventLoopDelay, performance, type IntervalHistogram } from "node:perf_hooks";
import { Protocol, matchMaker } from "@colyseus/core";
// The low five bits of a frame's first byte are its protocol code; the high three are modifier flags.
import { PROTOCOL_CODE_MASK } from "@colyseus/shared-types";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { WebSocket, WebSocketServer } from "ws";
import { clientSocket } from "./colyseusInternals.ts";
import { CountingHistogram } from "./countingHistogram.ts";
import { countPassedFrames, isGuarded } from "./frameLimit.ts";
import type { Leaderboard } from "./leaderboard/Leaderboard.ts";
import { PaceBook } from "./rooms/arena/pace.ts";
import { mainThreadRunDelaySeconds } from "./runDelay.ts";
import type { RedisHealth } from "./scale/redisHealth.ts";


/** Totals kept as plain numbers on the hot path and read by prom-client at scrape time. */
interface Totals {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  connections: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** Every room's steps and patch broadcasts beside those due (rooms open one; read by /metrics). */
  readonly pace: PaceBook;
  /** Reports on the shared backend: Redis reachability and leaderboard credit delivery (call once, at start). */
  watchBackend(backend: { readonly redis: RedisHealth | undefined; readonly leaderboard: Leaderboard }): void;
  /** Counts every frame of every websocket this server accepts (call once, at start). */
  attachTo(wss: WebSocketServer): void;
  /** One fixed simulation step took `ms` milliseconds. */
  observeStep(ms: number): void;
  /** A client finished joining a room (its socket's connect time gives the latency). */
  joined(client: { ref?: unknown }): void;
  /** Times Colyseus' matchmaking requests (`POST /matchmake/…`, up to the seat reservation) on this HTTP server (call once, at start). */
  timeMatchmaking(http: HttpServer): void;
  /** A room of this process reserved a seat for `sessionId` (the connect that consumes it is timed from here). */
  seatReserved(sessionId: string): void;
  /** A room of this process refused a seat because it was full (Colyseus' joinOrCreate then retries after a backoff). */
  seatRefused(): void;
  reconnected(): void;
  /** A client was disconnected for breaking the protocol; `kind` is the message kind at fault. */
  protocolError(kind: string): void;
  /** A promise was rejected with no handler (the process logs it and keeps running). */
  unhandledRejection(): void;
  /** A request to `route` was refused with 429 by the per-address (or per-person) limits. */
  rateLimited(route: string): void;
  /** A short summary for `/health` (event-loop lag: p99 since the previous call). */
  summary(): HealthMetrics;
  /** Stops the event-loop monitor. */
  close(): void;
}

export interface HealthMetrics {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  protocolErrors: number;
  reconnections: number;
  eventLoopLagP99Ms: number;
}

/** Step-time buckets in seconds: a 30 Hz step has a 33 ms budget; most steps take a fraction of a ms. */
const STEP_BUCKETS = [0.00005, 0.0001, 0.0002, 0.0003, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.02, 0.033, 0.05, 0.1];
const PATCH_BUCKETS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];
const JOIN_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];
/** Join phases: a quick one is a few ms, the slow tail (lock waits, retry backoffs) is seconds; a seat expires after 15 s. */
const JOIN_PHASE_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15];
/** Reservations not yet connected are forgotten after this long (Colyseus' seat reservation expires after 15 s). */
const RESERVATION_MEMORY_MS = 30_000;

/** Sampling interval of the event-loop delay histograms. */
const LOOP_RESOLUTION_MS = 10;

function loopDelayP99Ms(h: IntervalHistogram): number {
  return h.count > 0 ? Math.max(0, h.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) : 0;
}

function frameBytes(data: unknown): number {
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((n: number, part: unknown) => n + frameBytes(part), 0);
  if (typeof data === "string") return Buffer.byteLength(data);
  return 0;
}

/** The `sessionId` query parameter of a room websocket's URL (`/<processId>/<roomId>?sessionId=…`). */
function sessionOf(url: string | undefined): string | undefined {
  const q = url?.indexOf("?") ?? -1;
  return q >= 0 ? new URLSearchParams(url!.slice(q + 1)).get("sessionId") ?? undefined : undefined;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const totals: Totals = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, connections: 0 };
  const connectedAt = new WeakMap<object, number>();
  const registers = [registry];

  new Gauge({
    name: "arena_clients", help: "Clients in rooms of this process (Colyseus CCU).", registers,
    collect() { this.set(matchMaker.stats.local.ccu); },
  });
  new Gauge({
    name: "arena_rooms", help: "Rooms in this process.", registers,
    collect() { this.set(matchMaker.stats.local.roomCount); },
  });
  new Gauge({
    name: "arena_websocket_connections", help: "Open websocket connections (including ones still joining).", registers,
    collect() { this.set(totals.connections); },
  });
  const counterOf = (name: string, help: string, read: () => number): void => {
    let reported = 0;
    new Counter({
      name, help, registers,
      collect() {
        // A prom-client counter only moves by inc(): add what the plain total gained since the last scrape.
        const next = read();
        if (next > reported) this.inc(next - reported);
        reported = next;
      },
    });
  };
  counterOf("arena_messages_in_total", "Websocket frames received from clients.", () => totals.messagesIn);
  counterOf("arena_messages_out_total", "Websocket frames sent to clients.", () => totals.messagesOut);
  counterOf("arena_bytes_in_total", "Websocket payload bytes received from clients.", () => totals.bytesIn);
  counterOf("arena_bytes_out_total", "Websocket payload bytes sent to clients.", () => totals.bytesOut);
  const pace = new PaceBook();
  counterOf("arena_steps_total", "Fixed simulation steps run, all rooms.", () => pace.totals().steps);
  counterOf("arena_steps_scheduled_total", "Fixed steps the rooms' fixed timesteps called for (Colyseus' accumulator: every step due on the room's clock, less those dropped after a stall longer than five steps). Steps run falling behind it: a step that skips.", () => pace.totals().stepsScheduled);
  counterOf("arena_step_timer_runs_total", "Runs of the rooms' fixed timesteps that ran steps, each room's counted apart though the process's step beat runs them all in one firing (rooms/beats.ts; one or more steps a run: a late firing catches up). The patch beat drifts as this one does on a busy event loop; patches per run falling under patch rate / tick rate: patches skipped.", () => pace.totals().stepTimerRuns);
  counterOf("arena_steps_due_total", "Fixed steps due, all rooms: each room's tick rate times its life on this process's clock. Steps falling behind it: rooms skipping steps (a stall longer than the five steps Colyseus catches up) or running slow.", () => pace.totals().stepsDue);
  counterOf("arena_patches_total", "State patch broadcasts, all rooms (each sends one patch frame to every joined client).", () => pace.totals().patches);
  counterOf("arena_patches_due_total", "Patch broadcasts due, all rooms: each room's patch rate times its life on this process's clock (the patch timer drifts by its lateness; it never catches up).", () => pace.totals().patchesDue);
  counterOf("arena_event_loop_cpu_wait_seconds_total", "Time the event loop's thread waited for a CPU while runnable (Linux schedstat run_delay; 0 elsewhere): a busy machine, not slow code. Steps missed beyond it: the process's own stalls.", mainThreadRunDelaySeconds);
  counterOf("arena_patch_deliveries_total", "Patch frames owed to clients: the joined clients of each broadcast, summed; beside arena_patch_size_bytes_count (patch frames sent).", () => pace.totals().deliveries);

  // Observed every step of every room and every patch frame to every client: counted without prom-client's observe.
  const step = new CountingHistogram("arena_step_duration_seconds", "Duration of one fixed simulation step of one room.", STEP_BUCKETS, registers);
  const patch = new CountingHistogram("arena_patch_size_bytes", "Size of each state patch frame sent to a client.", PATCH_BUCKETS, registers);
  const join = new Histogram({ name: "arena_join_latency_seconds", help: "From the websocket upgrade to the end of the room's onJoin (auth, seat, spawn).", buckets: JOIN_BUCKETS, registers });
  const matchmake = new Histogram({ name: "arena_join_matchmake_seconds", help: "A matchmaking request (POST /matchmake/…), from its arrival to the answer: token check, room lookup, room creation, seat reservation and Colyseus' retries; by outcome (ok: a seat, error: refused).", labelNames: ["outcome"], buckets: JOIN_PHASE_BUCKETS, registers });
  const seatToConnect = new Histogram({ name: "arena_join_seat_to_connect_seconds", help: "From a seat reserved in a room of this process to the websocket that claims it connecting (the client's round trip and upgrade).", buckets: JOIN_PHASE_BUCKETS, registers });
  const firstState = new Histogram({ name: "arena_join_first_state_seconds", help: "From a websocket connecting to a room to its first full state sent (auth, onJoin and the client's JOIN acknowledgement).", buckets: JOIN_PHASE_BUCKETS, registers });
  const seatsReserved = new Counter({ name: "arena_seat_reservations_total", help: "Seats reserved in rooms of this process; beside arena_join_seat_to_connect_seconds_count (those claimed by a connection), the difference is seats still waiting or expired.", registers });
  const seatsRefused = new Counter({ name: "arena_seat_reservations_refused_total", help: "Seats a full room of this process refused (the listing that named it was stale); quick play then tries the next room, Colyseus' own joinOrCreate retries after a random backoff.", registers });
  /** When each not-yet-connected seat was reserved, by session id; pruned as reservations expire. */
  const reservedAt = new Map<string, number>();
  let lastPrune = performance.now();
  const reconnections = new Counter({ name: "arena_reconnections_total", help: "Dropped clients that reconnected to their held seat.", registers });
  const protocolErrors = new Counter({ name: "arena_protocol_errors_total", help: "Clients disconnected for breaking the protocol, by message kind.", labelNames: ["kind"], registers });
  const closes = new Counter({ name: "arena_websocket_closes_total", help: "Websocket connections closed, by close code.", labelNames: ["code"], registers });
  // Node's histogram records whole timer intervals (≥ the resolution); the lag is what exceeds it.
  const scrapeLoop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  scrapeLoop.enable();
  new Gauge({
    name: "arena_event_loop_lag_p99_seconds", help: "p99 event-loop delay since the previous scrape, beyond the 10 ms sampling interval.", registers,
    collect() {
      this.set(loopDelayP99Ms(scrapeLoop) / 1000);
      scrapeLoop.reset();
    },
  });
  let backend: { readonly redis: RedisHealth | undefined; readonly leaderboard: Leaderboard } | undefined;
  counterOf("arena_redis_outages_total", "Times this process lost Redis (any of its connections).", () => backend?.redis?.outages ?? 0);
  new Gauge({
    name: "arena_leaderboard_credits_pending", help: "Leaderboard credits waiting in this process for Redis to come back.", registers,
    collect() { this.set(backend?.leaderboard.creditStats().pending ?? 0); },
  });
  counterOf("arena_leaderboard_credits_retried_total", "Leaderboard credits written late, after waiting for Redis.", () => backend?.leaderboard.creditStats().retried ?? 0);
  counterOf("arena_leaderboard_credits_dropped_total", "Leaderboard credits lost (queue full, refused by Redis, or process stopped during an outage); each is logged.", () => backend?.leaderboard.creditStats().dropped ?? 0);
  const rateLimitedRequests = new Counter({ name: "arena_http_rate_limited_total", help: "HTTP requests refused with 429 by the rate limits, by limited route (signIn, matchmake, codeJoin, ...).", labelNames: ["route"], registers });
  const unhandledRejections = new Counter({ name: "arena_unhandled_rejections_total", help: "Promises rejected with no handler (each is logged as \"unhandled rejection\").", registers });
  const connectionsTotal = new Counter({ name: "arena_websocket_connections_total", help: "Websocket connections accepted.", registers });
  let protocolErrorCount = 0;
  let reconnectionCount = 0;

  /**
   * Wraps the socket's `send` once per connection: Colyseus sends every frame
   * (patches, messages, pings) through it, so this sees all outgoing traffic
   * at the cost of one extra function call per frame (fixed arity: no rest
   * array per frame). Incoming frames are counted by the frame guard, which
   * sees each of them anyway (countPassedFrames), or by one more 'message'
   * listener on a socket server without a guard.
   */
  const countIn = (data: unknown): void => {
    totals.messagesIn++;
    totals.bytesIn += frameBytes(data);
  };
  const meter = (ws: WebSocket, req: IncomingMessage, wss: WebSocketServer): void => {
    totals.connections++;
    connectionsTotal.inc();
    const at = performance.now();
    connectedAt.set(ws, at);
    const sessionId = sessionOf(req.url);
    const reserved = sessionId !== undefined ? reservedAt.get(sessionId) : undefined;
    if (reserved !== undefined) {
      reservedAt.delete(sessionId!);
      seatToConnect.observe((at - reserved) / 1000);
    }
    let stateSent = false;
    const send = ws.send as (this: WebSocket, data: unknown, options?: unknown, cb?: unknown) => void;
    ws.send = function (this: WebSocket, data: unknown, options?: unknown, cb?: unknown): void {
      totals.messagesOut++;
      if (data instanceof Uint8Array) {
        const n = data.byteLength;
        totals.bytesOut += n;
        const code = data[0]! & PROTOCOL_CODE_MASK;
        if (code === Protocol.ROOM_STATE_PATCH) patch.observe(n);
        else if (code === Protocol.ROOM_STATE && !stateSent) {
          stateSent = true;
          firstState.observe((performance.now() - at) / 1000);
        }
      } else {
        totals.bytesOut += frameBytes(data);
      }
      send.call(this, data, options, cb);
    } as WebSocket["send"];
    if (!isGuarded(wss)) ws.on("message", countIn);
    ws.once("close", (code: number) => {
      totals.connections--;
      closes.inc({ code: String(code) });
    });
  };

  // Separate from the scrape's histogram above, so /health and scrapes do not reset each other's window.
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();

  return {
    registry,
    pace,
    watchBackend(b) {
      backend = b;
      const redis = b.redis;
      if (redis === undefined) return;
      new Gauge({
        name: "arena_redis_up", help: "1 while every Redis connection of this process is ready and Redis answers, 0 during an outage.", registers,
        collect() { this.set(redis.up ? 1 : 0); },
      });
    },
    attachTo(wss) {
      // Before Colyseus' own listener, so the join handshake's frames are counted too.
      wss.prependListener("connection", (ws: WebSocket, req: IncomingMessage) => meter(ws, req, wss));
      countPassedFrames(wss, countIn);
    },
    observeStep(ms) {
      step.observe(ms / 1000);
    },
    timeMatchmaking(http) {
      http.prependListener("request", (req: IncomingMessage, res: { statusCode: number; once(event: "finish", f: () => void): unknown }) => {
        if (req.method !== "POST" || !req.url?.startsWith("/matchmake/")) return;
        const t0 = performance.now();
        res.once("finish", () => matchmake.observe({ outcome: res.statusCode < 400 ? "ok" : "error" }, (performance.now() - t0) / 1000));
      });
    },
    seatReserved(sessionId) {
      seatsReserved.inc();
      const now = performance.now();
      reservedAt.set(sessionId, now);
      if (now - lastPrune > RESERVATION_MEMORY_MS) {
        lastPrune = now;
        for (const [id, t] of reservedAt) if (now - t > RESERVATION_MEMORY_MS) reservedAt.delete(id);
      }
    },
    seatRefused() {
      seatsRefused.inc();
    },
    joined(client) {
      const ws = clientSocket(client);
      const at = ws !== undefined ? connectedAt.get(ws) : undefined;
      if (at !== undefined) join.observe((performance.now() - at) / 1000);
    },
    reconnected() {
      reconnectionCount++;
      reconnections.inc();
    },
    protocolError(kind) {
      protocolErrorCount++;
      protocolErrors.inc({ kind });
    },
    unhandledRejection() {
      unhandledRejections.inc();
    },
    rateLimited(route) {
      rateLimitedRequests.inc({ route });
    },
    summary() {
      const lagP99Ms = loopDelayP99Ms(loop);
      loop.reset();
      return {
        messagesIn: totals.messagesIn,
        messagesOut: totals.messagesOut,
        bytesIn: totals.bytesIn,
        bytesOut: totals.bytesOut,
        protocolErrors: protocolErrorCount,
        reconnections: reconnectionCount,
        eventLoopLagP99Ms: Math.round(lagP99Ms * 1000) / 1000,
      };
    },
    close() {
      loop.disable();
      scrapeLoop.disable();
    },
  };
}
