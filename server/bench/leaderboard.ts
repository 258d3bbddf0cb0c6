/**
 * `npm run bench:leaderboard`: time from a leaderboard write to its arrival in
 * a lobby client connected to another process (p50/p99). Two game processes
 * (A, B) on one real redis-server; the lobby client is on B; each write is a
 * RedisLeaderboard.credit — the call A's rooms make on a kill — issued here
 * with A's code path, then timed until B's lobby client receives the board.
 * BENCH_WRITES (default 200) writes, one at a time.
 */
import { Client } from "@colyseus/sdk";
import { LobbyMessage, ROOM_LOBBY, type LeaderboardSnapshot } from "@arena/shared";
import { RedisLeaderboard } from "../src/leaderboard/RedisLeaderboard.ts";
import { createLogger } from "../src/log.ts";
import { guestToken } from "../test/helpers.ts";
import { spawnServer, startRedis } from "../test/processes.ts";
import { machineLine, quantile, writeSection } from "./report.ts";

const WRITES = Number(process.env.BENCH_WRITES ?? 200);

const redis = await startRedis();
const a = await spawnServer({ REDIS_URL: redis.url });
const b = await spawnServer({ REDIS_URL: redis.url });
const writer = await RedisLeaderboard.connect(redis.url, createLogger("silent"));
const lobbyClient = new Client(b.url);
lobbyClient.auth.token = await guestToken(b.url, "bench");
const lobby = await lobbyClient.create(ROOM_LOBBY, {});
const latencies: number[] = [];
try {
  let waiting: ((s: LeaderboardSnapshot) => void) | undefined;
  lobby.onMessage(LobbyMessage.Leaderboard, (s: LeaderboardSnapshot) => waiting?.(s));
  for (let i = 0; i < WRITES; i++) {
    const user = `bench-${i % 20}`;
    const expected = Number((await writer.snapshot()).version) + 1;
    const arrived = new Promise<void>((resolve) => {
      waiting = (s) => {
        if (s.allTime.some((e) => e.userId === user) && s.version >= expected) resolve();
      };
    });
    const t0 = performance.now();
    await writer.credit([{ userId: user, name: user, points: 1 }]);
    await arrived;
    latencies.push(performance.now() - t0);
  }
} finally {
  await lobby.leave().catch(() => undefined);
  await writer.close();
  await Promise.all([a.kill("SIGTERM"), b.kill("SIGTERM")]);
  await redis.stop();
}
const body = `## Leaderboard write to a lobby client on another process (\`npm run bench:leaderboard\`)

${machineLine()}. ${WRITES} writes one after another (ZINCRBY ×2 + HSET + INCR + PUBLISH in one MULTI),
each timed until the lobby client on process B receives the new board (Redis pub/sub, snapshot read on B,
Colyseus message): **p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms**, max ${Math.max(...latencies).toFixed(1)} ms.`;
process.stdout.write(body + "\n");
writeSection("leaderboard", body);
process.exit(0);
