/**
 * Input pairs (`@arena/shared` wire/inputPairs.ts, docs/PROTOCOL.md): with INPUT_PAIRS on, the room's state
 * says so; a pair's two inputs reach the step one per step, in order, with their own stamps and
 * acknowledgements; a malformed pair or a flood of pairs closes its sender while the room plays on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode } from "@colyseus/sdk";
import { ClientMessage, CloseCodes, INPUT_PAIR_CODE, MESSAGE_BURST, PlayerInput, ServerMessage, packInputPair, pairInputs } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { joinArena, roomKeepsStepping, sendRaw, serverRoom, startTestServer, waitForLeave, waitForMessage, waitForState, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
let bystander: ArenaRoomClient;

beforeAll(async () => {
  server = await startTestServer({ INPUT_PAIRS: "on" });
  ({ room: bystander } = await joinArena(server.url, "bystander"));
});

afterAll(async () => {
  await bystander?.leave().catch(() => undefined);
  await server?.close();
});

/** Joins the bystander's room, without holding a seat for a reconnection. */
async function join(name: string): Promise<{ room: ArenaRoomClient }> {
  const { room } = await joinArena(server.url, name);
  room.reconnection.enabled = false;
  return { room };
}

describe("input pairs", () => {
  it("a pair's two inputs reach the step one per step, in order, each with its own render-time stamp, and are both acknowledged", async () => {
    const { room } = await join("pairing");
    // The setting reaches clients in the room's state (read whenever they joined or came back).
    expect(room.state.inputPairs).toBe(true);
    pairInputs(room.connection, 1000);
    // Stamps are sent once the client's clock has synced to the server's patches.
    await waitForState(room, () => room.clock.lastServerTime() > 0, 5000, "clock synced");
    const served = serverRoom(room) as unknown as { state: { tick: number }; clock: { elapsedTime: number }; inputs: { get(id: string): unknown } };
    const accessor = served.inputs.get(room.sessionId) as { next(): { mx: number } | undefined; renderTime: number };
    const read: Array<{ tick: number; mx: number; renderTime: number }> = [];
    const next = accessor.next.bind(accessor);
    accessor.next = () => {
      const input = next();
      if (input !== undefined) read.push({ tick: served.state.tick, mx: input.mx, renderTime: accessor.renderTime });
      return input;
    };
    const sent: number[] = [];
    const input = room.input({ type: PlayerInput });
    for (let i = 1; i <= 6; i++) {
      input.data.mx = i * 10;
      sent.push(i * 10);
      input.send();
    }
    await waitForState(room, () => input.lastProcessed >= 6, 5000, "6 inputs acknowledged");
    expect(read.map((r) => r.mx)).toEqual(sent);
    // One input per step: six consecutive ticks.
    for (let i = 1; i < read.length; i++) expect(read[i]!.tick - read[i - 1]!.tick).toBe(1);
    // Each input's stamp arrived (a corrupted stamp baseline would read 0 or wildly off the server's clock).
    for (const r of read) {
      expect(r.renderTime).toBeGreaterThan(0);
      expect(Math.abs(r.renderTime - served.clock.elapsedTime)).toBeLessThan(2000);
    }
    await room.leave();
  });

  const malformed: Array<[string, number[]]> = [
    ["a first length past the frame's end", [INPUT_PAIR_CODE, 60, 19, 0, 19, 0]],
    ["a half that is not an input", [INPUT_PAIR_CODE, 2, 13, 0, 19, 0]],
    ["an empty first half", [INPUT_PAIR_CODE, 0, 19, 0, 19, 0]],
    ["garbage after the pair's code", [INPUT_PAIR_CODE, 0xff, 0xfe, 0xfd]],
  ];
  for (const [what, bytes] of malformed) {
    it(`closes the sender of a pair with ${what} (${CloseCodes.PROTOCOL_ERROR}), holds no seat, and the room plays on`, async () => {
      const { room } = await join("hostile");
      const left = waitForLeave(room);
      sendRaw(room, Uint8Array.from(bytes));
      expect(await left).toBe(CloseCodes.PROTOCOL_ERROR);
      await waitForState(bystander, (s) => !s.players.has(room.sessionId), 5000, "the hostile's seat released");
      await roomKeepsStepping(bystander, 5, 5000);
    });
  }

  it(`counts each pair as two inputs toward the flood limit: ${MESSAGE_BURST / 2 + 20} pairs at once close the sender (${CloseCode.WITH_ERROR})`, async () => {
    const { room } = await join("pair-flood");
    const left = waitForLeave(room);
    const input = Uint8Array.from([19, 0x80, 1]);
    // Fewer frames than the burst, but more inputs than it.
    for (let i = 0; i < MESSAGE_BURST / 2 + 20; i++) sendRaw(room, packInputPair(input, input));
    expect(await left).toBe(CloseCode.WITH_ERROR);
    await roomKeepsStepping(bystander, 5, 5000);
  });

  it(`keeps a pairing player whose ${MESSAGE_BURST / 2 - 20} pairs arrive in one burst (under the ${MESSAGE_BURST}-input burst)`, async () => {
    const { room } = await join("pair-burst");
    const input = Uint8Array.from([19, 0x80, 1]);
    for (let i = 0; i < MESSAGE_BURST / 2 - 20; i++) sendRaw(room, packInputPair(input, input));
    const echoed = waitForMessage(room, ServerMessage.Chat, 5000, (m: { text: string }) => m.text === "still here");
    room.send(ClientMessage.Chat, { text: "still here" });
    await echoed;
    expect(room.connection.isOpen).toBe(true);
    await room.leave();
  });
});
