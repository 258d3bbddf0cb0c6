/**
 * Bad input from one client: each case is sent by a fresh attacker while a
 * bystander plays in the same room. The attacker is refused or disconnected;
 * the server stays up; from the attacker's join to its removal the room runs
 * every step and patch due on the server's own clock, and the bystander
 * receives every patch the room broadcast.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CloseCode, Protocol } from "@colyseus/sdk";
import { ClientMessage, CloseCodes, MESSAGE_BURST, MOVE_SCALE, PlayerInput, ServerMessage, wrapAngle, type InputCommand } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import type { PaceCounts, RoomPace } from "../src/rooms/arena/pace.ts";
import { mainThreadRunDelaySeconds } from "../src/runDelay.ts";
import { Arrivals, joinArena, seededBytes, sendRaw, serverRoom, startTestServer, tapFrames, waitForLeave, waitForMessage, waitForState, type ArenaRoomClient } from "@arena/testkit";

/** WebSocket close code for a frame over the size limit (RFC 6455 "message too big"). */
const MESSAGE_TOO_BIG = 1009;
/** Each case's window lasts at least this many steps (0.5 s at 30 Hz), so a room at half speed shows. */
const MIN_WINDOW_STEPS = 15;
/**
 * Steps due on the clock that the fixed timestep may drop in a window: it catches up five steps after a late
 * timer, so only a loop stall longer than 167 ms loses any. The time the loop's thread waited for a CPU (a busy
 * machine: at a load average of 22 on this 2-core machine a flood's window lost 5 steps) is forgiven, not the
 * loop's own stalls; two more for where the window's edges fall between steps.
 */
const missedStepsAllowed = (waitedSeconds: number, tickRate: number): number => 2 + Math.floor(waitedSeconds * tickRate);
/**
 * Patch broadcasts per firing of the step timer, as a share of patch rate / tick rate. Neither timer catches
 * up after a late firing, so on a busy event loop both fall behind their due counts alike (at a load average of
 * 16 on this 2-core machine a window ran 6 of 10 patches due, and as few firings); a patch timer at half its
 * rate, or broadcasts skipped, give 0.5.
 */
const MIN_PATCHES_PER_STEP_RUN = 0.9;

let server: RunningServer;
let bystander: ArenaRoomClient;
/** Patch frames the bystander received, counted before the SDK decodes them. */
let received = 0;
const arrivals = new Arrivals("bystander");
/**
 * The room's patch broadcasts minus the bystander's patches, read as each patch arrives (the server runs in
 * this process): each broadcast sends the bystander one frame, so the gap stays at its lowest while nothing
 * is lost, is one more while a later patch is already in flight, and grows for good with each patch lost.
 */
let lowestGap = Infinity;
let lowestGapInCase = Infinity;
/** The room's counts when the running case began, and how long this thread had waited for a CPU. */
let since: { pace: PaceCounts; waited: number };

