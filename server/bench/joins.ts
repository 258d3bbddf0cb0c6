/**
 * `npm run bench:joins`: quick-play joins against ours, a bare Colyseus 0.18
 * room and a Socket.io server, on one process in memory and on two processes
 * sharing one Redis, every valid join required to succeed. Real processes and
 * real clients on loopback (the SDK for ours and bare, socket.io-client for
 * Socket.io); clients stay connected so rooms fill up as in production.
 *
 * Server CPU per join is read from /proc (user + system of every server
 * process, and of redis-server, before and after the join phase). The three
 * servers take turns, BENCH_ROUNDS times, the order reversed each round, so
 * all of them see the same machine; ratios come from this one run.
 *
 * BENCH_JOINS (default 400) joins per run, BENCH_CONCURRENCY (default 40) in
 * flight, BENCH_ROUNDS (default 2). Prints the figures, writes the rows to
 * BENCH_JSON (default test-output/bench-joins.json) and, unless
 * BENCH_NO_WRITE=1, the section of docs/BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { Client, type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { ROOM_ARENA } from "@arena/shared";
import {
  REPO_ROOT, freePort, guestToken, inFlight, machineLine, quantile, sampleProcess, spawnServer, startProcess, startRedis, writeSection,
  type RedisProcess, type ServerProcess,
} from "@arena/testkit/remote";
import { joinSocketIo } from "@arena/loadtest/baseline/socketioBots";

/** An integer environment variable within bounds, or a clear error naming it. */
function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

const JOINS = intFromEnv("BENCH_JOINS", 400, 1, 5000);
const CONCURRENCY = intFromEnv("BENCH_CONCURRENCY", 40, 1, 500);
const ROUNDS = intFromEnv("BENCH_ROUNDS", 2, 1, 10);
const NO_WRITE = process.env.BENCH_NO_WRITE === "1";
const JSON_OUT = process.env.BENCH_JSON || `${REPO_ROOT}test-output/bench-joins.json`;
/** Joins per process before the measured phase, then left: every server is measured warm, as in production. */
const WARMUP_JOINS = 16;
/** After the phase, how long the server CPU is read with every client still seated (the rooms' own running cost). */
const HELD_MS = 1000;
/** The bare baseline's one room type (loadtest/baseline/bareColyseus.ts). */
const ROOM_BARE = "bare";

const KINDS = ["ours", "bare", "socketio"] as const;
export type Kind = (typeof KINDS)[number];
const SETUPS = [{ name: "1 process, in-memory", processes: 1 }, { name: "2 processes, Redis", processes: 2 }] as const;

export interface JoinRow {
  setup: string;
  processes: number;
  kind: Kind;
  joins: number;
  failed: number;
  joinsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Distinct rooms the joins landed in, per round. */
  rooms: number;
  /** Server processes' CPU (user + system) during the join phase, per join. */
  serverCpuMsPerJoin: number;
  /**
   * The same, less the rooms' own running cost: the seated rate (heldCpuPercent) over half the phase,
   * since rooms fill at an even pace through it. An estimate; serverCpuMsPerJoin is the measurement.
   */
  netCpuMsPerJoin: number;
  /** redis-server's CPU during the join phase, per join (0 in memory). */
  redisCpuMsPerJoin: number;
  /** Server CPU, % of one core, over HELD_MS after the phase with every client seated. */
  heldCpuPercent: number;
  /** This process's CPU (the clients), % of one core, during the phase: near 100 means the clients were the limit. */
  clientCpuPercent: number;
  /** Server process ids (to check they were stopped). */
  pids: number[];
}

