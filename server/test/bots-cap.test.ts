/**
 * The process's bot cap (BOT_MAX): a client that opens practice room after
 * practice room is refused with a clear error once the cap is reached, while
 * the rooms already open play on; closed rooms give their bots' places back.
 */
import { Client } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { matchMaker } from "@colyseus/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JoinErrorCodes, ROOM_ARENA, type ArenaState } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { guestToken, joinArena, startTestServer, waitForState, type ArenaRoomClient } from "@arena/testkit";

const CAP = 20;
let server: RunningServer;
let client: Client;

const botsIn = (s: ArenaState): number => [...s.players.values()].filter((p) => p.bot).length;
const practice = async (bots: number): Promise<ArenaRoomClient> => {
  const room = (await client.create(ROOM_ARENA, { name: "greedy", bots, difficulty: "easy" })) as ArenaRoomClient;
  room.onMessage("*", () => {});
  return room;
};

beforeAll(async () => {
  server = await startTestServer({ BOT_FILL: "4", BOT_MAX: String(CAP) });
  client = new JoinClient(server.url);
  client.auth.token = await guestToken(server.url, "greedy");
});
afterAll(async () => {
  await server.close();
});

describe("bot cap", () => {
  it("refuses practice rooms past BOT_MAX with a clear error while open rooms play on, and frees places when rooms close", async () => {
    const first = await practice(15);
    await waitForState(first, (s) => botsIn(s) === 15, 2000, "15 bots");
    const attempts = await Promise.allSettled([practice(15), practice(8), practice(6)]);
    for (const a of attempts) {
      expect(a.status).toBe("rejected");
      const e = (a as PromiseRejectedResult).reason as { code: number; message: string };
      expect(e.code).toBe(JoinErrorCodes.TOO_MANY_BOTS);
      expect(e.message).toMatch(/as many bots as it may right now \(20\); try fewer bots or later/);
    }
    expect(await matchMaker.query({ name: ROOM_ARENA })).toHaveLength(1);

    // Quick play still works: the fill takes what places are left (5) and plays.
    const { room: person } = await joinArena(server.url, "person");
    await waitForState(person, (s) => botsIn(s) === 3, 2000, "filled with 3 bots");
    await waitForState(first, (s) => s.phase === "playing", 8000, "the first practice room plays on");

    await first.leave();
    // The room closes once its last client has left.
    const until = Date.now() + 5000;
    while ((await matchMaker.query({ name: ROOM_ARENA })).length > 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const again = await practice(15);
    await waitForState(again, (s) => botsIn(s) === 15, 2000, "the closed room's places are free again");
    await Promise.all([again.leave(), person.leave()]);
  });
});
