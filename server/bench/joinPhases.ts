/**
 * `npm run bench:join-phases`: where a quick-play join's time goes, for one
 * process in memory and two processes on one Redis. Each join is timed by
 * the client in three phases: the matchmaking request (POST /matchmake, to a
 * seat reservation), the seat reservation to the room's JOIN (websocket
 * connect, onAuth, onJoin), and the JOIN to the first full state. Alongside:
 * server CPU per join (from /proc), Redis commands per join (INFO
 * commandstats), Colyseus' matchmaking retries, and the top CPU-profile
 * frames (self time) of a server during the joins.
 *
 * BENCH_JOINS (400) joins, BENCH_CONCURRENCY (40) in flight, clients kept
 * connected so rooms fill to 16. BENCH_VARIANTS (JSON: label -> server env)
 * runs each setup once per variant, alternating, so levers compare within
 * one run (a variant's SERVER_MAIN runs another checkout's server/src/main.ts,
 * e.g. the code before a change, extracted with git archive; BENCH_VARIANTS_NOTE
 * replaces the generated sentence naming the variants); BENCH_ROUNDS (1) repeats the alternation; BENCH_SETUPS (memory,redis)
 * picks setups; BENCH_PROFILE=0 skips the profiles. BENCH_NO_WRITE=1 prints without writing docs/BENCHMARKS.md.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import type { ISeatReservation } from "@colyseus/shared-types";
import { Redis } from "ioredis";
import { ROOM_ARENA } from "@arena/shared";
import {
  TEST_SECRET, freePort, guestToken, inFlight, machineLine, quantile, readMetrics, sampleProcess, spawnServer, startProcess, startRedis, waitForLine, writeSection,
  type GameServerProcess, type RedisProcess,
} from "@arena/testkit/remote";

const JOINS = Number(process.env.BENCH_JOINS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const VARIANTS: Record<string, Record<string, string>> = process.env.BENCH_VARIANTS ? JSON.parse(process.env.BENCH_VARIANTS) as Record<string, Record<string, string>> : { current: {} };
const TOP_FRAMES = 12;

interface Timing { matchmake: number; connect: number; firstState: number; total: number }

interface Result {
  setup: string;
  variant: string;
  joinsPerSecond: number;
  failed: number;
  timings: Timing[];
  cpuMsPerJoin: number;
  redisCommandsPerJoin: number | undefined;
  retries: number;
  rooms: number;
}

/** The SDK client with one hook: the moment each room decodes its first full state. */
class TimedClient extends JoinClient {
  readonly firstState = new Map<Room, Promise<number>>();
  protected override createRoom<T>(roomName: string, rootSchema?: unknown): Room<any, T> {
    const room = super.createRoom<T>(roomName, rootSchema as never);
    room.onMessage("*", () => undefined);
    this.firstState.set(room, new Promise((resolve) => room.onStateChange.once(() => resolve(performance.now()))));
    return room;
  }
}

async function timedJoin(url: string, token: string, name: string, rooms: Room[]): Promise<Timing> {
  const client = new TimedClient(url);
  client.auth.token = token;
  const t0 = performance.now();
  const response = await client.http.post(`/matchmake/joinOrCreate/${ROOM_ARENA}`, {
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: { name },
  });
  const t1 = performance.now();
  const room = await client.consumeSeatReservation(response.data as unknown as ISeatReservation);
  const t2 = performance.now();
  rooms.push(room);
  const t3 = await client.firstState.get(room)!;
  return { matchmake: t1 - t0, connect: t2 - t1, firstState: Math.max(0, t3 - t2), total: t3 - t0 };
}

/** Seats refused by a full room (each makes Colyseus' joinOrCreate retry after a random backoff), from /metrics. */
async function countRetries(servers: readonly GameServerProcess[]): Promise<number> {
  let n = 0;
  for (const s of servers) {
    const metrics = await readMetrics(s.url);
    // NaN when the server does not count them (a variant's older code).
    n += metrics.families.has("arena_seat_reservations_refused_total") ? metrics.value("arena_seat_reservations_refused_total") : NaN;
  }
  return n;
}

async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info("commandstats");
  let calls = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) calls += Number(m[1]);
  return calls;
}

/** A game server as spawnServer starts it, but from `script`: profiledServer.ts, or another checkout's main.ts (a "before"). */
async function spawnServerFrom(script: string, env: Record<string, string>): Promise<GameServerProcess> {
  const port = await freePort();
  const started = await startProcess(`server on port ${port}`, script, {
    env: { PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, AUTH_SECRET: TEST_SECRET, RATE_LIMITS: "off", BOT_FILL: "0", ...env },
  });
  return { ...started, processId: String(started.listening.processId) };
}