beforeAll(async () => {
  server = await startTestServer();
  ({ room: bystander } = await joinArena(server.url, "bystander"));
  tapFrames(bystander, {
    in: (_bytes, code) => {
      if (code !== Protocol.ROOM_STATE_PATCH) return;
      received++;
      const gap = pace().patches - received;
      lowestGap = Math.min(lowestGap, gap);
      lowestGapInCase = Math.min(lowestGapInCase, gap);
      arrivals.poke();
    },
  });
  await arrivals.until(() => received >= 5, "the bystander's first patches", 5000);
});
beforeEach(() => {
  lowestGapInCase = Infinity;
  // The server runs in this process: its event loop's thread is this one.
  since = { pace: pace().counts(), waited: mainThreadRunDelaySeconds() };
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

/** The bystander's room as the server counts it: steps and patch broadcasts run, and those due. */
function pace(): RoomPace {
  const p = (serverRoom(bystander) as unknown as { pace: RoomPace | undefined }).pace;
  if (p === undefined) throw new Error("the room keeps no pace");
  return p;
}

/**
 * The room was unaffected from the case's start (the attacker's join, its attack, its removal) until now:
 * it ran every step due on the server's clock and kept its patch rate, and the bystander received every
 * patch the room broadcast meanwhile (nothing dropped or held back for it).
 */
async function expectUnaffected(attackerSession: string): Promise<void> {
  await waitForState(bystander, (s) => !s.players.has(attackerSession), 5000, "attacker removed from state");
  await waitForState(bystander, () => pace().counts().stepsDue - since.pace.stepsDue >= MIN_WINDOW_STEPS, 5000, `${MIN_WINDOW_STEPS} steps due`);
  const now = pace().counts();
  const waited = mainThreadRunDelaySeconds() - since.waited;
  const steps = now.steps - since.pace.steps;
  const scheduled = now.stepsScheduled - since.pace.stepsScheduled;
  const stepsDue = now.stepsDue - since.pace.stepsDue;
  const runs = now.stepTimerRuns - since.pace.stepTimerRuns;
  const patches = now.patches - since.pace.patches;
  const patchesDue = now.patchesDue - since.pace.patchesDue;
  const window = `${steps}/${scheduled}/${stepsDue} steps run/scheduled/due in ${runs} step timer runs, ${patches}/${patchesDue} patches run/due, ${Math.round(waited * 1000)} ms waiting for a CPU`;
  // Every step the fixed timestep called for ran; it dropped none of those due but for a busy machine.
  expect(steps, `steps run of those scheduled (${window})`).toBe(scheduled);
  expect(stepsDue - scheduled, `steps dropped (${window})`).toBeLessThanOrEqual(missedStepsAllowed(waited, pace().tickRate));
  const perRun = pace().patchRate / pace().tickRate;
  expect(patches, `patch broadcasts (${window})`).toBeGreaterThanOrEqual(Math.floor(runs * perRun * MIN_PATCHES_PER_STEP_RUN));
  // Nothing lost: a patch of this case arrived with none missing before it (and none in flight after it).
  await arrivals.until(() => lowestGapInCase <= lowestGap, "a patch with none lost before it", 2000)
    .catch(() => expect.fail(`the bystander lost ${lowestGapInCase - lowestGap} patches (or had one in flight at every arrival): broadcasts minus patches received never came back to ${lowestGap} (${window})`));
  expect(bystander.connection.isOpen).toBe(true);
  const health = await fetch(`${server.url}/health`);
  expect(health.status).toBe(200);
}

/** The little-endian bytes of `v` as a float32, as the schema encoder writes it. */
function float32(v: number): number[] {
  return [...new Uint8Array(new Float32Array([v]).buffer)];
}

/**
 * Rewrites the next frame the client sends: each `[find, replace]` byte run
 * must occur exactly once in it (so a change in the encoding fails loudly
 * instead of sending something else).
 */
function rewriteNextFrame(room: ArenaRoomClient, edits: Array<[number[], number[]]>): void {
  const connection = room.connection;
  const send = connection.send;
  connection.send = (data: Uint8Array): void => {
    connection.send = send;
    const bytes = Uint8Array.from(data);
    for (const [find, replace] of edits) {
      const at = indexesOf(bytes, find);
      if (at.length !== 1) throw new Error(`expected [${find}] once in the input frame [${[...bytes]}], found ${at.length}`);
      bytes.set(replace, at[0]!);
    }
    send.call(connection, bytes);
  };
}

function latestInput(room: ArenaRoomClient): InputCommand | undefined {
  const server = serverRoom(room) as unknown as { inputs: { get(sessionId: string): { latest: InputCommand | undefined } } };
  return server.inputs.get(room.sessionId).latest;
}

function indexesOf(bytes: Uint8Array, run: number[]): number[] {
  const found: number[] = [];
  for (let i = 0; i + run.length <= bytes.length; i++) if (run.every((b, k) => bytes[i + k] === b)) found.push(i);
  return found;
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
    ["a pong without its number", ClientMessage.Pong, {}],
    ["a pong with a fractional number", ClientMessage.Pong, { n: 1.5 }],
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

  it(`closes the connection of a 1 MB message (${MESSAGE_TOO_BIG}) before decoding it`, async () => {
    const room = await attacker();
    const left = waitForLeave(room);
    room.send(ClientMessage.Chat, { text: "x".repeat(1024 * 1024) });
    expect(await left).toBe(MESSAGE_TOO_BIG);
    await expectUnaffected(room.sessionId);
  });

  it(`disconnects a client that floods messages (${CloseCode.WITH_ERROR})`, async () => {
    const room = await attacker();
    const left = waitForLeave(room);
    for (let i = 0; i < 500; i++) room.send(ClientMessage.Typing, { typing: i % 2 === 0 });
    expect(await left).toBe(CloseCode.WITH_ERROR);
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
    expect(await left).toBe(CloseCode.WITH_ERROR);
    await expectUnaffected(room.sessionId);
  });

  it(`keeps a player whose inputs arrive in one burst after a stall (${MESSAGE_BURST - 40} at once, under the ${MESSAGE_BURST}-frame burst)`, async () => {
    // What a server stall of a few seconds does to an honest client: its queued inputs are read in one go.
    const { room } = await joinArena(server.url, "stalled");
    room.reconnection.enabled = false;
    const input = room.input({ type: PlayerInput });
    const echoed = waitForMessage<{ text: string }>(room, ServerMessage.Chat, 5000, (m) => m.text === "still here");
    let left: number | undefined;
    room.onLeave((code) => (left = code));
    for (let i = 0; i < MESSAGE_BURST - 40; i++) {
      input.data.mx = i % 2 === 0 ? 127 : -127;
      input.send();
    }
    // Frames are handled in order: the echo of this chat comes after every input above was read.
    room.send(ClientMessage.Chat, { text: "still here" });
    await echoed;
    expect(left).toBeUndefined();
    expect(room.connection.isOpen).toBe(true);
    await room.leave();
  });

  it(`disconnects the sender of a message whose handler throws (${CloseCodes.PROTOCOL_ERROR}), and the room plays on`, async () => {
    const room = await attacker();
    // A handler with a bug, reached by this client's message: what the fuzzer found with payloads no handler expected.
    serverRoom(room).onMessage("throws", () => {
      throw new Error("a handler bug");
    });
    const left = waitForLeave(room);
    room.send("throws", { any: "payload" });
    expect(await left).toBe(CloseCodes.PROTOCOL_ERROR);
    await expectUnaffected(room.sessionId);
  });

  it("survives random binary frames and malformed frames for every protocol code", async () => {
    const room = await attacker();
    const left = waitForLeave(room, 10_000);
    // Every opcode the server knows, followed by garbage; then pure noise.
    for (let code = 0; code < 32; code++) {
      const frame = seededBytes(code + 1, 40);
      frame[0] = code;
      if (code !== Protocol.JOIN_ROOM && code !== Protocol.LEAVE_ROOM) sendRaw(room, frame); // legal on their own
    }
    for (let i = 0; i < 30 && room.connection.isOpen; i++) sendRaw(room, seededBytes(1000 + i, 1 + (i * 37) % 300));
    // Garbage is refused; the sender ends disconnected either way.
    if (room.connection.isOpen) room.send("not-a-message-type", {});
    expect([CloseCodes.PROTOCOL_ERROR, CloseCode.WITH_ERROR]).toContain(await left);
    await expectUnaffected(room.sessionId);
  });

  // What reaches the sanitizer: int8 fields arrive as -128..127 (the encoder has already turned NaN,
  // Infinity and 1e9 into bytes), the float32 aim as any 32-bit pattern, NaN and ±Infinity included.
  const rawInputCases: Array<[string, number, number, number, { mx: number; my: number; aim: number }]> = [
    ["-128 moves and a NaN aim", 0x80, 0x80, NaN, { mx: -MOVE_SCALE, my: -MOVE_SCALE, aim: 0 }],
    ["an Infinity aim", 0x7f, 0x00, Infinity, { mx: MOVE_SCALE, my: 0, aim: 0 }],
    ["a -Infinity aim", 0x00, 0x81, -Infinity, { mx: 0, my: -MOVE_SCALE, aim: 0 }],
    ["the largest float32 aim", 0x80, 0x7f, 3.4e38, { mx: -MOVE_SCALE, my: MOVE_SCALE, aim: wrapAngle(Math.fround(3.4e38)) }],
  ];
  it("clamps -128, NaN and ±Infinity input bytes to the input's range before the step sees them", async () => {
    for (const [what, mxByte, myByte, aim, sanitized] of rawInputCases) {
      const room = await attacker();
      const input = room.input({ type: PlayerInput });
      // The SDK encodes these values after their field markers; the bytes are swapped for the case's own.
      input.data.mx = 113;
      input.data.my = -97;
      input.data.aim = 1.5;
      input.data.fire = true;
      rewriteNextFrame(room, [
        [[0x80, 113], [0x80, mxByte]],
        [[0x81, 0x9f], [0x81, myByte]],
        [[0x82, ...float32(1.5)], [0x82, ...float32(aim)]],
      ]);
      input.send();
      await waitForState(room, () => input.lastProcessed >= 1, 5000, `${what}: input processed`);
      // The sanitized input the room's step reads (defineInput's latest), and what the step made of it.
      const latest = latestInput(room);
      expect({ mx: latest?.mx, my: latest?.my, aim: latest?.aim, fire: latest?.fire }, what).toEqual({ ...sanitized, fire: true });
      const player = serverRoom(room).state.players.get(room.sessionId)!;
      for (const v of [player.x, player.y, player.aim]) expect(Number.isFinite(v), what).toBe(true);
      expect(room.connection.isOpen, what).toBe(true);
      await room.leave();
      await waitForState(bystander, (st) => !st.players.has(room.sessionId), 5000, `${what}: attacker gone`);
    }
    await expectUnaffected("");
  });
});
