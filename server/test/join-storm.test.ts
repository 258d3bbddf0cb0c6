/**
 * A join storm on two processes sharing Redis: 300 concurrent requests, mostly
 * valid quick plays through either process, mixed with unknown codes and
 * malformed options. Valid joins all succeed (no seat-reservation expiry, no
 * room past its cap, rooms packed: at most one part-filled per process), in
 * about the time it measures here scaled by how slow the machine is right now
 * (./rushBound.ts); bad ones get clear errors; both processes stay up.
 */
import { describe, expect, it } from "vitest";
import { JoinClient } from "@arena/shared/sdk";
import { CodeJoinErrors, MAX_PLAYERS, ROOM_ARENA } from "@arena/shared";
import { HttpError, joinByCode, guestToken, type ArenaRoomClient } from "@arena/testkit";
import { useProcessesOnRedis } from "@arena/testkit/fixtures";
import { rushBoundMs, timeSignIns } from "./rushBound.ts";

const VALID = 270;
const UNKNOWN_CODES = 15;
const MALFORMED = 15;
const PROCESSES = 2;

const cluster = useProcessesOnRedis(PROCESSES);
const joined = cluster.rooms;

describe("join storm", () => {
  it("takes 300 concurrent requests in bounded time: every valid join succeeds into packed rooms, bad ones get clear errors, nobody crashes", async () => {
    const urls = cluster.servers.map((s) => s.url);
    const url = (i: number): string => urls[i % urls.length]!;
    // Tokens first: the storm is about matchmaking, not sign-in.
    const tokens = await Promise.all(Array.from({ length: VALID + MALFORMED }, (_, i) => guestToken(url(i), `bot${i}`)));
    // How slow the machine is right now: as many sign-ins as the storm has requests, on the same processes, before and after.
    const signInMs = await timeSignIns(url, VALID + MALFORMED + UNKNOWN_CODES);

    const started = performance.now();
    const valid = tokens.slice(0, VALID).map(async (token, i) => {
      const client = new JoinClient(url(i));
      client.auth.token = token;
      const room = (await client.joinOrCreate(ROOM_ARENA, { name: `bot${i}`, mode: "ffa" })) as ArenaRoomClient;
      joined.push(room);
      return room;
    });
    const malformed = tokens.slice(VALID).map(async (token, i) => {
      const client = new JoinClient(url(i));
      client.auth.token = token;
      return client.joinOrCreate(ROOM_ARENA, { mode: { $gt: "" }, name: 7 });
    });
    const unknown = Array.from({ length: UNKNOWN_CODES }, (_, i) => joinByCode(url(i), `lost${i}`, { code: "QQQQQQ" }));

    const [v, m, u] = await Promise.all([Promise.allSettled(valid), Promise.allSettled(malformed), Promise.allSettled(unknown)]);
    const elapsed = performance.now() - started;
    const signInAfterMs = await timeSignIns(url, VALID + MALFORMED + UNKNOWN_CODES);
    const perRoom = new Map<string, number>();
    for (const r of joined) perRoom.set(r.roomId, (perRoom.get(r.roomId) ?? 0) + 1);
    const mostRooms = Math.ceil(VALID / MAX_PLAYERS) + PROCESSES;
    const bound = rushBoundMs(signInMs, signInAfterMs);
    console.log(`join storm: ${VALID} valid joins in ${elapsed.toFixed(0)} ms (bound ${bound.toFixed(0)} ms; ${VALID + MALFORMED + UNKNOWN_CODES} sign-ins took ${signInMs.toFixed(0)} ms before, ${signInAfterMs.toFixed(0)} ms after) into ${perRoom.size} rooms (at most ${mostRooms})`);

    const failures = v.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
    expect(failures, failures.slice(0, 3).join("; ")).toEqual([]);
    for (const r of m) {
      expect(r.status).toBe("rejected");
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/invalid options/);
    }
    for (const r of u) {
      expect(r.status).toBe("rejected");
      const e = (r as PromiseRejectedResult).reason as HttpError;
      expect(e.status).toBe(404);
      expect(e.body.error).toBe(CodeJoinErrors.UNKNOWN_CODE);
    }

    // Nobody is past the cap, every valid player has a seat, and rooms are packed: quick play opens at most
    // one room per process at a time and fills the fullest first (docs/MATCHMAKING.md, "Under a rush"), so
    // all rooms are full but at most one per process.
    for (const n of perRoom.values()) expect(n).toBeLessThanOrEqual(MAX_PLAYERS);
    expect([...perRoom.values()].reduce((x, y) => x + y, 0)).toBe(VALID);
    expect(perRoom.size).toBeLessThanOrEqual(mostRooms);
    expect(elapsed).toBeLessThan(bound);

    for (const s of cluster.servers) {
      expect(s.proc.exitCode).toBeNull();
      expect((await fetch(`${s.url}/health`)).status).toBe(200);
    }
  }, 60_000);
});
