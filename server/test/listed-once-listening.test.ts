/**
 * What server/src/scale/listedOnceListening.ts relies on in Colyseus 0.18,
 * and what it guarantees: a new arena room's listing says locked until the
 * room listens on its IPC channel, so no other process sends it a seat
 * reservation that nobody would answer; then it is open to quick play.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchMaker } from "@colyseus/core";
import type { RunningServer } from "../src/app.ts";
import { createPrivate, joinArena, joinByCode, startTestServer, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
const rooms: ArenaRoomClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
  await server.close();
});

describe("a new room is listed once it listens", () => {
  it("is listed locked when it subscribes to its IPC channel, open after, and quick play joins it", async () => {
    const presence = matchMaker.presence;
    const subscribe = presence.subscribe;
    const seen: { roomId: string; listed: boolean | undefined; locked: boolean | undefined }[] = [];
    presence.subscribe = async function (this: typeof presence, topic: string, ...rest: unknown[]) {
      if (topic.startsWith("$") && topic !== "$lobby") {
        const listing = await matchMaker.driver.findOne({ roomId: topic.slice(1) });
        seen.push({ roomId: topic.slice(1), listed: listing !== undefined, locked: listing?.locked });
      }
      return (subscribe as (...args: unknown[]) => Promise<unknown>).call(this, topic, ...rest);
    } as typeof subscribe;
    let first: ArenaRoomClient;
    try {
      ({ room: first } = await joinArena(server.url, "first"));
      rooms.push(first);
    } finally {
      presence.subscribe = subscribe;
    }
    // Colyseus lists the room before it subscribes (the race this file closes), and the listing says locked.
    expect(seen).toEqual([{ roomId: first.roomId, listed: true, locked: true }]);
    expect((await matchMaker.driver.findOne({ roomId: first.roomId }))?.locked).toBe(false);
    const { room: second } = await joinArena(server.url, "second");
    rooms.push(second);
    expect(second.roomId).toBe(first.roomId);
  });

  it("a private room opens too: its code lets a friend in", async () => {
    const host = await createPrivate(server.url, "host");
    rooms.push(host);
    const friend = await joinByCode(server.url, "friend", { code: host.roomId });
    rooms.push(friend);
    expect(friend.roomId).toBe(host.roomId);
  });
});
