/**
 * /metrics times each phase of a join: the matchmaking request, seat
 * reserved to websocket connect, connect to first full state; and counts
 * seats a full room refused. Real server, real SDK joins.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchMaker } from "@colyseus/core";
import { ROOM_ARENA } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { TEST_SECRET, joinArena, startTestServer, type ArenaRoomClient } from "@arena/testkit";
import { SignJWT } from "jose";

let server: RunningServer;
const rooms: ArenaRoomClient[] = [];

/** Every sample of the exposition, by its name with labels as printed. */
async function samples(): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const PHASES = ["arena_join_matchmake_seconds_count{outcome=\"ok\"}", "arena_join_seat_to_connect_seconds_count", "arena_join_first_state_seconds_count"];

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
    for (const phase of PHASES) expect(after.get(phase) ?? 0, phase).toBe((before.get(phase) ?? 0) + 2);
    // The observations are durations of this join, not since the process started.
    expect(after.get("arena_join_seat_to_connect_seconds_sum")! - (before.get("arena_join_seat_to_connect_seconds_sum") ?? 0)).toBeLessThan(5);
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
    expect(after.get("arena_join_matchmake_seconds_count{outcome=\"error\"}")).toBe((before.get("arena_join_matchmake_seconds_count{outcome=\"error\"}") ?? 0) + 2);
    for (const phase of PHASES) expect(after.get(phase) ?? 0, phase).toBe(before.get(phase) ?? 0);
  });

  it("a seat refused by a full room is counted", async () => {
    const before = (await samples()).get("arena_seat_reservations_refused_total") ?? 0;
    const full = await matchMaker.getRoomById(rooms[0]!.roomId);
    await expect(matchMaker.reserveSeatFor(full!, {})).rejects.toThrow(/full/);
    expect((await samples()).get("arena_seat_reservations_refused_total")).toBe(before + 1);
  });
});
