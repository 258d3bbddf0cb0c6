/**
 * `npm run bench:redis-scaling`: the Redis reads whose size grows with the cluster, measured at the sizes
 * of 10k and 100k concurrent players, and this machine's Redis ceiling, for the capacity plan in
 * docs/OPERATIONS.md:
 * - the room listing: Colyseus' Redis driver answers every quick-play matchmaking query with HGETALL of the
 *   one hash `roomcaches` (coalesced while one is in flight) and parses every listing; seeded here with
 *   copies of a real listing (taken from a live process) at 16 players per room;
 * - the people directory: each process reads every process's `arena:people:proc:<id>` key (SMEMBERS + one
 *   GET each) once a second for the status feed and every 0.5 s while its lobby has clients, and merges
 *   them (the real `mergePeople`); seeded with one key per process at 600 players per process;
 * - `redis-benchmark` (GET, SET, HSET; 50 clients, pipeline 1): single-command throughput.
 * A scratch redis-server of its own; keys under `bench:`; nothing is left behind. Prints the figures and
 * writes them to docs/BENCHMARKS.md (not with BENCH_NO_WRITE=1).
 */
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { Redis } from "ioredis";
import { Client } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { ROOM_ARENA, type PersonOnline } from "@arena/shared";
import { mergePeople } from "../src/people/PeopleDirectory.ts";
import { guestToken, machineLine, requireBinary, spawnServer, startRedis, writeSection } from "@arena/testkit/remote";

/** Players per room (full public rooms) and per process (the capacity plan's figure), for the seeding. */
const PLAYERS_PER_ROOM = 16;
const PLAYERS_PER_PROCESS = 600;
const SIZES = [10_000, 100_000];
const READS = 20;

// The machine may be shared: its load when the run began says how much of it the figures had.
const load = loadavg()[0]!;
const redis = await startRedis();
const db = new Redis(redis.url);

/** Mean Redis-side µs per call of `command` over `run`, from INFO commandstats. */
async function redisMicros(command: string, run: () => Promise<void>): Promise<number> {
  await db.config("RESETSTAT");
  await run();
  const m = new RegExp(`^cmdstat_${command}:calls=(\\d+),usec=(\\d+)`, "m").exec(await db.info("commandstats"));
  return m === null ? NaN : Number(m[2]) / Number(m[1]);
}

/** A real listing of a full public room, as the Redis driver stores it (from a live process). */
async function realListing(): Promise<string> {
  const server = await spawnServer({ REDIS_URL: redis.url });
  try {
    const client = new JoinClient(server.url);
    client.auth.token = await guestToken(server.url, "template");
    const room = await client.joinOrCreate(ROOM_ARENA, { name: "template", mode: "ffa" });
    const raw = await db.hget("roomcaches", room.roomId);
    await room.leave();
    if (raw === null) throw new Error("the live room is not listed in roomcaches");
    return raw.replace(room.roomId, "ROOMID");
  } finally {
    await server.kill("SIGTERM");
  }
}

interface Row { players: number; items: number; bytes: number; redisUs: number; clientMs: number }

async function listingRead(template: string, players: number): Promise<Row> {
  const key = `bench:roomcaches:${players}`;
  const rooms = Math.ceil(players / PLAYERS_PER_ROOM);
  const entries: string[] = [];
  for (let i = 0; i < rooms; i++) {
    const id = `R${String(i).padStart(8, "0")}`;
    entries.push(id, template.replace("ROOMID", id));
  }
  for (let i = 0; i < entries.length; i += 2000) await db.hset(key, ...entries.slice(i, i + 2000));
  const bytes = entries.reduce((n, e, i) => (i % 2 === 1 ? n + e.length : n), 0);
  let clientMs = 0;
  const redisUs = await redisMicros("hgetall", async () => {
    for (let r = 0; r < READS; r++) {
      const t0 = performance.now();
      // What the driver does with the reply: filter by room name on the raw string, then parse each listing.
      const all = await db.hgetall(key);
      const named = Object.values(all).filter((raw) => raw.includes(`"name":"${ROOM_ARENA}"`)).map((raw) => JSON.parse(raw) as unknown);
      if (named.length !== rooms) throw new Error(`read ${named.length} listings, seeded ${rooms}`);
      clientMs += performance.now() - t0;
    }
  });
  await db.del(key);
  return { players, items: rooms, bytes, redisUs, clientMs: clientMs / READS };
}

