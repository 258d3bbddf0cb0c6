/** The server is the authority: inputs are bounded, and nothing a client sends sets its state directly. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARENA_MAP, CloseCodes, MAX_HP, MAX_PLAYERS, PLAYER_SPEED, createRules } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { holdInput, joinArena, serverRoom, startTestServer, waitForLeave, waitForState, type ArenaRoomClient, type ServerRoom } from "@arena/testkit";

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

  it("ignores every player field sent in join options", async () => {
    // Values no join can produce. x, y, hp, alive and protectedUntil are set by the spawn anyway, so the
    // fields the spawn leaves alone (score, colour, connection) are what show options reaching the state.
    const forged = { x: 5, y: 5, hp: 255, alive: false, protectedUntil: 4_000_000_000, kills: 99, deaths: 98, damage: 9999, color: 200, connected: false, shotTick: 77 };
    const { room } = await joinArena(server.url, "cheater", { name: "cheater", ...forged } as never);
    const state = serverRoom(room).state;
    const p = state.players.get(room.sessionId)!;
    expect({ kills: p.kills, deaths: p.deaths, damage: p.damage, connected: p.connected, shotTick: p.shotTick }).toEqual({ kills: 0, deaths: 0, damage: 0, connected: true, shotTick: 0 });
    expect(p.color).not.toBe(forged.color);
    expect(p.color).toBeLessThan(MAX_PLAYERS);
    expect([p.hp, p.alive]).toEqual([MAX_HP, true]);
    expect(ARENA_MAP.spawns.some((sp) => sp.x === p.x && sp.y === p.y)).toBe(true);
    expect(p.protectedUntil).toBeLessThanOrEqual(state.tick + rules.protectionTicks);
    await room.leave();
  });

  it("refuses every message that tries to set state, leaving the state unchanged", async () => {
    for (const [type, payload] of [["state", { hp: 1 }], ["player", { x: 1, y: 1 }], ["score", { kills: 99 }], ["chat", { text: "hi", hp: 1, kills: 99 }]] as const) {
      // The room state right after each message is handled (read live from the state, not a copy of the
      // player): the sender is disconnected next, which removes the player and any trace of a change.
      const after = afterEachMessage(serverRoom(a));
      const { room } = await joinArena(server.url, "cheater");
      room.reconnection.enabled = false;
      const before = fieldsOf(serverRoom(room).state.players.get(room.sessionId));
      const left = waitForLeave(room);
      room.send(type, payload);
      expect(await left).toBe(CloseCodes.PROTOCOL_ERROR);
      const seen = after.stop().filter((e) => e.sessionId === room.sessionId);
      expect(seen.length, `${type}: the room handled the message`).toBeGreaterThan(0);
      for (const e of seen) expect(e.player, type).toEqual(before);
    }
  });
});

interface PlayerFields { x: number; y: number; hp: number; kills: number; deaths: number; damage: number }

function fieldsOf(p: { x: number; y: number; hp: number; kills: number; deaths: number; damage: number } | undefined): PlayerFields | undefined {
  return p === undefined ? undefined : { x: p.x, y: p.y, hp: p.hp, kills: p.kills, deaths: p.deaths, damage: p.damage };
}

/**
 * Records the sender's player as the room's state holds it right after each
 * message frame is handled. Colyseus binds its per-client message listener at
 * join, so this must be in place before the sender joins; if Colyseus renames
 * the hook, nothing is recorded and the test says so.
 */
function afterEachMessage(room: ServerRoom): { stop(): Array<{ sessionId: string; player: PlayerFields | undefined }> } {
  const hooked = room as unknown as { _onMessage(client: { sessionId: string }, buffer: unknown): void };
  const original = hooked._onMessage;
  const seen: Array<{ sessionId: string; player: PlayerFields | undefined }> = [];
  hooked._onMessage = function (this: unknown, client, buffer) {
    original.call(this, client, buffer);
    seen.push({ sessionId: client.sessionId, player: fieldsOf(room.state.players.get(client.sessionId)) });
  };
  return {
    stop: () => {
      hooked._onMessage = original;
      return seen;
    },
  };
}
