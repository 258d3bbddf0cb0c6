/**
 * `npm run bench:leaderboard`: time from a leaderboard write to its arrival in
 * a lobby client connected to another process (p50/p99). One game process
 * (B) on a real redis-server, with the lobby client on it; each write is a
 * RedisLeaderboard.credit — the call a room on another process makes on a
 * kill — issued from this process, then timed until B's lobby client
 * receives the board.
 * BENCH_WRITES (default 200) writes, one at a time.
 */
import { LobbyMessage, ROOM_LOBBY, type LeaderboardSnapshot } from "@arena/shared";
import { RedisLeaderboard } from "../src/leaderboard/RedisLeaderboard.ts";
import { createLogger } from "../src/log.ts";
import { machineLine, quantile, signIn, spawnServer, startRedis, writeSection } from "@arena/testkit/remote";

const WRITES = Number(process.env.BENCH_WRITES ?? 200);

const redis = await startRedis();
const b = await spawnServer({ REDIS_URL: redis.url });
const writer = await RedisLeaderboard.connect(redis.url, createLogger("silent"));
const { client } = await signIn(b.url, "bench");
const lobby = await client.create(ROOM_LOBBY, {});
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
  await b.stop();
  await redis.stop();
}
const body = `## Leaderboard write to a lobby client on another process (\`npm run bench:leaderboard\`)

${machineLine()}. ${WRITES} writes one after another (ZINCRBY ×2 + HSET + INCR + PUBLISH in one MULTI),
each timed until the lobby client on process B receives the new board (Redis pub/sub, snapshot read on B,
Colyseus message): **p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms**, max ${Math.max(...latencies).toFixed(1)} ms.`;
process.stdout.write(body + "\n");
writeSection("leaderboard", body);
process.exit(0);
