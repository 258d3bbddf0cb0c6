/**
 * What rooms/arena/colyseusSeats.ts relies on in @colyseus/core's Room
 * internals. If an upgrade changes one of these, this fails before the
 * spectator cap silently stops working.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/app.ts";
import { matchMaker } from "@colyseus/core";
import { isReserved, reserveSeat, reservedSessionIds, watchReservations } from "../src/rooms/arena/colyseusSeats.ts";
import { dropSocket, joinArena, serverRoom, startTestServer, waitForState, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
let host: ArenaRoomClient;
beforeAll(async () => {
  server = await startTestServer({}, { reconnectGraceSeconds: 30 });
  ({ room: host } = await joinArena(server.url, "host"));
});
afterAll(async () => {
  await host.leave().catch(() => undefined);
  await server.close();
});

describe("Colyseus room internals the arena relies on", () => {
  it("_reserveSeat asks hasReachedMaxClients before it returns, then records the seat in _reservedSeats", async () => {
    const room = serverRoom(host);
    let inside = false;
    const asked: boolean[] = [];
    const original = room.hasReachedMaxClients;
    room.hasReachedMaxClients = function (this: typeof room): boolean {
      asked.push(inside);
      return original.call(this);
    };
    let reserving: Promise<boolean>;
    try {
      reserving = reserveSeat(room, "probe-seat", {}, { enter: () => (inside = true), leave: () => (inside = false) });
    } finally {
      room.hasReachedMaxClients = original;
    }
    expect(asked[0]).toBe(true);
    expect(await reserving).toBe(true);
    expect(reservedSessionIds(room)).toContain("probe-seat");
    expect(isReserved(room, "probe-seat")).toBe(true);
  });

  it("_reserveSeat refuses without recording when hasReachedMaxClients says full", async () => {
    const room = serverRoom(host);
    const original = room.hasReachedMaxClients;
    room.hasReachedMaxClients = () => true;
    let reserving: Promise<boolean>;
    try {
      reserving = reserveSeat(room, "refused-seat", {}, { enter: () => undefined, leave: () => undefined });
    } finally {
      room.hasReachedMaxClients = original;
    }
    expect(await reserving).toBe(false);
    expect(reservedSessionIds(room)).not.toContain("refused-seat");
  });

  it("a connected client's seat is not listed in _reservedSeats; a seat held for reconnection is", async () => {
    const room = serverRoom(host);
    const { room: guest } = await joinArena(server.url, "guest");
    expect(reservedSessionIds(room)).not.toContain(guest.sessionId);
    expect(isReserved(room, guest.sessionId)).toBe(false);
    guest.reconnection.enabled = false;
    dropSocket(guest);
    await waitForState(host, (s) => s.players.get(guest.sessionId)?.connected === false, 3000, "seat held");
    expect(reservedSessionIds(room)).toContain(guest.sessionId);
  });

  it("matchmaking reserves through the room instance's _reserveSeat, so a per-room wrapper sees each seat", async () => {
    const room = serverRoom(host);
    const seen: string[] = [];
    watchReservations(room, { seatReserved: (id) => seen.push(id), seatRefused: () => seen.push("refused") });
    const reservation = await matchMaker.reserveSeatFor((await matchMaker.getRoomById(room.roomId))!, {});
    expect(seen).toEqual([reservation.sessionId]);
  });
});
