/**
 * `npm run bench:quick-play-query`: how long the read behind one quick play takes at 625 rooms (10k players)
 * and 6,250 rooms (100k), before and after the open-room index, in the same run on one redis-server:
 * - before: Colyseus' Redis driver query (`matchMaker.query` with the mode, unlocked and public: HGETALL of
 *   the whole `roomcaches` hash, every listing parsed, filtered and sorted);
 * - after: OpenRoomIndex.open (ZREVRANGE of the mode's sorted set, then one HMGET of the best 16 listings).
 * Seeded with listings of the shape a live arena room writes (~290 bytes): 90 % full (16 people, locked),
 * 10 % open with 1-15 people, and each listed through the index as the driver does. READS (50) reads each,
 * alternating; the median and p90 of the wall-clock time of one read in this process, and Redis' own time
 * (INFO commandstats) per read. Prints the table and writes it to docs/BENCHMARKS.md (not with BENCH_NO_WRITE=1).
 */
import { loadavg } from "node:os";
import { Redis } from "ioredis";
import { RedisDriver } from "@colyseus/redis-driver";
import type { IRoomCache } from "@colyseus/core";
import { ROOM_ARENA } from "@arena/shared";
import { OpenRoomIndex } from "../src/matchmaking/OpenRoomIndex.ts";
import { machineLine, quantile, startRedis, writeSection } from "@arena/testkit/remote";

const SIZES = [625, 6250];
const READS = Number(process.env.BENCH_READS ?? 50);
const load = loadavg()[0]!;
const redis = await startRedis();
const db = new Redis(redis.url);
const driver = new RedisDriver(redis.url);
const index = new OpenRoomIndex(db);
index.serve(ROOM_ARENA, ["mode"], { players: -1 });

function listing(i: number): IRoomCache {
  const open = i % 10 === 0;
  const players = open ? 1 + ((i / 10) % 15) : 16;
  return {
    clients: players, maxClients: 24, locked: !open, private: false, unlisted: false, name: ROOM_ARENA,
    roomId: `R${String(i).padStart(8, "0")}`, processId: `proc${i % 167}`, publicAddress: `game.example.com/10.0.${i % 167}.1/2567`,
    createdAt: new Date(1_700_000_000_000 + i).toISOString(),
    metadata: { mode: "ffa", phase: "playing", players, spectators: 0, bots: 0 },
  } as unknown as IRoomCache;
}

async function redisMicros(commands: string[]): Promise<number> {
  const info = await db.info("commandstats");
  let usec = 0;
  for (const c of commands) usec += Number(new RegExp(`^cmdstat_${c}:calls=\\d+,usec=(\\d+)`, "m").exec(info)?.[1] ?? 0);
  return usec;
}

interface Row { rooms: number; how: string; median: number; p90: number; redisUs: number; found: number }
const rows: Row[] = [];
try {
  for (const rooms of SIZES) {
    await db.flushall();
    index.forgetWritten();
    for (let i = 0; i < rooms; i += 500) {
      const batch = Array.from({ length: Math.min(500, rooms - i) }, (_, k) => listing(i + k));
      await db.hset("roomcaches", ...batch.flatMap((l) => [l.roomId, JSON.stringify(l)]));
      await Promise.all(batch.map((l) => index.listed(l)));
    }
    const ways: [string, () => Promise<IRoomCache[]>, string[]][] = [
      ["before: every listing (HGETALL roomcaches)", () => driver.query({ name: ROOM_ARENA, locked: false, private: false, mode: "ffa" } as Partial<IRoomCache>, { players: -1 }), ["hgetall"]],
      ["after: open-room index (ZREVRANGE + HMGET of 16)", () => index.open(ROOM_ARENA, { mode: "ffa" }, (ids) => driver.findByIds(ids)), ["zrevrange", "hmget"]],
    ];
    const times = ways.map(() => [] as number[]);
    const usec = ways.map(() => 0);
    const found = ways.map(() => 0);
    for (let r = 0; r < READS; r++) {
      for (let w = 0; w < ways.length; w++) {
        const [, read, commands] = ways[w]!;
        await db.config("RESETSTAT");
        const t0 = performance.now();
        const open = await read();
        times[w]!.push(performance.now() - t0);
        usec[w]! += await redisMicros(commands);
        found[w] = open.length;
        if (open[0] !== undefined && (open[0].metadata as { players: number }).players !== 15) throw new Error(`${ways[w]![0]}: the best room has ${JSON.stringify(open[0].metadata)}`);
      }
    }
    ways.forEach(([how], w) => rows.push({ rooms, how, median: quantile(times[w]!, 0.5), p90: quantile(times[w]!, 0.9), redisUs: usec[w]! / READS, found: found[w]! }));
  }
} finally {
  db.disconnect();
  await driver.shutdown().catch(() => undefined);
  await redis.stop();
}

const body = `## Quick play's read of open rooms, before and after the open-room index (\`npm run bench:quick-play-query\`)

${machineLine()}, load average ${load.toFixed(1)} when the run began. One redis-server on loopback; arena listings of
the shape a live room writes, 90 % full and locked, 10 % open with 1-15 people; ${READS} reads of each kind, alternating.
Time: one read in this process, wall clock (Redis round trips, parsing, filtering, sorting). Redis time: its own per read.

| Rooms | Read | Median (ms) | p90 (ms) | Redis time per read (µs) | Open rooms returned |
|---|---|---|---|---|---|
${rows.map((r) => `| ${r.rooms} | ${r.how} | ${r.median.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.redisUs.toFixed(0)} | ${r.found} |`).join("\n")}`;
process.stdout.write(body + "\n");
if (process.env.BENCH_NO_WRITE !== "1") writeSection("quick-play-query", body);
process.exit(0);
