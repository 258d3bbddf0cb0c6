/**
 * Quick play on Redis reads the open-room index (OpenRoomIndex.ts), not every listing: two processes on a
 * real redis-server, rooms of 4 (MAX_PLAYERS). It fills the fullest open room first, never a full
 * (locked) or a private one, across processes, with a mode or without (as the page asks); it reads no
 * listing hash whole (no HGETALL of roomcaches, seen by MONITOR); an index entry whose room is gone is
 * skipped and dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { ROOM_ARENA } from "@arena/shared";
import { LobbyWatcher, joinArena, quickPlay, requireBinary, signIn, spawnServer, spawnTracked, startRedis, waitForLine, waitForOwnPlayer, type ArenaRoomClient, type GameServerProcess, type RedisProcess } from "@arena/testkit";

const CAP = 4;
const cluster = { redis: undefined as unknown as RedisProcess, servers: [] as GameServerProcess[], rooms: [] as ArenaRoomClient[] };

beforeAll(async () => {
  cluster.redis = await startRedis();
  // One after the other, with time to spare: two start-ups at once on a busy two-core machine can take over 30 s.
  for (let i = 0; i < 2; i++) cluster.servers.push(await spawnServer({ REDIS_URL: cluster.redis.url, MAX_PLAYERS: String(CAP) }, { timeoutMs: 60_000 }));
}, 150_000);

afterAll(async () => {
  await Promise.all(cluster.rooms.filter((r) => r.connection.isOpen).map((r) => r.leave().catch(() => undefined)));
  await Promise.all(cluster.servers.map((s) => s.kill("SIGTERM")));
  await cluster.redis?.stop();
}, 30_000);
const INDEX = `arena:open:${ROOM_ARENA}:${JSON.stringify({ mode: "ffa" })}`;
const ANY = `arena:open:${ROOM_ARENA}:{}`;

const keep = (r: ArenaRoomClient): ArenaRoomClient => (cluster.rooms.push(r), r);

/** A new public room on process `i`, then `more` people joining it by id (through the other process). */
async function roomOf(i: number, people: number, extra: Record<string, unknown> = {}): Promise<ArenaRoomClient> {
  const [a, b] = cluster.servers;
  const first = await signIn((i === 0 ? a : b)!.url, `r${i}p0`);
  const room = keep((await first.client.create(ROOM_ARENA, { name: "p0", mode: "ffa", ...extra })) as ArenaRoomClient);
  await waitForOwnPlayer(room);
  for (let p = 1; p < people; p++) {
    const { client } = await signIn((p % 2 === 0 ? a : b)!.url, `r${i}p${p}`);
    await waitForOwnPlayer(keep((await client.joinById(room.roomId, { name: `p${p}` })) as ArenaRoomClient));
  }
  return room;
}

/** Calls of `command` Redis counted since the last CONFIG RESETSTAT. */
async function calls(db: Redis, command: string): Promise<number> {
  const m = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, "m").exec(await db.info("commandstats"));
  return m === null ? 0 : Number(m[1]);
}

describe("quick play from the open-room index", () => {
  it("fills the fullest open room, with or without a mode, never a full or private one, and reads no listing hash whole", async () => {
    const db = new Redis(cluster.redis.url);
    const lobby = await LobbyWatcher.open(cluster.servers[0]!.url, "create");
    try {
      const full = await roomOf(0, CAP);
      const three = await roomOf(1, 3);
      const one = await roomOf(0, 1);
      const hidden = await roomOf(1, 3, { private: true });
      // The index is written before the listing's change is announced to lobbies: once the lobby shows the
      // seats, the index holds the open public rooms by people seated, and nothing else.
      const seated = (id: string): unknown => (lobby.rooms.get(id)?.metadata as { players?: number } | undefined)?.players;
      await lobby.until(() => seated(three.roomId) === 3 && seated(one.roomId) === 1 && seated(full.roomId) === CAP, "seats listed");
      expect(await db.zscore(INDEX, three.roomId)).toBe("3");
      expect(await db.zscore(INDEX, one.roomId)).toBe("1");
      expect(await db.zscore(ANY, one.roomId)).toBe("1");
      expect(await db.zscore(INDEX, full.roomId)).toBeNull();
      expect(await db.zscore(INDEX, hidden.roomId)).toBeNull();

      // The lobby reads the listing on its own (Colyseus' LobbyRoom): gone before counting.
      await lobby.room.leave();
      // Every command Redis runs, as redis-cli's MONITOR prints it: "<time> [0 <client>] "hgetall" "roomcaches"".
      const monitor = spawnTracked(requireBinary("redis-cli"), ["-p", String(cluster.redis.port), "monitor"]);
      await waitForLine(monitor, (l) => l.trim() === "OK", "redis-cli monitor");
      const wholeReads: string[] = [];
      monitor.stdout!.on("data", (chunk: Buffer) => {
        for (const line of chunk.toString("utf8").split("\n")) if (/"hgetall" "roomcaches"/i.test(line)) wholeReads.push(line);
      });
      await db.config("RESETSTAT");
      const [a, b] = cluster.servers;
      // The fullest open room first (through either process), then, once it is full, the next one.
      expect(keep(await quickPlay(a!.url, "q1")).roomId).toBe(three.roomId);
      expect(keep(await quickPlay(b!.url, "q2")).roomId).toBe(one.roomId);
      // Without a mode, as the page asks: the set of every mode.
      expect(keep((await joinArena(a!.url, "q3")).room).roomId).toBe(one.roomId);
      monitor.kill("SIGKILL");
      expect(wholeReads).toEqual([]);
      expect(await calls(db, "zrevrange")).toBeGreaterThanOrEqual(3);
      expect(await db.zscore(INDEX, three.roomId)).toBeNull(); // full now: locked, out of the index
    } finally {
      if (lobby.room.connection.isOpen) await lobby.room.leave().catch(() => undefined);
      db.disconnect();
    }
  }, 60_000);

  it("skips and drops an index entry whose room is gone", async () => {
    const db = new Redis(cluster.redis.url);
    try {
      const open = await roomOf(0, 1);
      await db.zadd(INDEX, 99, "GONEROOM1");
      const joined = keep(await quickPlay(cluster.servers[1]!.url, "after-ghost"));
      expect(joined.roomId).not.toBe("GONEROOM1");
      expect([open.roomId, ...cluster.rooms.map((r) => r.roomId)]).toContain(joined.roomId);
      expect(await db.zscore(INDEX, "GONEROOM1")).toBeNull();
    } finally {
      db.disconnect();
    }
  }, 30_000);
});