async function profiling(servers: readonly GameServerProcess[], line: string): Promise<void> {
  await Promise.all(servers.map((s) => {
    const seen = waitForLine(s.proc, (l) => l.includes(line), line);
    s.proc.kill("SIGUSR2");
    return seen;
  }));
}

async function run(setup: string, processes: number, variant: string, env: Record<string, string>, profileDir?: string): Promise<Result> {
  let redis: RedisProcess | undefined;
  let stats: Redis | undefined;
  const servers: GameServerProcess[] = [];
  try {
    if (processes > 1) redis = await startRedis();
    for (let i = 0; i < processes; i++) {
      // A variant's SERVER_MAIN runs another checkout's server (e.g. the code before a change) in the same run.
      const { SERVER_MAIN: main, ...rest } = env;
      const serverEnv = { ...(redis ? { REDIS_URL: redis.url } : {}), ...rest };
      servers.push(profileDir
        ? await spawnServerFrom(new URL("./profiledServer.ts", import.meta.url).pathname, { ...serverEnv, PROFILE_OUT: join(profileDir, `${i}.cpuprofile`) })
        : main ? await spawnServerFrom(main, serverEnv) : await spawnServer(serverEnv));
    }
    const url = (i: number): string => servers[i % servers.length]!.url;
    const tokens = await Promise.all(Array.from({ length: JOINS }, (_, i) => guestToken(url(i), `b${i}`)));
    if (redis) {
      stats = new Redis(redis.url);
      await stats.config("RESETSTAT");
    }
    const retriesBefore = await countRetries(servers);
    if (profileDir) await profiling(servers, "profiling");
    const cpuBefore = servers.map((s) => sampleProcess(s.pid).cpuSeconds);
    const rooms: Room[] = [];
    const timings: Timing[] = [];
    let failed = 0;
    const started = performance.now();
    await inFlight(JOINS, CONCURRENCY, async (i) => {
      try {
        timings.push(await timedJoin(url(i), tokens[i]!, `b${i}`, rooms));
      } catch (e) {
        failed++;
        process.stderr.write(`join ${i} failed: ${String(e)}\n`);
      }
    });
    const seconds = (performance.now() - started) / 1000;
    if (profileDir) await profiling(servers, "profile written");
    const cpuSeconds = servers.reduce((sum, s, i) => sum + sampleProcess(s.pid).cpuSeconds - cpuBefore[i]!, 0);
    // INFO itself and RESETSTAT count as two commands.
    const commands = stats ? (await redisCommands(stats)) - 2 : undefined;
    const retries = (await countRetries(servers)) - retriesBefore;
    const roomCount = new Set(rooms.map((r) => r.roomId)).size;
    await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
    return {
      setup, variant, failed, timings, retries, rooms: roomCount,
      joinsPerSecond: JOINS / seconds,
      cpuMsPerJoin: (cpuSeconds * 1000) / JOINS,
      redisCommandsPerJoin: commands === undefined ? undefined : commands / JOINS,
    };
  } finally {
    stats?.disconnect();
    await Promise.all(servers.map((s) => s.kill("SIGTERM")));
    await redis?.stop();
  }
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const frameName = (n: ProfileNode): string => {
  const f = n.callFrame;
  const file = f.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(server|shared|testkit)\//, "$1/");
  return `${f.functionName || "(anonymous)"}${file ? ` ${file}:${f.lineNumber + 1}` : ""}`;
};

/**
 * Self time per frame (function, file:line). A native frame (no file: a socket
 * write, a string encode) is named with the nearest caller that has one, or it
 * says nothing about which code paid for it.
 */
function selfTimes(profile: CpuProfile): { frames: Map<string, number>; total: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const frames = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i]!)!;
    if (node.callFrame.functionName === "(idle)") continue;
    let key = frameName(node);
    if (node.callFrame.url === "" && !node.callFrame.functionName.startsWith("(")) {
      let caller = parent.get(node.id);
      // Past Node's own internals too: the write is paid for by whoever called into them.
      while (caller !== undefined && (caller.callFrame.url === "" || caller.callFrame.url.startsWith("node:"))) caller = parent.get(caller.id);
      if (caller !== undefined) key += ` ← ${frameName(caller)}`;
    }
    frames.set(key, (frames.get(key) ?? 0) + delta);
    total += delta;
  }
  return { frames, total };
}

