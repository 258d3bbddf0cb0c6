/**
 * `npm run bench:leaderboard`: time from a leaderboard write to its arrival in
 * a lobby client connected to another process (p50/p99). One game process
 * (B) on a real redis-server, with the lobby client on it; each write is a
 * RedisLeaderboard.credit — the call a room on another process makes on a
 * kill — issued from this process, then timed until B's lobby client
 * receives the board.
 * BENCH_WRITES (default 100) writes, one at a time, twice: apart (each NOTICE_MIN_INTERVAL_MS and B's
 * SNAPSHOT_MIN_INTERVAL_MS after the last, as a kill in a quiet cluster), then back to back (each as soon as the
 * last arrived, as in a busy one: announced once the cluster's notice interval ends, read within B's cap).
 */
import { LobbyMessage, ROOM_LOBBY, type LeaderboardSnapshot } from "@arena/shared";
import { NOTICE_MIN_INTERVAL_MS, RedisLeaderboard, SNAPSHOT_MIN_INTERVAL_MS } from "../src/leaderboard/RedisLeaderboard.ts";
import { createLogger } from "../src/log.ts";
import { machineLine, quantile, signIn, spawnServer, startRedis, writeSection } from "@arena/testkit/remote";

const WRITES = Number(process.env.BENCH_WRITES ?? 100);
/** Writes "apart" wait this long after the last arrived: both intervals over, and a margin. */
const APART_MS = Math.max(NOTICE_MIN_INTERVAL_MS, SNAPSHOT_MIN_INTERVAL_MS) + 50;

const redis = await startRedis();
const b = await spawnServer({ REDIS_URL: redis.url });
const writer = await RedisLeaderboard.connect(redis.url, createLogger("silent"));
const { client } = await signIn(b.url, "bench");
const lobby = await client.create(ROOM_LOBBY, {});
const latencies = { apart: [] as number[], backToBack: [] as number[] };
try {
  let waiting: ((s: LeaderboardSnapshot) => void) | undefined;
  lobby.onMessage(LobbyMessage.Leaderboard, (s: LeaderboardSnapshot) => waiting?.(s));
  for (let i = 0; i < 2 * WRITES; i++) {
    const apart = i < WRITES;
    if (apart) await new Promise((r) => setTimeout(r, APART_MS));
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
    (apart ? latencies.apart : latencies.backToBack).push(performance.now() - t0);
  }
} finally {
  await lobby.leave().catch(() => undefined);
  await writer.close();
  await b.stop();
  await redis.stop();
}
const body = `## Leaderboard write to a lobby client on another process (\`npm run bench:leaderboard\`)

${machineLine()}. Each write (ZINCRBY ×2 + HSET + INCRBY + EXPIRE and the change notice's script in one MULTI) is timed
until the lobby client on process B receives the new board (Redis pub/sub, snapshot read on B, Colyseus message).
${WRITES} writes ${APART_MS} ms apart, as a kill in a quiet cluster: **p50 ${quantile(latencies.apart, 0.5).toFixed(1)} ms, p99 ${quantile(latencies.apart, 0.99).toFixed(1)} ms**,
max ${Math.max(...latencies.apart).toFixed(1)} ms. ${WRITES} writes back to back (each as soon as the last arrived), as in a busy cluster,
where a write is announced once the cluster's notice interval (${NOTICE_MIN_INTERVAL_MS} ms) ends and B reads at most every ${SNAPSHOT_MIN_INTERVAL_MS} ms:
p50 ${quantile(latencies.backToBack, 0.5).toFixed(1)} ms, p99 ${quantile(latencies.backToBack, 0.99).toFixed(1)} ms, max ${Math.max(...latencies.backToBack).toFixed(1)} ms.`;
process.stdout.write(body + "\n");
writeSection("leaderboard", body);
process.exit(0);
