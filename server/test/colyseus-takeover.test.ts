/**
 * What a match takeover relies on in the installed @colyseus/core, through
 * server/src/colyseusInternals.ts (its "Match takeover" section): a room
 * created under a given id, a seat that only a given reconnection token opens,
 * and a room kept off its listing row. If an upgrade changes one, this fails.
 */
import { describe, expect, it } from "vitest";
import { Client } from "@colyseus/sdk";
import { matchMaker, type Room } from "@colyseus/core";
import { CHAT_BURST, CHAT_WINDOW_S, ROOM_ARENA } from "@arena/shared";
import { createRoomWithId, detachListing, holdSeatForToken } from "../src/colyseusInternals.ts";
import { TokenBucket } from "../src/limits/TokenBucket.ts";
import { useServer } from "@arena/testkit/fixtures";

const fixture = useServer();

describe("match takeover internals", () => {
  it("handleCreateRoom's preset id: the room is created and listed under the id given", async () => {
    await createRoomWithId(ROOM_ARENA, "takeover-room-1");
    expect(matchMaker.getLocalRoomById("takeover-room-1")).toBeDefined();
    expect((await matchMaker.getRoomById("takeover-room-1"))?.processId).toBe(matchMaker.processId);
  });

  it("_reserveSeat with a token: matchmaking's reconnect takes that token only (not a forged one, not in another room, not twice), the SDK lands in the held seat, and the entries are cleaned", async () => {
    await createRoomWithId(ROOM_ARENA, "takeover-room-2");
    const room = matchMaker.getLocalRoomById("takeover-room-2") as Room;
    const back: string[] = [];
    await holdSeatForToken(room, "held-session", "held-token", 10, (client) => {
      back.push(client.sessionId);
      client.auth = { userId: "g_held", name: "Held" };
      client.userData = { chat: new TokenBucket(CHAT_BURST, CHAT_WINDOW_S * 1000, Date.now()), typing: false, kicked: false, spectator: true };
    });
    expect(room.checkReconnectionToken("held-token")).toBe("held-session");
    expect(room.checkReconnectionToken("other-token")).toBeUndefined();
    const sdk = new Client(fixture.server.url);
    await expect(sdk.reconnect("takeover-room-2:forged-token")).rejects.toThrow(/expired|invalid/);
    // The right token for another room opens nothing there.
    await expect(sdk.reconnect("takeover-room-1:held-token")).rejects.toThrow(/expired|invalid/);
    const joined = await sdk.reconnect("takeover-room-2:held-token");
    expect(joined.sessionId).toBe("held-session");
    expect(back).toEqual(["held-session"]);
    // The seat is taken: the token no longer opens it (the connected client has a new one).
    expect(room.checkReconnectionToken("held-token")).toBeUndefined();
    await expect(new Client(fixture.server.url).reconnect("takeover-room-2:held-token")).rejects.toThrow(/expired|invalid/);
    await joined.leave();
  });

  it("_listing.roomId cleared: disposing the room removes no listing row by its id (the row is the new holder's)", async () => {
    await createRoomWithId(ROOM_ARENA, "takeover-room-3");
    const room = matchMaker.getLocalRoomById("takeover-room-3") as Room;
    const removed: unknown[] = [];
    const driver = matchMaker.driver;
    const remove = driver.remove.bind(driver);
    driver.remove = (roomId: string) => {
      removed.push(roomId);
      return remove(roomId);
    };
    try {
      detachListing(room);
      await room.disconnect();
    } finally {
      driver.remove = remove;
    }
    expect(matchMaker.getLocalRoomById("takeover-room-3")).toBeUndefined();
    expect(removed.length).toBeGreaterThan(0); // Colyseus did try to remove a row...
    expect(removed).not.toContain("takeover-room-3"); // ...but not the room's
  });
});