async function peopleRead(players: number): Promise<Row> {
  const processes = Math.ceil(players / PLAYERS_PER_PROCESS);
  const setKey = `bench:people:procs:${players}`;
  const ids: string[] = [];
  let bytes = 0;
  for (let p = 0; p < processes; p++) {
    const id = `proc${p}`;
    ids.push(id);
    const list: PersonOnline[] = Array.from({ length: Math.min(PLAYERS_PER_PROCESS, players - p * PLAYERS_PER_PROCESS) }, (_, i) => ({
      userId: `g_${crypto.randomUUID()}`, name: `player${p}_${i}`.slice(0, 16), status: "match", roomId: `R${String(i >> 4).padStart(8, "0")}`, joinable: false,
    }));
    const json = JSON.stringify(list);
    bytes += json.length;
    await db.set(`bench:people:proc:${players}:${id}`, json);
  }
  await db.sadd(setKey, ...ids);
  let clientMs = 0;
  const redisUs = await redisMicros("get", async () => {
    for (let r = 0; r < READS; r++) {
      const t0 = performance.now();
      // PeopleDirectory.readAll: the set, one GET per process, parse, merge.
      const members = await db.smembers(setKey);
      const lists = await Promise.all(members.map(async (id) => JSON.parse((await db.get(`bench:people:proc:${players}:${id}`))!) as PersonOnline[]));
      if (mergePeople(lists).length !== players) throw new Error("merged list is short");
      clientMs += performance.now() - t0;
    }
  });
  await db.del(setKey, ...ids.map((id) => `bench:people:proc:${players}:${id}`));
  // Per read: one GET per process.
  return { players, items: processes, bytes, redisUs: redisUs * processes, clientMs: clientMs / READS };
}

function redisBenchmark(): Record<string, number> {
  const out = execFileSync(requireBinary("redis-benchmark"), ["-h", "127.0.0.1", "-p", String(redis.port), "-q", "-n", "100000", "-c", "50", "-t", "get,set,hset"], { encoding: "utf8" });
  const rates: Record<string, number> = {};
  for (const m of out.matchAll(/^(\w+)[^:]*: ([\d.]+) requests per second/gm)) rates[m[1]!] = Number(m[2]);
  return rates;
}

try {
  const template = await realListing();
  const listings = [];
  const people = [];
  for (const n of SIZES) listings.push(await listingRead(template, n));
  for (const n of SIZES) people.push(await peopleRead(n));
  const rates = redisBenchmark();
  const kb = (b: number): string => (b / 1024).toFixed(0);
  const body = `## Redis reads that grow with the cluster (\`npm run bench:redis-scaling\`)

${machineLine()}. One redis-server on loopback, seeded at the size of 10k and 100k players; ${READS} reads each.
*Room listing*: Colyseus' Redis driver reads the whole hash \`roomcaches\` (HGETALL) for a quick-play query and
parses every listing: ${PLAYERS_PER_ROOM} players per room, each listing a copy of a live one (${template.length} bytes).
*People directory*: a process reads every process's people key (SMEMBERS + one GET each) and merges them, once a
second for the status feed and twice a second while its lobby has clients: ${PLAYERS_PER_PROCESS} players per process.
Redis time is Redis's own (\`usec\` in \`INFO commandstats\`) per read; client time is one Node process (ioredis,
JSON parsing, merge), wall clock, on this shared machine (load average ${load.toFixed(1)} when the run began).

| Read | Players | Items | Reply (KB) | Redis time per read (µs) | Client time per read (ms) |
|---|---|---|---|---|---|
${listings.map((r) => `| room listing (HGETALL roomcaches) | ${r.players} | ${r.items} rooms | ${kb(r.bytes)} | ${r.redisUs.toFixed(0)} | ${r.clientMs.toFixed(1)} |`).join("\n")}
${people.map((r) => `| people directory (all processes) | ${r.players} | ${r.items} processes | ${kb(r.bytes)} | ${r.redisUs.toFixed(0)} | ${r.clientMs.toFixed(1)} |`).join("\n")}

\`redis-benchmark\` on the same machine (50 clients, no pipelining; single commands per second):
${Object.entries(rates).map(([c, r]) => `${c} ${Math.round(r).toLocaleString("en")}`).join(", ")}.`;
  process.stdout.write(body + "\n");
  if (process.env.BENCH_NO_WRITE !== "1") writeSection("redis-scaling", body);
} finally {
  db.disconnect();
  await redis.stop();
}
process.exit(0);
