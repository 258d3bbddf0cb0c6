/**
 * /metrics times each phase of a join: the matchmaking request, seat
 * reserved to websocket connect, connect to first full state; and counts
 * seats a full room refused. Real server, real SDK joins.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchMaker } from "@colyseus/core";
import { ROOM_ARENA } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { TEST_SECRET, joinArena, readMetrics, startTestServer, type ArenaRoomClient, type MetricsSnapshot } from "@arena/testkit";
import { SignJWT } from "jose";

let server: RunningServer;
const rooms: ArenaRoomClient[] = [];

const samples = (): Promise<MetricsSnapshot> => readMetrics(server.url);

/** Each phase's observation count: [sample, labels]. */
const PHASES: [string, Record<string, string>][] = [
  ["arena_join_matchmake_seconds_count", { outcome: "ok" }], ["arena_join_seat_to_connect_seconds_count", {}], ["arena_join_first_state_seconds_count", {}],
];

beforeAll(async () => {
  server = await startTestServer({ MAX_PLAYERS: "2" });
});
afterAll(async () => {
  await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
  await server.close();
});

describe("join-phase metrics", () => {
  it("each quick-play join adds one observation to the matchmake, seat-to-connect and first-state histograms", async () => {
    const before = await samples();
    for (const name of ["a", "b"]) rooms.push((await joinArena(server.url, name)).room);
    const after = await samples();
    for (const [name, labels] of PHASES) expect(after.value(name, labels), name).toBe(before.value(name, labels) + 2);
    // The observations are durations of this join, not since the process started.
    expect(after.sample("arena_join_seat_to_connect_seconds_sum") - before.value("arena_join_seat_to_connect_seconds_sum")).toBeLessThan(5);
  });

  it("a forged token's matchmaking request counts as an error and reserves nothing", async () => {
    const before = await samples();
    const forged = await new SignJWT({ name: "mallory" }).setProtectedHeader({ alg: "HS256" }).setSubject("mallory")
      .setIssuedAt().setExpirationTime("1h").sign(new TextEncoder().encode(`not-${TEST_SECRET}`));
    for (const body of [JSON.stringify({ name: "mallory" }), "{garbage"]) {
      const res = await fetch(`${server.url}/matchmake/joinOrCreate/${ROOM_ARENA}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${forged}` },
        body,
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    const after = await samples();
    expect(after.sample("arena_join_matchmake_seconds_count", { outcome: "error" })).toBe(before.value("arena_join_matchmake_seconds_count", { outcome: "error" }) + 2);
    for (const [name, labels] of PHASES) expect(after.value(name, labels), name).toBe(before.value(name, labels));
  });

  it("a seat refused by a full room is counted", async () => {
    const before = (await samples()).sample("arena_seat_reservations_refused_total");
    const full = await matchMaker.getRoomById(rooms[0]!.roomId);
    await expect(matchMaker.reserveSeatFor(full!, {})).rejects.toThrow(/full/);
    expect((await samples()).sample("arena_seat_reservations_refused_total")).toBe(before + 1);
  });
});
