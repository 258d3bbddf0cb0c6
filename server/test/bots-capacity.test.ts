/** Bots never keep a person out of a room: capacity counts people first. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArenaState } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { joinArena, startTestServer, waitForState } from "@arena/testkit";

const botsIn = (s: ArenaState): number => [...s.players.values()].filter((p) => p.bot).length;

describe("capacity counts people first", () => {
  let small: RunningServer;
  beforeAll(async () => {
    // Filling to 4 in rooms of 2 seats: only the people's seats left free may hold bots.
    small = await startTestServer({ BOT_FILL: "4", MAX_PLAYERS: "2" });
  });
  afterAll(async () => {
    await small.close();
  });

  it("bots never take the seat a person needs", async () => {
    const { room: one } = await joinArena(small.url, "one");
    await waitForState(one, (s) => s.players.size === 2 && botsIn(s) === 1, 2000, "1 person + 1 bot in a 2-seat room");
    const { room: two } = await joinArena(small.url, "two");
    expect(two.roomId).toBe(one.roomId);
    await waitForState(one, (s) => s.players.size === 2 && botsIn(s) === 0, 2000, "2 people, no bot");
    await Promise.all([one.leave(), two.leave()]);
  });
});