/** A seated client, as the benchmark holds it until the run ends. */
interface Seat {
  room: string;
  leave(): Promise<unknown>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cpuOf = (pids: readonly number[]): number => pids.reduce((sum, pid) => sum + sampleProcess(pid).cpuSeconds, 0);

async function startServers(kind: Kind, processes: number, redis: RedisProcess | undefined): Promise<ServerProcess[]> {
  const env: Record<string, string> = redis ? { REDIS_URL: redis.url } : {};
  const start = async (): Promise<ServerProcess> => {
    if (kind === "ours") return spawnServer(env);
    const port = await freePort();
    const script = `${REPO_ROOT}loadtest/baseline/${kind === "bare" ? "bareColyseus" : "socketio"}.ts`;
    return startProcess(`${kind} on port ${port}`, script, { env: { ...env, PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}` } });
  };
  // Started together; one that fails to start leaves the others to the exit handler that kills what was spawned.
  return Promise.all(Array.from({ length: processes }, start));
}

/** One join of `kind` on `url`; `token` for ours (signed in beforehand, not timed). */
async function joinOnce(kind: Kind, url: string, name: string, token: string | undefined): Promise<Seat> {
  if (kind === "socketio") {
    const { socket, room } = await joinSocketIo(url, name);
    return { room, leave: async () => void socket.close() };
  }
  const client = new JoinClient(url);
  let room: Room;
  if (kind === "ours") {
    client.auth.token = token!;
    room = await client.joinOrCreate(ROOM_ARENA, { name });
    // The match and voice messages a player reads: handled, so the SDK does not log each one unread.
    room.onMessage("*", () => undefined);
  } else room = await client.joinOrCreate(ROOM_BARE);
  return { room: room.roomId, leave: () => room.leave().catch(() => undefined) };
}

interface Phase {
  seats: Seat[];
  latencies: number[];
  failed: number;
  seconds: number;
}

/** `count` joins, `CONCURRENCY` in flight, spread one by one over the processes. */
async function joinPhase(kind: Kind, urls: readonly string[], count: number, tokens: readonly string[], prefix: string): Promise<Phase> {
  const seats: Seat[] = [];
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  await inFlight(count, CONCURRENCY, async (i) => {
    const t0 = performance.now();
    try {
      seats.push(await joinOnce(kind, urls[i % urls.length]!, `${prefix}${i}`, tokens[i]));
      latencies.push(performance.now() - t0);
    } catch (e) {
      failed++;
      process.stderr.write(`${kind} join ${i} failed: ${String(e)}\n`);
    }
  });
  return { seats, latencies, failed, seconds: (performance.now() - started) / 1000 };
}

interface Run {
  phase: Phase;
  serverCpu: number;
  clientCpu: number;
  redisCpu: number;
  heldCpuPercent: number;
  pids: number[];
}

async function runOnce(kind: Kind, processes: number): Promise<Run> {
  let redis: RedisProcess | undefined;
  let servers: ServerProcess[] = [];
  try {
    if (processes > 1) redis = await startRedis();
    servers = await startServers(kind, processes, redis);
    const urls = servers.map((s) => s.url);
    const pids = servers.map((s) => s.pid);
    const signIn = (n: number, prefix: string): Promise<string[]> =>
      kind === "ours" ? Promise.all(Array.from({ length: n }, (_, i) => guestToken(urls[i % urls.length]!, `${prefix}${i}`))) : Promise.resolve([]);
    const warm = await joinPhase(kind, urls, WARMUP_JOINS * processes, await signIn(WARMUP_JOINS * processes, "w"), "w");
    await Promise.all(warm.seats.map((s) => s.leave()));
    const tokens = await signIn(JOINS, "b");
    const cpu0 = cpuOf(pids);
    const redis0 = redis ? cpuOf([redis.pid]) : 0;
    const client0 = process.cpuUsage();
    const phase = await joinPhase(kind, urls, JOINS, tokens, "b");
    const client = process.cpuUsage(client0);
    const cpu1 = cpuOf(pids);
    const redis1 = redis ? cpuOf([redis.pid]) : 0;
    const held0 = performance.now();
    await sleep(HELD_MS);
    const heldCpuPercent = ((cpuOf(pids) - cpu1) / ((performance.now() - held0) / 1000)) * 100;
    await Promise.all(phase.seats.map((s) => s.leave()));
    return { phase, serverCpu: cpu1 - cpu0, clientCpu: (client.user + client.system) / 1e6, redisCpu: redis1 - redis0, heldCpuPercent, pids };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
  }
}

function summarize(setup: (typeof SETUPS)[number], kind: Kind, runs: readonly Run[]): JoinRow {
  const joins = runs.reduce((n, r) => n + r.phase.seats.length + r.phase.failed, 0);
  const seated = runs.reduce((n, r) => n + r.phase.seats.length, 0);
  const latencies = runs.flatMap((r) => r.phase.latencies);
  const seconds = runs.reduce((s, r) => s + r.phase.seconds, 0);
  const rooms = runs.reduce((n, r) => n + new Set(r.phase.seats.map((s) => s.room)).size, 0) / runs.length;
  const serverCpu = runs.reduce((s, r) => s + r.serverCpu, 0);
  const runningRooms = runs.reduce((s, r) => s + (r.heldCpuPercent / 100) * (r.phase.seconds / 2), 0);
  return {
    setup: setup.name, processes: setup.processes, kind, joins,
    failed: runs.reduce((n, r) => n + r.phase.failed, 0),
    joinsPerSecond: seated / seconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    rooms,
    serverCpuMsPerJoin: (serverCpu * 1000) / Math.max(1, seated),
    netCpuMsPerJoin: (Math.max(0, serverCpu - runningRooms) * 1000) / Math.max(1, seated),
    redisCpuMsPerJoin: (runs.reduce((s, r) => s + r.redisCpu, 0) * 1000) / Math.max(1, seated),
    heldCpuPercent: runs.reduce((s, r) => s + r.heldCpuPercent, 0) / runs.length,
    clientCpuPercent: (runs.reduce((s, r) => s + r.clientCpu, 0) / seconds) * 100,
    pids: runs.flatMap((r) => r.pids),
  };
}

/** The machine's 1-minute load average as the run began: on a shared machine, how much else was running. */
const loadAtStart = loadavg()[0] ?? NaN;
const rows: JoinRow[] = [];
for (const setup of SETUPS) {
  const runs = new Map<Kind, Run[]>(KINDS.map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of round % 2 === 0 ? KINDS : [...KINDS].reverse()) {
      process.stderr.write(`bench:joins: ${setup.name}, ${kind}, round ${round + 1}/${ROUNDS}...\n`);
      runs.get(kind)!.push(await runOnce(kind, setup.processes));
    }
  }
  for (const kind of KINDS) rows.push(summarize(setup, kind, runs.get(kind)!));
}

const NAMES: Record<Kind, string> = { ours: "ours", bare: "bare Colyseus", socketio: "Socket.io" };
const f = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : "–");
const get = (processes: number, kind: Kind): JoinRow => rows.find((r) => r.processes === processes && r.kind === kind)!;
const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "–");
const table = rows.map((r) =>
  `| ${r.setup} | ${NAMES[r.kind]} | ${f(r.joinsPerSecond)} | ${r.failed} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${f(r.rooms, 1)} | ${f(r.serverCpuMsPerJoin, 2)} | ${f(r.netCpuMsPerJoin, 2)} | ${r.processes > 1 ? f(r.redisCpuMsPerJoin, 3) : "–"} | ${f(r.heldCpuPercent, 1)} % | ${f(r.clientCpuPercent)} % |`).join("\n");
const ratios = SETUPS.flatMap((s) => (["bare", "socketio"] as const).map((base) => {
  const a = get(s.processes, "ours");
  const b = get(s.processes, base);
  return `| ${s.name} | ours / ${NAMES[base]} | ${ratio(a.serverCpuMsPerJoin, b.serverCpuMsPerJoin)} | ${ratio(a.netCpuMsPerJoin, b.netCpuMsPerJoin)} | ${ratio(a.joinsPerSecond, b.joinsPerSecond)} | ${ratio(a.p50Ms, b.p50Ms)} | ${ratio(a.p99Ms, b.p99Ms)} |`;
})).join("\n");
const tails = KINDS.map((k) => `${NAMES[k]} ${ratio(get(2, k).p99Ms, get(1, k).p99Ms)}`).join(", ");
const body = `## Quick-play joins per second, against a bare Colyseus room and Socket.io (\`npm run bench:joins\`)

${machineLine()}, load average ${f(loadAtStart, 1)} as the run began. ${JOINS} joins per run, ${CONCURRENCY} in flight, ${ROUNDS} rounds (the three servers take turns, the order reversed
each round; figures over all rounds). Clients on the same machine, kept connected (rooms fill to 16); the client side shares the
two cores with the servers. Every process first takes ${WARMUP_JOINS} joins that are not measured (warm code, as in production).
*ours*: \`server/src/main.ts\`, quick play with a guest token (sign-in not timed), the join resolves when the SDK is seated.
*bare Colyseus*: \`loadtest/baseline/bareColyseus.ts\`, Colyseus 0.18 with one room type, an empty Schema state, no auth,
\`joinOrCreate\` with default matchmaking, maxClients 16; Colyseus' Redis presence and driver on two processes. *Socket.io*:
\`loadtest/baseline/socketio.ts\` (the load benchmark's game server), a join is connect (websocket transport) and a \`join\` event
acknowledged with a room; on two processes, \`@socket.io/redis-adapter\`, and each process fills its own rooms (Socket.io has no
cross-process room listing or seat reservation). Joins go to the processes in turn. Server CPU is user + system time of the
server processes from /proc over the join phase, divided by the joins. It includes running the rooms as they fill (ours and
Socket.io step the game and send state to every seated client; bare rooms have nothing to send): *server CPU while seated* is
that cost alone, read over ${HELD_MS / 1000} s after the phase with every client seated and idle, and *net of running rooms* subtracts it
over half the phase (rooms fill at an even pace), an estimate beside the measurement. *Client CPU* is the benchmark process
(all the clients) during the phase, % of one core: near 100 % the clients, not the servers, were the limit.

| Setup | Server | Joins/s | Failed | p50 (ms) | p99 (ms) | Rooms | Server CPU ms / join | net of running rooms | Redis CPU ms / join | Server CPU while seated | Client CPU |
|---|---|---|---|---|---|---|---|---|---|---|---|
${table}

Ratios from this run:

| Setup | | Server CPU / join | net of running rooms | Joins/s | p50 | p99 |
|---|---|---|---|---|---|---|
${ratios}

Tail on Redis (p99 on two processes / p99 in memory): ${tails}.`;
process.stdout.write(body + "\n");
mkdirSync(dirname(JSON_OUT), { recursive: true });
writeFileSync(JSON_OUT, JSON.stringify(rows, null, 2) + "\n");
if (!NO_WRITE) writeSection("joins", body);
process.exit(rows.some((r) => r.failed > 0) ? 1 : 0);
