/**
 * The round-trip probe rides with a patch: the server probes at the start of a patch broadcast, with the
 * client's socket corked until that turn of the event loop ends, so the probe and the patch leave in one
 * write (server/src/socketCork.ts; docs/BENCHMARKS.md, issue 23). Checked on a real server and SDK client:
 * what the server's socket holds as each frame is sent, that it is uncorked once the turn is over, and
 * that the probe is still answered and measured. Fails when ws stops keeping its Node socket as `_socket`
 * too (the cork then does nothing).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Socket } from "node:net";
import { Protocol } from "@colyseus/core";
import { PROTOCOL_CODE_MASK } from "@colyseus/shared-types";
import { ClientMessage, ServerMessage, type PingOut } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import type { RoundTrips } from "../src/rooms/arena/roundTrips.ts";
import { socketOf } from "../src/socketCork.ts";
import { joinArena, serverRoom, startTestServer, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
let player: ArenaRoomClient;

beforeEach(async () => {
  server = await startTestServer();
  ({ room: player } = await joinArena(server.url, "probed"));
});
afterEach(async () => {
  await player.leave();
  await server.close();
});

interface Sent {
  probe: boolean;
  patch: boolean;
  corked: number;
}

describe("round-trip probes ride with a patch", () => {
  it("sends each probe and the patch after it while the socket is corked, uncorks by the turn's end, and still measures the round trip", async () => {
    const room = serverRoom(player);
    const client = room.clients.getById(player.sessionId)!;
    const socket = socketOf(client);
    expect(socket).toBeInstanceOf(Socket);
    // What each frame is and how the socket stood as it was handed to ws: Colyseus' `send` of a probe marks
    // the next frame as the probe.
    const frames: Sent[] = [];
    const uncorkedAfter: number[] = [];
    let probeNext = false;
    const clientSend = client.send;
    client.send = function (this: typeof client, type: unknown, ...rest: unknown[]) {
      if (type === ServerMessage.Ping) probeNext = true;
      return (clientSend as (...args: unknown[]) => void).call(this, type, ...rest);
    } as typeof client.send;
    const ws = (client as unknown as { ref: { send: (data: unknown, options?: unknown, cb?: unknown) => void } }).ref;
    const wsSend = ws.send;
    ws.send = function (data: unknown, options?: unknown, cb?: unknown): void {
      const bytes = data as Uint8Array;
      frames.push({ probe: probeNext, patch: (bytes[0]! & PROTOCOL_CODE_MASK) === Protocol.ROOM_STATE_PATCH, corked: socket!.writableCorked });
      probeNext = false;
      // After the turn's own nextTick (the one that uncorks).
      process.nextTick(() => process.nextTick(() => uncorkedAfter.push(socket!.writableCorked)));
      wsSend.call(this, data, options, cb);
    };
    // Two probes, each answered; an SDK ping behind the second pong returns after the server read that pong.
    await new Promise<void>((resolve) => {
      let seen = 0;
      player.onMessage(ServerMessage.Ping, (p: PingOut) => {
        player.send(ClientMessage.Pong, { n: p.n });
        if (++seen === 2) player.ping(() => resolve());
      });
    });
    client.send = clientSend;
    ws.send = wsSend;
    const probes = frames.flatMap((f, i) => (f.probe ? [i] : []));
    expect(probes.length).toBeGreaterThanOrEqual(2);
    for (const i of probes) {
      expect(frames[i]!.corked).toBeGreaterThan(0);
      expect(frames[i + 1]).toMatchObject({ patch: true });
      expect(frames[i + 1]!.corked).toBeGreaterThan(0);
    }
    // The other patches go out as they are, and every socket is uncorked once its turn is over.
    expect(frames.filter((f, i) => f.patch && !frames[i - 1]?.probe).every((f) => f.corked === 0)).toBe(true);
    expect(uncorkedAfter.every((c) => c === 0)).toBe(true);
    const roundTrips = (room as unknown as { roundTrips: RoundTrips }).roundTrips;
    expect(roundTrips.roundTripMs(player.sessionId)).toBeGreaterThan(0);
  });
});
