/**
 * Bad input from one client: each case is sent by a fresh attacker while a
 * bystander plays in the same room. The attacker is refused or disconnected;
 * the server stays up; the bystander keeps receiving patches at the normal rate.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientMessage, CloseCodes, PlayerInput } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { countPatches, joinArena, sendRaw, serverRoom, startTestServer, waitForLeave, waitForState, type ArenaRoomClient } from "@arena/testkit";

const PATCH_WINDOW_MS = 1500;
/** Patches a healthy client gets in PATCH_WINDOW_MS at 20 Hz is 30; a stalled room gives ~0. */
const MIN_PATCHES = 20;

let server: RunningServer;
let bystander: ArenaRoomClient;

beforeAll(async () => {
  server = await startTestServer();
  ({ room: bystander } = await joinArena(server.url, "bystander"));
});
afterAll(async () => {
  await bystander.leave();
  await server.close();
});

async function attacker(): Promise<ArenaRoomClient> {
  const { room } = await joinArena(server.url, "attacker");
  expect(room.roomId).toBe(bystander.roomId);
  room.reconnection.enabled = false;
  return room;
}

/** The room is healthy: the bystander gets patches at the normal rate and the attacker is gone from the state. */
async function expectUnaffected(attackerSession: string): Promise<void> {
  await waitForState(bystander, (s) => !s.players.has(attackerSession), 5000, "attacker removed from state");
  expect(await countPatches(bystander, PATCH_WINDOW_MS)).toBeGreaterThanOrEqual(MIN_PATCHES);
  expect(bystander.connection.isOpen).toBe(true);
  const health = await fetch(`${server.url}/health`);
  expect(health.status).toBe(200);
}

/** Deterministic pseudo-random bytes (xorshift), so a failure can be replayed. */
function noise(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe("bad input", () => {
  const protocolCases: Array<[string, string | number, unknown]> = [
    ["a chat with the wrong type", ClientMessage.Chat, { text: 42 }],
    ["a chat with missing fields", ClientMessage.Chat, {}],
    ["a chat with NaN", ClientMessage.Chat, { text: NaN }],
    ["a chat with Infinity", ClientMessage.Chat, { text: Infinity }],
    ["a chat with extra fields", ClientMessage.Chat, { text: "hi", admin: true }],
    ["a chat that is not an object", ClientMessage.Chat, "hello"],
    ["a typing flag of the wrong type", ClientMessage.Typing, { typing: "yes" }],
    ["an unknown message type", "setPosition", { x: 0, y: 0 }],
    ["a numeric message type", 7, { hp: 255 }],
  ];
  for (const [what, type, payload] of protocolCases) {
    it(`disconnects the sender of ${what} with a protocol error`, async () => {
      const room = await attacker();
      const errors: Array<[number, string | undefined]> = [];
      room.onError((code: number, message?: string) => errors.push([code, message]));
      const left = waitForLeave(room);
      room.send(type as never, payload);
      expect(await left).toBe(CloseCodes.PROTOCOL_ERROR);
      expect(errors[0]?.[0]).toBe(CloseCodes.PROTOCOL_ERROR);
      await expectUnaffected(room.sessionId);
    });
  }

  it("closes the connection of a 1 MB message (1009) before decoding it", async () => {
    const room = await attacker();
    const left = waitForLeave(room);
    room.send(ClientMessage.Chat, { text: "x".repeat(1024 * 1024) });
    expect(await left).toBe(1009);
    await expectUnaffected(room.sessionId);
  });

  it("disconnects a client that floods messages (4002)", async () => {
    const room = await attacker();
    const left = waitForLeave(room);
    for (let i = 0; i < 500; i++) room.send(ClientMessage.Typing, { typing: i % 2 === 0 });
    expect(await left).toBe(4002);
    await expectUnaffected(room.sessionId);
  });

  it("disconnects a client that floods inputs", async () => {
    const room = await attacker();
    const input = room.input({ type: PlayerInput });
    const left = waitForLeave(room);
    for (let i = 0; i < 500; i++) {
      input.data.mx = i % 2 === 0 ? 127 : -127;
      input.send();
    }
    expect(await left).toBe(4002);
    await expectUnaffected(room.sessionId);
  });

  it("survives random binary frames and malformed frames for every protocol code", async () => {
    const room = await attacker();
    const left = waitForLeave(room, 10_000);
    // Every opcode the server knows, followed by garbage; then pure noise.
    for (let code = 0; code < 32; code++) {
      const frame = noise(code + 1, 40);
      frame[0] = code;
      if (code !== 10 && code !== 12) sendRaw(room, frame); // JOIN_ROOM and LEAVE_ROOM are legal on their own
    }
    for (let i = 0; i < 30 && room.connection.isOpen; i++) sendRaw(room, noise(1000 + i, 1 + (i * 37) % 300));
    // Garbage is refused; the sender ends disconnected either way.
    if (room.connection.isOpen) room.send("not-a-message-type", {});
    expect([CloseCodes.PROTOCOL_ERROR, 4002]).toContain(await left);
    await expectUnaffected(room.sessionId);
  });

  it("clamps NaN, Infinity and out-of-range input values instead of applying them", async () => {
    const room = await attacker();
    const input = room.input({ type: PlayerInput });
    const player = serverRoom(room).state.players.get(room.sessionId)!;
    const { x, y } = player;
    for (const [mx, my, aim] of [[NaN, NaN, NaN], [Infinity, -Infinity, Infinity], [1e9, -1e9, 1e30], [-128, -128, -Infinity]]) {
      input.data.mx = mx!;
      input.data.my = my!;
      input.data.aim = aim!;
      input.send();
    }
    await waitForState(room, () => input.lastProcessed >= 4, 5000, "inputs processed");
    for (const v of [player.x, player.y, player.aim]) expect(Number.isFinite(v)).toBe(true);
    expect(Math.hypot(player.x - x, player.y - y)).toBeLessThanOrEqual(4 * (220 / 30) + 1e-9);
    expect(room.connection.isOpen).toBe(true);
    await room.leave();
    await expectUnaffected(room.sessionId);
  });
});
