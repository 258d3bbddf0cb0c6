/**
 * Quick play through server/src/matchmaking/quickPlay.ts: what it relies on
 * in Colyseus 0.18, and what it changes: a seat refused by a room whose
 * listing was stale moves on to the next room at once, and a rush on one
 * process packs rooms full instead of opening extra ones.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { matchMaker } from "@colyseus/core";
import { ROOM_ARENA } from "@arena/shared";
import { SignJWT } from "jose";
import type { RunningServer } from "../src/app.ts";
import { TEST_SECRET, guestToken, joinArena, readMetrics, serverRoom, startTestServer, type ArenaRoomClient } from "@arena/testkit";
import { roomListing } from "../src/colyseusInternals.ts";

const CAP = 4;
let server: RunningServer;
const rooms: ArenaRoomClient[] = [];

async function leaveAll(): Promise<void> {
  await Promise.all(rooms.splice(0).map((r) => r.leave().catch(() => undefined)));
  // Rooms dispose once empty; the next test starts from no rooms.
  for (let i = 0; i < 100 && matchMaker.stats.local.roomCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
}

async function refused(): Promise<number> {
  return (await readMetrics(server.url)).sample("arena_seat_reservations_refused_total");
}

beforeAll(async () => {
  server = await startTestServer({ MAX_PLAYERS: String(CAP) });
});
afterAll(async () => {
  await leaveAll();
  await server.close();
});

describe("what quick play relies on in Colyseus", () => {
  it("the matchmaking route calls matchMaker.controller.invokeMethod with the method, room, options and the request's token", async () => {
    const controller = matchMaker.controller;
    const installed = controller.invokeMethod;
    const calls: unknown[][] = [];
    controller.invokeMethod = function (this: typeof controller, ...args: Parameters<typeof installed>) {
      calls.push(args);
      return installed.apply(this, args);
    } as typeof installed;
    try {
      rooms.push((await joinArena(server.url, "probe")).room);
    } finally {
      controller.invokeMethod = installed;
    }
    expect(calls).toHaveLength(1);
    const [method, roomName, options, context] = calls[0] as [string, string, { name: string }, { token?: string }];
    expect([method, roomName, options.name]).toEqual(["joinOrCreate", ROOM_ARENA, "probe"]);
    expect(context.token).toMatch(/^ey/);
    await leaveAll();
  });

  it("reserveSeatFor refuses a full room with a SeatReservationError", async () => {
    for (let i = 0; i < CAP; i++) rooms.push((await joinArena(server.url, `full${i}`)).room);
    const listing = await matchMaker.getRoomById(rooms[0]!.roomId);
    const error = await matchMaker.reserveSeatFor(listing!, {}).catch((e: unknown) => e);
    expect((error as Error).constructor.name).toBe("SeatReservationError");
    await leaveAll();
  });
});

describe("quick play", () => {
  it("moves past a full room its listing still shows open, to the next open room, at once", async () => {
    for (let i = 0; i < CAP; i++) rooms.push((await joinArena(server.url, `a${i}`)).room);
    const full = rooms[0]!.roomId;
    // A second room with one player, opened beside the full one.
    const b = (await (await signedClient("b0")).create(ROOM_ARENA, { name: "b0" })) as ArenaRoomClient;
    b.onMessage("*", () => undefined);
    rooms.push(b);
    // The full room's listing as another process may still read it: open, and first in quick play's order.
    const stale = roomListing(serverRoom(full));
    stale.locked = false;
    const before = await refused();
    const started = performance.now();
    const { room: late } = await joinArena(server.url, "late");
    rooms.push(late);
    // Colyseus' joinOrCreate would retry the same stale room after growing random backoffs, then fail.
    expect(late.roomId).toBe(b.roomId);
    expect(await refused()).toBe(before + 1);
    expect(performance.now() - started).toBeLessThan(1000);
    await leaveAll();
  });

  it("a rush of joins on one process fills rooms one after another: no room is opened while another has a seat", async () => {
    // 25 rooms' worth at once.
    const rush = 25;
    const n = CAP * rush;
    const tokens = await Promise.all(Array.from({ length: n }, (_, i) => guestToken(server.url, `r${i}`)));
    const joined = await Promise.all(tokens.map(async (token, i) => {
      const client = new JoinClient(server.url);
      client.auth.token = token;
      const room = (await client.joinOrCreate(ROOM_ARENA, { name: `r${i}` })) as ArenaRoomClient;
      room.onMessage("*", () => undefined);
      rooms.push(room);
      return room;
    }));
    expect(joined).toHaveLength(n);
    const perRoom = new Map<string, number>();
    for (const r of joined) perRoom.set(r.roomId, (perRoom.get(r.roomId) ?? 0) + 1);
    expect([...perRoom.values()]).toEqual(Array.from({ length: rush }, () => CAP));
    await leaveAll();
  });

  it("refuses a quick play without a token or with a forged one, while others join", async () => {
    const forged = await new SignJWT({ name: "mallory" }).setProtectedHeader({ alg: "HS256" }).setSubject("mallory")
      .setIssuedAt().setExpirationTime("1h").sign(new TextEncoder().encode(`not-${TEST_SECRET}`));
    const attempts = [undefined, forged, "garbage"].map(async (token) => {
      const client = new JoinClient(server.url);
      if (token !== undefined) client.auth.token = token;
      return client.joinOrCreate(ROOM_ARENA, { name: "mallory" });
    });
    const honest = joinArena(server.url, "honest");
    for (const r of await Promise.allSettled(attempts)) {
      expect(r.status).toBe("rejected");
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/token|auth/i);
    }
    const { room } = await honest;
    rooms.push(room);
    expect(matchMaker.stats.local.roomCount).toBe(1);
    expect(serverRoom(room).clients.length).toBe(1);
    await leaveAll();
  });
});

async function signedClient(name: string): Promise<Client> {
  const client = new JoinClient(server.url);
  client.auth.token = await guestToken(server.url, name);
  return client;
}
