/**
 * The arena reads input frames with its own decoder (server/src/rooms/arena/inputWire.ts) instead of Colyseus'
 * generic schema decoder: the same values for every frame the SDK's input encoder writes, a refusal (the
 * input dropped) for what it never writes, and in place for every client that joins a real room; and it takes
 * each reliable-input frame straight from the socket into the client's input buffer, which then holds what
 * Colyseus' own path (Room#_onMessage, RoomInput#decodeReliable) puts there.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "@colyseus/schema";
import { InputDecoder, InputEncoder } from "@colyseus/schema/input";
import { Protocol, ProtocolModifier } from "@colyseus/shared-types";
import { PlayerInput } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { clientSocket } from "../src/colyseusInternals.ts";
import { routeInputFrames } from "../src/frameLimit.ts";
import { PlayerInputDecoder } from "../src/rooms/arena/inputWire.ts";
import { holdInput, joinArena, serverRoom, startTestServer } from "@arena/testkit";

/** A deterministic stream of numbers in [0, 1) (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fields = (i: PlayerInput): unknown[] => [i.mx, i.my, i.aim, i.fire];

describe("input frames read without the generic decoder", () => {
  it("gives the same input as Colyseus' decoder after every frame of 5,000 random SDK-encoded inputs", () => {
    const next = random(23);
    const sent = new PlayerInput();
    const encoder = new InputEncoder(sent);
    const generic = new InputDecoder(new PlayerInput());
    const ours = new PlayerInputDecoder(new PlayerInput(), generic);
    const aims = [0, -0, Math.PI, -Math.PI, 1e-40, 3.4e38, Infinity, -Infinity, NaN];
    for (let k = 0; k < 5000; k++) {
      // Some fields change, some do not (the encoder writes only those that did); now and then nothing does.
      if (next() < 0.5) sent.mx = Math.floor(next() * 256) - 128;
      if (next() < 0.5) sent.my = Math.floor(next() * 256) - 128;
      if (next() < 0.5) sent.aim = next() < 0.1 ? aims[Math.floor(next() * aims.length)]! : (next() - 0.5) * 7;
      if (next() < 0.3) sent.fire = next() < 0.5;
      const bytes = encoder.encode().slice();
      generic.decode(bytes);
      ours.decode(bytes);
      expect(fields(ours.instance as PlayerInput), `frame ${k}: [${[...bytes]}]`).toEqual(fields(generic.instance as PlayerInput));
    }
  });

  it("refuses a delete, an unknown field and a structure switch (Colyseus drops that input)", () => {
    const ours = new PlayerInputDecoder(new PlayerInput(), new InputDecoder(new PlayerInput()));
    expect(() => ours.decode(Uint8Array.from([64 | 0]))).toThrow(/not a field/);
    expect(() => ours.decode(Uint8Array.from([192 | 2, 0, 0, 0, 0]))).toThrow(/not a field/);
    expect(() => ours.decode(Uint8Array.from([128 | 9, 1]))).toThrow(/not a field/);
    expect(() => ours.decode(Uint8Array.from([255, 0]))).toThrow(/not a field/);
    expect(() => ours.decode(Uint8Array.from([128 | 0, 5]))).not.toThrow();
  });
});

describe("input frames in a room", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("gives every joined client the direct decoder, and an input the SDK sends reaches the room's buffer as sent", async () => {
    const { room } = await joinArena(server.url, "decoded");
    const client = serverRoom(room).clients.getById(room.sessionId) as unknown as { _inputDecoder: unknown };
    expect(client._inputDecoder).toBeInstanceOf(PlayerInputDecoder);
    const server_ = serverRoom(room) as unknown as { inputs: { get(sessionId: string): { latest: PlayerInput | undefined } } };
    const stop = holdInput(room, () => ({ mx: -90, my: 77, aim: 1.25, fire: true }));
    try {
      await new Promise<void>((resolve) => {
        const check = (): void => {
          const latest = server_.inputs.get(room.sessionId).latest;
          if (latest !== undefined && latest.mx === -90) return resolve();
          room.onStateChange.once(check);
        };
        check();
      });
      expect(fields(server_.inputs.get(room.sessionId).latest!)).toEqual([-90, 77, 1.25, true]);
    } finally {
      stop();
      await room.leave();
    }
  });

  it("takes input frames straight into the buffer: the same inputs and render times as Colyseus' own path, a bad body dropped by both", async () => {
    // What is pushed, with the client's input instance as it is then (what the room's inputs.get(id).latest reads).
    type Pushed = [number, number, number, boolean, number, number, unknown[]];
    interface Slots { _inputBuffer: { push(snapshot: PlayerInput, renderTime?: number, reckonTime?: number): void }; _input: PlayerInput; ref: unknown }
    const joined = [await joinArena(server.url, "direct"), await joinArena(server.url, "through-colyseus")];
    const pushed: Pushed[][] = [[], []];
    joined.forEach(({ room }, k) => {
      const client = serverRoom(room).clients.getById(room.sessionId) as unknown as Slots;
      const buffer = client._inputBuffer;
      const push = buffer.push.bind(buffer);
      buffer.push = (s, renderTime = 0, reckonTime = 0) => {
        pushed[k]!.push([s.mx, s.my, s.aim, s.fire, renderTime, reckonTime, fields(client._input)]);
        push(s, renderTime, reckonTime);
      };
      // The second client's input frames go to Colyseus' listener, as without the route.
      if (k === 1) expect(routeInputFrames(clientSocket(client)!, undefined)).toBe(true);
    });
    // One stream of frames, sent as is by both: the SDK's encoding of random inputs behind a TIMED stamp delta,
    // and now and then a body neither path reads (a delete of field 0).
    const next = random(7);
    const sent = new PlayerInput();
    const encoder = new InputEncoder(sent);
    const frames: Uint8Array[] = [];
    let good = 0;
    for (let k = 0; k < 120; k++) {
      // -128 is out of the input's range: the sanitizer makes it -127, in the buffer and in the instance.
      sent.mx = k % 10 === 3 ? -128 : Math.floor(next() * 256) - 128;
      if (next() < 0.5) sent.aim = (next() - 0.5) * 9;
      if (next() < 0.3) sent.fire = next() < 0.5;
      const body = next() < 0.05 ? Uint8Array.from([64]) : encoder.encode().slice();
      if (body.length !== 1 || body[0] !== 64) good++;
      const head = new Uint8Array(16);
      head[0] = Protocol.ROOM_INPUT_RELIABLE | ProtocolModifier.TIMED;
      const it = { offset: 1 };
      encode.number(head, Math.floor(next() * 70), it);
      const frame = new Uint8Array(it.offset + body.length);
      frame.set(head.subarray(0, it.offset));
      frame.set(body, it.offset);
      frames.push(frame);
    }
    // Which path each client's frames took: Colyseus' decodeReliable sees only the second client's.
    const throughColyseus = new Map<string, number>();
    for (const room of new Set(joined.map((j) => serverRoom(j.room)))) {
      const controller = (room as unknown as { _inputController: { decodeReliable(client: { sessionId: string }, ...rest: unknown[]): void } })._inputController;
      const decodeReliable = controller.decodeReliable.bind(controller);
      controller.decodeReliable = (client, ...rest) => {
        throughColyseus.set(client.sessionId, (throughColyseus.get(client.sessionId) ?? 0) + 1);
        decodeReliable(client, ...rest);
      };
    }
    for (const { room } of joined) for (const f of frames) room.connection.send(f);
    const until = Date.now() + 10_000;
    while ((pushed[0]!.length < good || pushed[1]!.length < good) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(pushed[1]!.length).toBe(good);
    expect(pushed[0]).toEqual(pushed[1]);
    expect(throughColyseus.get(joined[0]!.room.sessionId)).toBeUndefined();
    expect(throughColyseus.get(joined[1]!.room.sessionId)).toBe(frames.length);
    for (const { room } of joined) await room.leave();
  });
});