function topFrames(dir: string, processes: number): string {
  const all = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < processes; i++) {
    const profile = JSON.parse(readFileSync(join(dir, `${i}.cpuprofile`), "utf8")) as CpuProfile;
    const self = selfTimes(profile);
    for (const [k, v] of self.frames) all.set(k, (all.get(k) ?? 0) + v);
    total += self.total;
  }
  const rows = [...all].sort((a, b) => b[1] - a[1]).slice(0, TOP_FRAMES);
  return rows.map(([k, v]) => `| \`${k.replace(/\|/g, "\\|")}\` | ${(v / 1000).toFixed(0)} | ${((100 * v) / Math.max(1, total)).toFixed(1)} % |`).join("\n");
}

const q = (values: number[], at: number): string => quantile(values, at).toFixed(0);

const SETUPS: [string, number][] = ([["1 process, in-memory", 1], ["2 processes, Redis", 2]] as [string, number][])
  .filter(([, processes]) => (process.env.BENCH_SETUPS ?? "memory,redis").split(",").includes(processes > 1 ? "redis" : "memory"));
const results: Result[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const [setup, processes] of SETUPS) {
    for (const [variant, env] of Object.entries(VARIANTS)) {
      const r = await run(setup, processes, variant, env);
      process.stderr.write(`${setup} [${variant}]: ${r.joinsPerSecond.toFixed(0)} joins/s, total p99 ${q(r.timings.map((t) => t.total), 0.99)} ms\n`);
      results.push(r);
    }
  }
}

