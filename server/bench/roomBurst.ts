/**
 * `npm run bench:rooms`: a burst of private rooms created at once, on one process in memory and on two
 * processes sharing one Redis (half the requests to each). Each creation is the SDK's own two steps, timed
 * apart: `POST /matchmake/create/arena { private: true }` (room created, code claimed, seat reserved),
 * then the websocket join that consumes the seat. Server CPU (from /proc) is divided by the rooms made.
 * BENCH_ROOMS (default 200) rooms; every one must be created, seated, with a unique code.
 * Prints the figures and writes them to docs/BENCHMARKS.md (not with BENCH_NO_WRITE=1).
 */
import { loadavg } from "node:os";
import { type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { ROOM_ARENA } from "@arena/shared";
import {
  guestToken, machineLine, quantile, sampleProcess, spawnServer, startRedis, writeSection,
  type GameServerProcess, type RedisProcess,
} from "@arena/testkit/remote";

const ROOMS = Number(process.env.BENCH_ROOMS ?? 200);
if (!Number.isInteger(ROOMS) || ROOMS < 1 || ROOMS > 2000) throw new Error(`BENCH_ROOMS must be an integer from 1 to 2000, got "${process.env.BENCH_ROOMS}"`);

interface Result {
  name: string;
  failed: number;
  uniqueCodes: number;
  reserveP50: number;
  reserveP99: number;
  seatedP50: number;
  seatedP99: number;
  roomsPerSecond: number;
  cpuMsPerRoom: number;
}

async function createOne(url: string, token: string, name: string): Promise<{ room: Room; reserveMs: number; seatedMs: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/matchmake/create/${ROOM_ARENA}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ name, private: true }),
  });
  const body = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`create refused: ${res.status} ${JSON.stringify(body)}`);
  const reserveMs = performance.now() - t0;
  const client = new JoinClient(url);
  client.auth.token = token;
  const room = await client.consumeSeatReservation(body as never);
  return { room, reserveMs, seatedMs: performance.now() - t0 };
}

async function run(name: string, processes: number): Promise<Result> {
  let redis: RedisProcess | undefined;
  const servers: GameServerProcess[] = [];
  const rooms: Room[] = [];
  try {
    if (processes > 1) redis = await startRedis();
    servers.push(...(await Promise.all(Array.from({ length: processes }, () => spawnServer(redis ? { REDIS_URL: redis.url } : {})))));
    const url = (i: number): string => servers[i % servers.length]!.url;
    const tokens = await Promise.all(Array.from({ length: ROOMS }, (_, i) => guestToken(url(i), `r${i}`)));
    const cpu0 = servers.map((s) => sampleProcess(s.pid).cpuSeconds);
    const started = performance.now();
    const settled = await Promise.allSettled(tokens.map((t, i) => createOne(url(i), t, `r${i}`)));
    const seconds = (performance.now() - started) / 1000;
    const cpu = servers.reduce((sum, s, i) => sum + sampleProcess(s.pid).cpuSeconds - cpu0[i]!, 0);
    const ok = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    for (const r of settled) if (r.status === "rejected") process.stderr.write(`${name}: ${String(r.reason)}\n`);
    rooms.push(...ok.map((o) => o.room));
    return {
      name,
      failed: ROOMS - ok.length,
      uniqueCodes: new Set(ok.map((o) => o.room.roomId)).size,
      reserveP50: quantile(ok.map((o) => o.reserveMs), 0.5),
      reserveP99: quantile(ok.map((o) => o.reserveMs), 0.99),
      seatedP50: quantile(ok.map((o) => o.seatedMs), 0.5),
      seatedP99: quantile(ok.map((o) => o.seatedMs), 0.99),
      roomsPerSecond: ok.length / seconds,
      cpuMsPerRoom: (cpu * 1000) / Math.max(1, ok.length),
    };
  } finally {
    await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.kill("SIGTERM")));
    await redis?.stop();
  }
}

// The machine may be shared: its load when the run began says how much of it the figures had.
const load = loadavg()[0]!;
const results = [await run("1 process, in-memory", 1), await run("2 processes, Redis", 2)];
const rows = results.map((r) =>
  `| ${r.name} | ${ROOMS - r.failed} | ${r.failed} | ${r.uniqueCodes} | ${r.reserveP50.toFixed(0)} | ${r.reserveP99.toFixed(0)} | ${r.seatedP50.toFixed(0)} | ${r.seatedP99.toFixed(0)} | ${r.roomsPerSecond.toFixed(0)} | ${r.cpuMsPerRoom.toFixed(1)} |`);
const body = `## Private room creation burst (\`npm run bench:rooms\`)

${machineLine()}. ${ROOMS} private rooms requested at once (sign-in not timed), spread evenly over the
processes; clients on the same machine, sharing its CPU with the servers. *Created* is
\`POST /matchmake/create/arena\` answered (room made, code claimed, seat reserved); *seated* adds the websocket
join that consumes the seat (what \`client.create()\` waits for). Server CPU is user + system time of the game
processes over the burst (/proc), per room. Load average when the run began: ${load.toFixed(1)}.

| Setup | Created | Failed | Unique codes | Created p50 (ms) | Created p99 (ms) | Seated p50 (ms) | Seated p99 (ms) | Rooms/s | Server CPU per room (ms) |
|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}`;
process.stdout.write(body + "\n");
if (process.env.BENCH_NO_WRITE !== "1") writeSection("rooms", body);
process.exit(results.some((r) => r.failed > 0 || r.uniqueCodes !== ROOMS - r.failed) ? 1 : 0);
