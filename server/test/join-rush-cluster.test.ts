/**
 * A quick-play rush over two processes on one Redis: 100 joins in flight at
 * once, half through each process, with forged-token joins mixed in. Every
 * valid join is seated, no seat reservation expires (none refused by the SDK,
 * and on the servers every seat reserved is claimed by a connection), no room
 * ever holds more than MAX_PLAYERS, rooms are packed (at most one part-filled
 * room per process: docs/MATCHMAKING.md, "Under a rush"), and the rush takes
 * about what it measures here, scaled by how slow the machine is right now.
 * The figures (latency, tail) come from `npm run bench:join-phases`.
 */
import { describe, expect, it } from "vitest";
import { JoinClient } from "@arena/shared/sdk";
import { MAX_PLAYERS, ROOM_ARENA } from "@arena/shared";
import { SignJWT } from "jose";
import { TEST_SECRET, guestToken, readMetrics, type ArenaRoomClient } from "@arena/testkit";
import { useProcessesOnRedis } from "@arena/testkit/fixtures";
import { rushBoundMs, timeSignIns } from "./rushBound.ts";

const VALID = 100;
const FORGED = 10;
const PROCESSES = 2;

const cluster = useProcessesOnRedis(PROCESSES);
const joined = cluster.rooms;

async function seatCounts(): Promise<{ reserved: number; claimed: number }> {
  let reserved = 0;
  let claimed = 0;
  for (const s of cluster.servers) {
    const metrics = await readMetrics(s.url);
    reserved += metrics.value("arena_seat_reservations_total");
    claimed += metrics.value("arena_join_seat_to_connect_seconds_count");
  }
  return { reserved, claimed };
}


describe("join rush over two processes", () => {
  it("seats 100 joins in flight across two processes in bounded time: none fails, no seat expires, no room past its cap, rooms packed", async () => {
    const url = (i: number): string => cluster.servers[i % cluster.servers.length]!.url;
    const tokens = await Promise.all(Array.from({ length: VALID }, (_, i) => guestToken(url(i), `rush${i}`)));
    // How slow the machine is right now: as many sign-ins, on the same processes, just before the rush (and after it).
    const signInMs = await timeSignIns(url, VALID);
    const forged = await new SignJWT({ name: "mallory" }).setProtectedHeader({ alg: "HS256" }).setSubject("mallory")
      .setIssuedAt().setExpirationTime("1h").sign(new TextEncoder().encode(`not-${TEST_SECRET}`));
    const before = await seatCounts();
    /** The most players any client saw in its room's state, over every patch of the rush. */
    let mostPlayersSeen = 0;

    const started = performance.now();
    const valid = tokens.map(async (token, i) => {
      const client = new JoinClient(url(i));
      client.auth.token = token;
      const room = (await client.joinOrCreate(ROOM_ARENA, { name: `rush${i}` })) as ArenaRoomClient;
      room.onMessage("*", () => undefined);
      room.onStateChange((s) => (mostPlayersSeen = Math.max(mostPlayersSeen, s.players.size)));
      joined.push(room);
      return room;
    });
    const hostile = Array.from({ length: FORGED }, (_, i) => {
      const client = new JoinClient(url(i));
      client.auth.token = forged;
      return client.joinOrCreate(ROOM_ARENA, { name: "mallory" });
    });
    const [v, h] = await Promise.all([Promise.allSettled(valid), Promise.allSettled(hostile)]);
    const elapsed = performance.now() - started;
    const signInAfterMs = await timeSignIns(url, VALID);

    const perRoom = new Map<string, number>();
    for (const r of joined) perRoom.set(r.roomId, (perRoom.get(r.roomId) ?? 0) + 1);
    const mostRooms = Math.ceil(VALID / MAX_PLAYERS) + PROCESSES;
    const bound = rushBoundMs(signInMs, signInAfterMs);
    console.log(`join rush: ${VALID} joins over ${PROCESSES} processes in ${elapsed.toFixed(0)} ms (bound ${bound.toFixed(0)} ms; ${VALID} sign-ins took ${signInMs.toFixed(0)} ms before, ${signInAfterMs.toFixed(0)} ms after) into ${perRoom.size} rooms (at most ${mostRooms})`);

    const failures = v.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
    expect(failures, failures.slice(0, 3).join("; ")).toEqual([]);
    for (const n of perRoom.values()) expect(n).toBeLessThanOrEqual(MAX_PLAYERS);
    // Full rooms, and at most one part-filled room per process (each opens one at a time); not one per request.
    expect(perRoom.size).toBeLessThanOrEqual(mostRooms);
    for (const r of h) {
      expect(r.status).toBe("rejected");
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/signature|token|auth/i);
    }
    expect(elapsed).toBeLessThan(bound);

    // Every seat reserved during the rush was claimed by its connection: none was left to expire.
    const after = await seatCounts();
    expect(after.reserved - before.reserved).toBe(VALID);
    expect(after.claimed - before.claimed).toBe(VALID);

    // The cluster.servers' own view, as the clients received it: a full state after the last join, and every patch before.
    await Promise.all(joined.map((r) => new Promise<void>((resolve) => r.onStateChange.once(() => resolve()))));
    expect(mostPlayersSeen).toBeGreaterThan(0);
    expect(mostPlayersSeen).toBeLessThanOrEqual(MAX_PLAYERS);
    for (const s of cluster.servers) expect(s.proc.exitCode).toBeNull();
  }, 60_000);
});