// Profiles: one more pass per setup (the profiler's own cost stays out of the timed figures).
const profiles: string[] = [];
for (const [setup, processes] of process.env.BENCH_PROFILE === "0" ? [] : SETUPS) {
  const dir = mkdtempSync(join(tmpdir(), "join-prof-"));
  try {
    const [variant, env] = Object.entries(VARIANTS).at(-1)!;
    await run(setup, processes, variant, env, dir);
    profiles.push(`**${setup}** (${variant}; all its processes, samples during the joins only):\n\n| Frame (self time) | ms | Share |\n|---|---|---|\n${topFrames(dir, processes)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => quantile(values, 0.5);
const p = (r: Result, k: keyof Timing, at: number): number => quantile(r.timings.map((t) => t[k]), at);
const of = (setup: string, variant: string): Result[] => results.filter((r) => r.setup === setup && r.variant === variant);
const variants = Object.keys(VARIANTS);

/** One row per setup and variant: each figure is the median over the rounds (the machine is shared: a burst spoils one round, not the row). */
const rows: string[] = [];
for (const [setup] of SETUPS) {
  for (const variant of variants) {
    const rs = of(setup, variant);
    const ph = (k: keyof Timing): string => `${median(rs.map((r) => p(r, k, 0.5))).toFixed(0)} / ${median(rs.map((r) => p(r, k, 0.99))).toFixed(0)}`;
    const cmds = rs[0]!.redisCommandsPerJoin === undefined ? "–" : median(rs.map((r) => r.redisCommandsPerJoin!)).toFixed(1);
    rows.push(`| ${setup} | ${variant} | ${median(rs.map((r) => r.joinsPerSecond)).toFixed(0)} | ${rs.reduce((n, r) => n + r.failed, 0)} | ${ph("matchmake")} | ${ph("connect")} | ${ph("firstState")} | ${ph("total")} | ${median(rs.map((r) => r.cpuMsPerJoin)).toFixed(2)} | ${cmds} | ${rs.some((r) => Number.isNaN(r.retries)) ? "–" : median(rs.map((r) => r.retries))} | ${Math.max(...rs.map((r) => r.rooms))} |`);
  }
}

/** Same-round ratios: round i of one variant against round i of another (or of the other setup), then the median. */
const ratio = (a: Result[], b: Result[], f: (r: Result) => number): string =>
  median(a.map((r, i) => f(r) / f(b[i]!))).toFixed(2);
const total99 = (r: Result): number => p(r, "total", 0.99);
const [memory, redisSetup] = [SETUPS.find(([, n]) => n === 1)?.[0], SETUPS.find(([, n]) => n > 1)?.[0]];
const ratioRows: string[] = [];
for (const variant of variants) {
  const cells: string[] = [];
  cells.push(memory && redisSetup ? ratio(of(redisSetup, variant), of(memory, variant), total99) : "–");
  for (const [setup] of SETUPS) cells.push(variant === variants[0] ? "1" : `${ratio(of(setup, variant), of(setup, variants[0]!), total99)} / ${ratio(of(setup, variant), of(setup, variants[0]!), (r) => r.cpuMsPerJoin)}`);
  ratioRows.push(`| ${variant} | ${cells.join(" | ")} |`);
}
const ratioTable = `| Variant | Redis p99 ÷ in-memory p99 (goal ≤ 2) | ${SETUPS.map(([setup]) => `${setup}: p99 / CPU ÷ ${variants[0]}`).join(" | ")} |
|---|---|${SETUPS.map(() => "---").join("|")}|
${ratioRows.join("\n")}`;

const body = `## Where a join's time goes (\`npm run bench:join-phases\`)

${machineLine()}. ${JOINS} quick-play joins, ${CONCURRENCY} in flight, ${ROUNDS} round(s) per setup and variant
(alternating; each figure is the median over rounds), clients on the same machine and kept connected (rooms fill to 16). Each join is timed by the
client in phases, p50 / p99 in ms: **matchmake** = \`POST /matchmake/joinOrCreate\` until the seat reservation
(static onAuth, room query, Colyseus' create lock, onCreate, seat reservation, retries); **connect** = seat
reservation until the room's JOIN (websocket upgrade, instance onAuth, onJoin); **first state** = JOIN until the
first full state is decoded. CPU is the servers' user + system time from /proc over the joins, per join;
Redis commands from \`INFO commandstats\`; refused = seats a full room refused because the listing that named it
was stale (\`arena_seat_reservations_refused_total\`: Colyseus' joinOrCreate retries each after a backoff, quick play
moves to the next room).

| Setup | Variant | Joins/s | Failed | Matchmake | Connect | First state | Total | CPU ms/join | Redis cmds/join | Refused | Rooms |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Same-round ratios (median over rounds; total join time p99, and server CPU per join):

${ratioTable}

${process.env.BENCH_VARIANTS_NOTE ?? `Variants (server environment): ${Object.entries(VARIANTS).map(([k, v]) => `**${k}** \`${JSON.stringify(v)}\``).join(", ")}.`}
Where the time went before, and what changed:
- **The Redis tail was matchmaking** (its p99, not the connect or first-state phases). Three mechanisms in Colyseus
  0.18's \`joinOrCreate\` (MatchMaker.ts, utils/Utils.ts, IPC.ts): a seat refused by a room whose listing was
  stale (filled by requests through the other process) is retried after a random backoff of up to 0.8 s, doubling
  per retry; when no listed room is open, every request waits on a Redis-counted lock
  (\`concurrentJoinOrCreateRoomLock\`) for a "room created" notice, 0.5–1.1 s when none comes (a lock holder that
  only joined never sends one, and one waiter timing out unsubscribes the others on its process); and a room is
  listed before it subscribes to its IPC channel, so a reservation sent from the other process in that moment waits
  out \`REMOTE_ROOM_SHORT_TIMEOUT\` (2 s; traced per request: the 2,007 ms steps). Quick play
  (server/src/matchmaking/quickPlay.ts) moves past a refused seat at once, creates at most one room per process at a
  time without the cross-process lock, and rooms are listed locked until they listen
  (server/src/scale/listedOnceListening.ts). Refusals still happen (the listing is still read before other
  reservations land) but each costs one reservation round trip instead of a backoff.
- **Redis commands per join** fell with the lock (MULTI/HINCRBY/EXPIRE/EXEC twice, SUBSCRIBE, PUBLISH,
  UNSUBSCRIBE per request that found no open room). What remains per join is Colyseus': the listing read (HGETALL, shared by
  concurrent requests), the reservation (an IPC round trip through pub/sub when the room is on the other process:
  SUBSCRIBE, PUBLISH, PUBLISH back, UNSUBSCRIBE, plus the listing's client count HSET), the join's listing update,
  and our presence of people.
- **CPU**: the token was checked with a key imported at every check (jose given raw bytes); it is imported once
  now. What remains on top of the profile is socket writes (\`writeUtf8String ← sendCommand\`: ioredis writes each
  command with its own write; \`writev ← sendFrame\`: websocket frames), the token's HMAC in WebCrypto
  (\`run ← verifySignature\`), and GC. ioredis' auto-pipelining (one write per tick) was measured and left off: same
  run, 3 rounds, two processes on Redis, p99 ×1.06 and CPU per join ×1.08 against one write per command. CPU per join here
  also includes the simulation of the rooms being filled during the run. No frame of \`onCreate\` is in the top
  twelve; ours appear at about 1 % each (the room listing's update, the people directory).

Top CPU-profile frames of the servers while they take the joins (the inspector's sampling profiler,
server/bench/profiledServer.ts, started and stopped around the joins):

${profiles.join("\n\n")}`;
process.stdout.write(body + "\n");
if (process.env.BENCH_NO_WRITE !== "1") writeSection("join-phases", body);
process.exit(results.some((r) => r.failed > 0) ? 1 : 0);
