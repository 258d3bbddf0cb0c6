/**
 * A burst of private rooms over two processes on one real Redis: 200 `create` calls at once through the
 * real SDK, half to each process. Every one is seated (no error, no expired reservation), every code is
 * unique and claimed in Redis, every room is listed on the process that made it, and each code joins
 * its own room through the other process. Figures (p50/p99, rooms/s) come from `npm run bench:rooms`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { JoinClient } from "@arena/shared/sdk";
import { ROOM_ARENA } from "@arena/shared";
import { CODES_KEY } from "../src/matchmaking/roomCodes.ts";
import {
  guestToken, joinByCode, waitForOwnPlayer, waitForState, type ArenaRoomClient, type GameServerProcess,
} from "@arena/testkit";
import { useProcessesOnRedis } from "@arena/testkit/fixtures";

const ROOMS = 200;

const cluster = useProcessesOnRedis(2);
let db: Redis;
const rooms = cluster.rooms;

beforeAll(() => {
  db = new Redis(cluster.redis.url);
});
afterAll(() => {
  db?.disconnect();
});

describe("a burst of private rooms over two processes", () => {
  it(`creates ${ROOMS} private rooms at once: all seated, codes unique and claimed, each joinable by code from the other process`, async () => {
    const server = (i: number): GameServerProcess => cluster.servers[i % 2]!;
    // Sign-in first, so the burst is the creations alone.
    const clients = await Promise.all(Array.from({ length: ROOMS }, async (_, i) => {
      const client = new JoinClient(server(i).url);
      client.auth.token = await guestToken(server(i).url, `burst${i}`);
      return client;
    }));

    const created = await Promise.allSettled(clients.map((c, i) => c.create(ROOM_ARENA, { name: `burst${i}`, private: true }) as Promise<ArenaRoomClient>));
    for (const r of created) if (r.status === "fulfilled") rooms.push(r.value);
    const failures = created.flatMap((r, i) => (r.status === "rejected" ? [`create ${i}: ${String(r.reason)}`] : []));
    expect(failures).toEqual([]);
    await Promise.all(rooms.map((r) => waitForOwnPlayer(r, 15_000)));

    const codes = rooms.map((r) => r.roomId);
    expect(new Set(codes).size).toBe(ROOMS);
    // Each code is claimed in the shared hash (present: a process that thought Redis was gone counts its codes
    // again when it restores them, so the count may exceed 1), and each room is listed on the process asked for it.
    const claims = await db.hgetall(CODES_KEY);
    for (const code of codes) expect(Number(claims[code] ?? 0), `claim of ${code}`).toBeGreaterThanOrEqual(1);
    const listings = await db.hmget("roomcaches", ...codes);
    // A room listed elsewhere was taken over: the processes' lines about leases and claims say why.
    const custodyLines = (): string => cluster.servers.map((s, k) =>
      `process ${k} (${s.processId}):\n${s.lines.filter((l) => /lease|claim|restored|pause/.test(l)).slice(-15).join("\n")}`).join("\n");
    listings.forEach((raw, i) => {
      expect(raw, `listing of ${codes[i]}`).not.toBeNull();
      const listing = JSON.parse(raw!) as { processId: string; private: boolean; clients: number };
      expect(listing.processId, `the process listing ${codes[i]}, made on process ${i % 2}; ${custodyLines()}`).toBe(server(i).processId);
      expect(listing.private).toBe(true);
    });

    // Every code leads to its own room through the other process (in batches: one player each, and the rooms play on).
    for (let from = 0; from < ROOMS; from += 25) {
      await Promise.all(rooms.slice(from, from + 25).map(async (host, k) => {
        const i = from + k;
        const guest = await joinByCode(server(i + 1).url, `guest${i}`, { code: host.roomId });
        rooms.push(guest);
        expect(guest.roomId).toBe(host.roomId);
        await waitForState(host, (s) => s.players.has(guest.sessionId), 10_000, `guest ${i} in room ${host.roomId}`);
      }));
    }
  }, 120_000);
});
