/**
 * Regressions for what `npm run fuzz` found, against a real server process (a
 * frozen event loop must show as a timeout here, not freeze the test runner).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Protocol } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { CloseCodes, PlayerInput, ROOM_ARENA } from "@arena/shared";
import { guestToken, roomKeepsStepping, sendRaw, spawnServer, waitForLeave, waitForState, type ArenaRoomClient, type GameServerProcess } from "@arena/testkit";

let server: GameServerProcess;
let bystander: ArenaRoomClient;

async function join(name: string): Promise<ArenaRoomClient> {
  const client = new JoinClient(server.url);
  client.auth.token = await guestToken(server.url, name);
  const room = (await client.joinOrCreate(ROOM_ARENA, { name })) as ArenaRoomClient;
  room.onMessage("*", () => {});
  room.reconnection.enabled = false;
  await waitForState(room, (s) => s.players.get(room.sessionId) !== undefined);
  return room;
}

beforeAll(async () => {
  server = await spawnServer({});
  bystander = await join("bystander");
});

afterAll(async () => {
  await bystander?.leave(true).catch(() => undefined);
  await server?.kill("SIGKILL");
});

describe("what the fuzz campaign found", () => {
  it("an unreliable-input frame with a negative slot length closes its sender (4400), holds no seat, and the room keeps stepping", async () => {
    const hostile = await join("hostile");
    await waitForState(bystander, (s) => s.players.size === 2);
    const left = waitForLeave(hostile);
    // [code, base seq 0, slot length -2]: Colyseus' decoder loops on it forever (the process froze).
    sendRaw(hostile, new Uint8Array([Protocol.ROOM_INPUT_UNRELIABLE, 0x00, 0xfe]));
    expect(await left).toBe(CloseCodes.PROTOCOL_ERROR);
    await waitForState(bystander, (s) => s.players.size === 1, 3000, "the hostile's seat to be released");
    await roomKeepsStepping(bystander, 5, 3000);
    expect(server.proc.exitCode).toBeNull();
  });

  it("inputs the SDK sends in the unreliable mode are refused the same way (a WebSocket has no unreliable channel)", async () => {
    const player = await join("unreliable");
    const left = waitForLeave(player);
    const input = player.input({ type: PlayerInput, mode: "unreliable" });
    input.data.mx = 100;
    input.send();
    expect(await left).toBe(CloseCodes.PROTOCOL_ERROR);
    await roomKeepsStepping(bystander, 5, 3000);
  });

  it("a protocol error that quotes a 300-character message type still disconnects the sender (4400)", async () => {
    const hostile = await join("long-type");
    const left = waitForLeave(hostile);
    // The close reason quotes the type; over 123 bytes, ws threw and the sender stayed connected.
    hostile.send("t".repeat(300));
    expect(await left).toBe(CloseCodes.PROTOCOL_ERROR);
    await roomKeepsStepping(bystander, 5, 3000);
    expect(server.lines.filter((l) => l.includes('"msg":"uncaught exception"'))).toEqual([]);
  });
});
