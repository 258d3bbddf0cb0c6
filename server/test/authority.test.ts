/** The server is the authority: inputs are bounded, and nothing a client sends sets its state directly. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_HP, PLAYER_SPEED, createRules } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { holdInput, joinArena, serverRoom, startTestServer, waitForLeave, waitForState, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
let a: ArenaRoomClient;
let b: ArenaRoomClient;
const rules = createRules(30);

beforeAll(async () => {
  server = await startTestServer({}, { match: { warmupSeconds: 0.2 } });
  ({ room: a } = await joinArena(server.url, "alice"));
  ({ room: b } = await joinArena(server.url, "bob"));
  await waitForState(a, (s) => s.phase === "playing", 5000, "match start");
});
afterAll(async () => {
  await Promise.all([a.leave(), b.leave()]);
  await server.close();
});

function place(room: ArenaRoomClient, x: number, y: number): void {
  const p = serverRoom(room).state.players.get(room.sessionId)!;
  p.x = x;
  p.y = y;
}

describe("authority", () => {
  it("applies at most one input per step: sending 50 inputs/s moves no faster than max speed", async () => {
    place(a, 120, 700);
    const state = serverRoom(a).state;
    const p = state.players.get(a.sessionId)!;
    const startTick = state.tick;
    const x0 = p.x;
    const stop = holdInput(a, () => ({ mx: 127 }), 50);
    await new Promise((r) => setTimeout(r, 1500)); // a measurement window, not a wait for an event
    stop();
    const ticks = state.tick - startTick;
    const moved = p.x - x0;
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThanOrEqual(PLAYER_SPEED * ticks * rules.dt + 1e-9);
    expect(a.connection.isOpen).toBe(true);
  });

  it("caps the fire rate at 5 shots per second", async () => {
    place(a, 120, 120);
    place(b, 1880, 1280);
    const state = serverRoom(a).state;
    const firstId = state.nextProjectileId;
    const startTick = state.tick;
    const stop = holdInput(a, () => ({ fire: true, aim: Math.PI / 2 }), 50);
    await new Promise((r) => setTimeout(r, 1500));
    stop();
    const shots = state.nextProjectileId - firstId;
    const seconds = (state.tick - startTick) / rules.tickRate;
    expect(shots).toBeGreaterThan(0);
    expect(shots).toBeLessThanOrEqual(Math.ceil(seconds * 5) + 1);
  });

  it("ignores position, health and score in join options", async () => {
    const { room } = await joinArena(server.url, "cheater", { name: "cheater", x: 5, y: 5, hp: 255, kills: 99 } as never);
    const p = serverRoom(room).state.players.get(room.sessionId)!;
    expect([p.kills, p.hp]).toEqual([0, MAX_HP]);
    expect([p.x, p.y]).not.toEqual([5, 5]);
    await room.leave();
  });

  it("refuses every message that tries to set state", async () => {
    for (const [type, payload] of [["state", { hp: 255 }], ["player", { x: 1, y: 1 }], ["score", { kills: 99 }], ["chat", { text: "hi", hp: 255 }]] as const) {
      const { room } = await joinArena(server.url, "cheater");
      room.reconnection.enabled = false;
      const p = serverRoom(room).state.players.get(room.sessionId)!;
      const before = { x: p.x, y: p.y, hp: p.hp, kills: p.kills };
      const left = waitForLeave(room);
      room.send(type, payload);
      expect(await left).toBe(4400);
      expect({ x: p.x, y: p.y, hp: p.hp, kills: p.kills }).toEqual(before);
    }
  });
});
