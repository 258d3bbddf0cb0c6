/**
 * `npm run bench:redis-commands`: the Redis commands each operation costs, counted by Redis itself
 * (`CONFIG RESETSTAT`, then `INFO commandstats`) with two game processes on one real redis-server:
 * - a process at rest (its heartbeats: ghost-sweeper beat and sweep, health probe, status feed, people
 *   directory), per process-second;
 * - a connected player at rest in a room (people directory, room lock sync, lobby), per player-second;
 * - a quick-play join (matchmaking, room creation for 1 in 16 joins, seat, presence updates), per join;
 * - a private room (create with a code + seat), per room;
 * - a leaderboard credit (one kill's points: RedisLeaderboard.credit, the code rooms call, and the
 *   snapshot re-reads it triggers in the processes), per credit: one player scoring (no rank changes), and
 *   50 players scoring in turn (ranks change at nearly every write: "you were passed" notifications).
 * Each phase's count has the processes' background (measured first, per second) taken off for its
 * duration. The bench's own INFO/CONFIG calls are left out. BENCH_JOINS (64), BENCH_CREDITS (200),
 * BENCH_IDLE_S (10). Prints the figures and writes them to docs/BENCHMARKS.md (not with BENCH_NO_WRITE=1).
 */
import { Redis } from "ioredis";
import { type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { ROOM_ARENA } from "@arena/shared";
import { RedisLeaderboard } from "../src/leaderboard/RedisLeaderboard.ts";
import { createLogger } from "../src/log.ts";
import { guestToken, inFlight, machineLine, spawnServer, startRedis, writeSection, type GameServerProcess } from "@arena/testkit/remote";

function setting(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be an integer from 1 to ${max}, got "${raw}"`);
  return n;
}
const JOINS = setting("BENCH_JOINS", 64, 2000);
const PRIVATE_ROOMS = Math.max(1, Math.round(JOINS / 4));
const CREDITS = setting("BENCH_CREDITS", 200, 100_000);
const IDLE_S = setting("BENCH_IDLE_S", 10, 600);
/** Left for presence writes a phase set off (the people directory writes within 50 ms, each process every 500 ms). */
const SETTLE_MS = 1500;
/** Commands of the bench's own connection. */
const OURS = new Set(["info", "config|resetstat", "config"]);

/** Calls and microseconds by command, as Redis counts them. */
type Counts = Map<string, { calls: number; usec: number }>;

const redis = await startRedis();
const db = new Redis(redis.url);

async function measure(phase: () => Promise<void>): Promise<{ counts: Counts; seconds: number }> {
  await db.config("RESETSTAT");
  const t0 = performance.now();
  await phase();
  const seconds = (performance.now() - t0) / 1000;
  const info = await db.info("commandstats");
  const counts: Counts = new Map();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    if (!OURS.has(m[1]!)) counts.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return { counts, seconds };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `counts` less `background` per second for `seconds`, divided by `per`. */
function perOperation(m: { counts: Counts; seconds: number }, per: number, background?: { counts: Counts; seconds: number }): Counts {
  const out: Counts = new Map();
  const names = new Set([...m.counts.keys(), ...(background?.counts.keys() ?? [])]);
  for (const name of names) {
    const c = m.counts.get(name) ?? { calls: 0, usec: 0 };
    const b = background?.counts.get(name);
    const scale = background === undefined ? 0 : m.seconds / background.seconds;
    out.set(name, { calls: (c.calls - (b?.calls ?? 0) * scale) / per, usec: (c.usec - (b?.usec ?? 0) * scale) / per });
  }
  return out;
}

const servers: GameServerProcess[] = await Promise.all([0, 1].map(() => spawnServer({ REDIS_URL: redis.url })));
const url = (i: number): string => servers[i % 2]!.url;
const rooms: Room[] = [];
const lb = await RedisLeaderboard.connect(redis.url, createLogger("silent"));
try {
  // Both processes have done their start-up writes and run their timers.
  await sleep(2000);
  const idle = await measure(() => sleep(IDLE_S * 1000));

  const tokens = await Promise.all(Array.from({ length: JOINS + PRIVATE_ROOMS }, (_, i) => guestToken(url(i), `rc${i}`)));
  const joins = await measure(async () => {
    await inFlight(JOINS, 8, async (i) => {
      const client = new JoinClient(url(i));
      client.auth.token = tokens[i]!;
      rooms.push(await client.joinOrCreate(ROOM_ARENA, { name: `rc${i}`, mode: "ffa" }));
    });
    await sleep(SETTLE_MS);
  });
  const quickRooms = new Set(rooms.map((r) => r.roomId)).size;

  const players = await measure(() => sleep(IDLE_S * 1000));

  const privates = await measure(async () => {
    for (let i = JOINS; i < JOINS + PRIVATE_ROOMS; i++) {
      const client = new JoinClient(url(i));
      client.auth.token = tokens[i]!;
      rooms.push(await client.create(ROOM_ARENA, { name: `rc${i}`, private: true }));
    }
    await sleep(SETTLE_MS);
  });

  // One player scoring again and again: the write and the re-reads, nobody's rank changes.
  const credits = await measure(async () => {
    for (let i = 0; i < CREDITS; i++) await lb.credit([{ userId: "g_bench_top", name: "benchtop", points: 1 }]);
    await sleep(SETTLE_MS);
  });
  // 50 players with a point each in turn: nearly every write reorders the board and sends "you were passed" notes.
  const reorders = await measure(async () => {
    for (let i = 0; i < CREDITS; i++) await lb.credit([{ userId: `g_bench${i % 50}`, name: `bench${i % 50}`, points: 1 }]);
    await sleep(SETTLE_MS);
  });

  // Background of the later phases: the processes at rest with JOINS players (and, for credits, the private rooms).
  const columns: [string, Counts][] = [
    ["per process-second at rest", perOperation(idle, 2 * idle.seconds)],
    ["per player-second at rest", perOperation(players, JOINS * players.seconds, idle)],
    ["per quick-play join", perOperation(joins, JOINS, idle)],
    ["per private room", perOperation(privates, PRIVATE_ROOMS, players)],
    ["per leaderboard credit", perOperation(credits, CREDITS, players)],
    ["per credit that reorders the board", perOperation(reorders, CREDITS, players)],
  ];
  const total = (c: Counts): { calls: number; usec: number } =>
    [...c.values()].reduce((t, v) => ({ calls: t.calls + v.calls, usec: t.usec + v.usec }), { calls: 0, usec: 0 });
  const commands = [...new Set(columns.flatMap(([, c]) => [...c.keys()]))]
    .map((name) => ({ name, weight: columns.reduce((w, [, c]) => w + Math.abs(c.get(name)?.calls ?? 0), 0) }))
    .filter((c) => columns.some(([, col]) => Math.abs(col.get(c.name)?.calls ?? 0) >= 0.05))
    .sort((a, b) => b.weight - a.weight);
  const cell = (v: number | undefined): string => (v === undefined || Math.abs(v) < 0.05 ? "" : v.toFixed(1));
  const rows = commands.map(({ name }) => `| \`${name}\` | ${columns.map(([, c]) => cell(c.get(name)?.calls)).join(" | ")} |`);
  const totals = columns.map(([, c]) => total(c));
  const body = `## Redis commands per operation (\`npm run bench:redis-commands\`)

${machineLine()}. Two game processes on one redis-server, counted by Redis (\`CONFIG RESETSTAT\`, \`INFO commandstats\`).
At rest: ${IDLE_S} s with no player, then ${IDLE_S} s with ${JOINS} players seated in ${quickRooms} quick-play rooms (background
of the process taken off). ${JOINS} quick-play joins (8 in flight, alternating processes; a new room every 16),
${PRIVATE_ROOMS} private rooms created one after another, ${CREDITS} leaderboard credits (one kill's points each,
written by \`RedisLeaderboard.credit\` as rooms do, and the snapshot re-reads it sets off in both processes) to one
player, then ${CREDITS} to 50 players in turn, so that nearly every write reorders the board and sends "you were
passed" notifications (the worst case; a credit costs between the two).
Each phase's count has the measured background for its duration taken off, so small fractions are noise.
Redis time is its own per-command time (\`usec\`), not the round trips.

| Command | ${columns.map(([n]) => n).join(" | ")} |
|---|${columns.map(() => "---").join("|")}|
${rows.join("\n")}
| **all commands** | ${totals.map((t) => `**${t.calls.toFixed(1)}**`).join(" | ")} |
| Redis time (µs) | ${totals.map((t) => t.usec.toFixed(0)).join(" | ")} |`;
  process.stdout.write(body + "\n");
  if (process.env.BENCH_NO_WRITE !== "1") writeSection("redis-commands", body);
} finally {
  await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
  await lb.close();
  await Promise.all(servers.map((s) => s.kill("SIGTERM")));
  db.disconnect();
  await redis.stop();
}
process.exit(0);
