/**
 * `npm run bench:joins`: how many quick-play joins per second one process
 * sustains (in-memory) and two processes on one Redis sustain, with every
 * valid join required to succeed. Real processes and real SDK clients on
 * loopback; clients stay connected so rooms fill up as in production.
 * BENCH_JOINS (default 400) clients, BENCH_CONCURRENCY (default 40) in flight.
 * Prints the figures and writes them to docs/BENCHMARKS.md.
 */
import { Client, type Room } from "@colyseus/sdk";
import { ROOM_ARENA } from "@arena/shared";
import { guestToken, spawnServer, startRedis, type RedisProcess, type GameServerProcess, machineLine, quantile, writeSection } from "@arena/testkit/remote";

const JOINS = Number(process.env.BENCH_JOINS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 40);

interface Result { name: string; joinsPerSecond: number; failed: number; p50: number; p99: number; rooms: number }

async function run(name: string, processes: number): Promise<Result> {
  let redis: RedisProcess | undefined;
  const servers: GameServerProcess[] = [];
  try {
    if (processes > 1) redis = await startRedis();
    for (let i = 0; i < processes; i++) servers.push(await spawnServer(redis ? { REDIS_URL: redis.url } : {}));
    const url = (i: number): string => servers[i % servers.length]!.url;
    const tokens = await Promise.all(Array.from({ length: JOINS }, (_, i) => guestToken(url(i), `b${i}`)));
    const rooms: Room[] = [];
    const latencies: number[] = [];
    let failed = 0;
    let next = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < JOINS) {
        const i = next++;
        const client = new Client(url(i));
        client.auth.token = tokens[i]!;
        const t0 = performance.now();
        try {
          rooms.push(await client.joinOrCreate(ROOM_ARENA, { name: `b${i}` }));
          latencies.push(performance.now() - t0);
        } catch (e) {
          failed++;
          process.stderr.write(`join ${i} failed: ${String(e)}\n`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    const roomCount = new Set(rooms.map((r) => r.roomId)).size;
    await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
    return { name, joinsPerSecond: JOINS / seconds, failed, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), rooms: roomCount };
  } finally {
    await Promise.all(servers.map((s) => s.kill("SIGTERM")));
    await redis?.stop();
  }
}

const results = [await run("1 process, in-memory", 1), await run("2 processes, Redis", 2)];
const rows = results.map((r) => `| ${r.name} | ${r.joinsPerSecond.toFixed(0)} | ${r.failed} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.rooms} |`);
const body = `## Quick-play joins per second (\`npm run bench:joins\`)

${machineLine()}. ${JOINS} quick-play joins (sign-in not timed), ${CONCURRENCY} in flight, clients on the
same machine and kept connected (rooms fill to 16); the client side shares the CPU with the servers.

| Setup | Joins/s | Failed | Join p50 (ms) | Join p99 (ms) | Rooms |
|---|---|---|---|---|---|
${rows.join("\n")}`;
process.stdout.write(body + "\n");
writeSection("joins", body);
process.exit(results.some((r) => r.failed > 0) ? 1 : 0);
