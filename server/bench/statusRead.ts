/**
 * `npx tsx server/bench/statusRead.ts`: what the status feed's second costs at 100k players on 170 processes
 * (StatusFeed.ts), on a real redis-server this script starts: PROCESSES (170) feeds, each with its own Redis
 * connection, a live heartbeat and PEOPLE (590) people counted, as many processes of a cluster. After one second of
 * every feed (one holds the `status` lease and aggregates), ROUNDS (50) rounds of: a reading process's second (its
 * figures' SETEX and the cluster sample's GET: what every process but one does) and the aggregator's (its SETEX,
 * the lease, one GET per live process, the sum and the sample's SETEX). Wall time of each in this process, median
 * and p90, and Redis' own time per command (INFO commandstats). What the read costs does not depend on the players:
 * they are numbers in each process's figures. Prints; writes nothing.
 */
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import type { PeopleCounts } from "@arena/shared";
import { createLogger } from "../src/log.ts";
import type { PeopleDirectory } from "../src/people/PeopleDirectory.ts";
import { livenessOf } from "../src/scale/Liveness.ts";
import { ResilientRedisPresence } from "../src/scale/ResilientRedisPresence.ts";
import { HEARTBEAT_TTL_S } from "../src/scale/ghostSweeper.ts";
import { createRedisClient } from "../src/scale/redisClient.ts";
import { StatusFeed } from "../src/status/StatusFeed.ts";
import { machineLine, quantile, startRedis } from "@arena/testkit/remote";

const PROCESSES = Number(process.env.PROCESSES ?? 170);
const PEOPLE = Number(process.env.PEOPLE ?? 590);
const ROUNDS = Number(process.env.ROUNDS ?? 50);

const redis = await startRedis();
const log = createLogger("error");
const db = new Redis(redis.url);
const presences: ResilientRedisPresence[] = [];
try {
  // What the feed asks of people: this process's counts (its own connections, no Redis), and whether Redis is up.
  const counts: PeopleCounts = { online: PEOPLE, lobby: Math.round(PEOPLE * 0.05), match: PEOPLE - Math.round(PEOPLE * 0.05), spectating: 0, editing: 0 };
  const people = { countWith: () => undefined, localCounts: () => counts, up: () => true } as unknown as PeopleDirectory;
  const feeds: { id: string; feed: StatusFeed; tick: () => Promise<void> }[] = [];
  for (let i = 0; i < PROCESSES; i++) {
    const id = `proc${i}`;
    const presence = new ResilientRedisPresence(createRedisClient({ kind: "single", url: redis.url }), log);
    presences.push(presence);
    await livenessOf(presence).beat(id, Date.now() + 3600 * 1000);
    const feed = new StatusFeed(presence, new Registry(), people, log, { processId: () => id, clients: () => PEOPLE });
    feeds.push({ id, feed, tick: () => (feed as unknown as { tick(): Promise<void> }).tick() });
  }
  // A first second for everyone: one feed takes the lease and writes the cluster's sample; the others read it.
  for (const f of feeds) await f.tick();
  await new Promise((r) => setTimeout(r, 1100));
  for (const f of feeds) await f.tick();
  const aggregator = feeds.find((f) => (f.feed as unknown as { aggregating: boolean }).aggregating)!;
  const reader = feeds.find((f) => f !== aggregator)!;
  const sample = JSON.parse((await db.get("arena:status:cluster"))!) as { online: { players: number; processes: number } };
  if (sample.online.processes !== PROCESSES || sample.online.players !== PROCESSES * PEOPLE) throw new Error(`the sample counts ${JSON.stringify(sample.online)}`);

  const times = { reader: [] as number[], aggregator: [] as number[] };
  await db.config("RESETSTAT");
  for (let r = 0; r < ROUNDS; r++) {
    // Every process beats (as its ghost sweeper does), so each stays alive for the aggregator.
    await Promise.all(feeds.map((f, i) => livenessOf(presences[i]!).beat(f.id, Date.now() + HEARTBEAT_TTL_S * 1000)));
    // The feed takes one sample per second of the clock: each round is a new second for both.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
    let t0 = performance.now();
    await reader.tick();
    times.reader.push(performance.now() - t0);
    t0 = performance.now();
    await aggregator.tick();
    times.aggregator.push(performance.now() - t0);
  }
  const stats = await db.info("commandstats");
  const usec = (c: string): string => {
    const m = new RegExp(`cmdstat_${c}:calls=(\\d+),usec=(\\d+)`).exec(stats);
    return m === null ? "–" : (Number(m[2]) / Number(m[1])).toFixed(1);
  };
  const ms = (xs: number[]): string => `median ${quantile(xs, 0.5).toFixed(2)} ms, p90 ${quantile(xs, 0.9).toFixed(2)} ms`;
  process.stdout.write(`${machineLine()}. ${PROCESSES} processes, ${PROCESSES * PEOPLE} people, ${ROUNDS} rounds.
a reading process's status second (SETEX + GET of the cluster sample): ${ms(times.reader)}
the aggregator's second (SETEX, lease, ${PROCESSES} GETs, sum, SETEX): ${ms(times.aggregator)}
Redis' own time per command: get ${usec("get")} µs, setex ${usec("setex")} µs
`);
} finally {
  for (const p of presences) p.shutdown();
  db.disconnect();
  await redis.stop();
}
process.exit(0);
