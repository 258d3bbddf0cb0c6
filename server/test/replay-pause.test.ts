/**
 * A recording across a time nobody is connected (docs/REPLAYS.md, "On the server"): with no client in the room
 * Colyseus drops the state's changes unencoded, so the patches recorded before cannot build the state after.
 * The recording pauses there and goes on from a fresh keyframe once a patch is sent again; played back, every
 * keyframe's hash checks out. Real server (one process, DATA_DIR), one real SDK player and a bot; her socket
 * drops and she comes back with her reconnection token.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplayReader } from "@arena/shared/replay";
import { ROOM_ARENA } from "@arena/shared";
import { dropSocket, roomKeepsStepping, signIn, serverRoom, startTestServer, waitForOwnPlayer, waitForState, type ArenaRoomClient, type RunningServer } from "@arena/testkit";
import type { ArenaRoom } from "../src/rooms/arena/ArenaRoom.ts";

/** Keyframes at 0 and 5 s: the second one checks the patches recorded after the player came back. */
const MATCH_SECONDS = 8;

let server: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "replay-pause-"));
  server = await startTestServer({ DATA_DIR: dir }, { match: { warmupSeconds: 0.2, matchSeconds: MATCH_SECONDS, resultsSeconds: 1 } });
}, 20_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a recording while nobody is connected", () => {
  it("pauses while the changes are dropped unencoded and goes on from a fresh keyframe, every hash checked", async () => {
    // A practice room: she plays against a bot, so the match starts with her alone.
    const { client } = await signIn(server.url, "alice");
    const room = (await client.create(ROOM_ARENA, { name: "alice", bots: 1 })) as ArenaRoomClient;
    room.onMessage("*", () => {});
    await waitForOwnPlayer(room);
    await waitForState(room, (s) => s.phase === "playing", 5000, "match start");
    await roomKeepsStepping(room, 10);
    const arena = serverRoom(room) as unknown as ArenaRoom;
    const droppedAt = room.state.tick;

    // Her socket drops and her client does not come back on its own: the room has no client while her seat is held.
    room.reconnection.enabled = false;
    dropSocket(room);
    await expect.poll(() => arena.clients.length, { timeout: 5000 }).toBe(0);
    const patches = arena.pace!.patches;
    // A change no later patch repeats (the bot's colour), then broadcasts with nobody to send to: the steps'
    // changes and this one are dropped unencoded. A recording that went on with its patches would miss it.
    const [botId, bot] = [...arena.state.players].find(([, p]) => p.bot)!;
    const color = (bot.color + 1) % 8;
    bot.color = color;
    await expect.poll(() => arena.pace!.patches - patches, { timeout: 5000 }).toBeGreaterThanOrEqual(5);
    expect(arena.clients.length).toBe(0);

    const back = (await client.reconnect(room.reconnectionToken)) as ArenaRoomClient;
    back.onMessage("*", () => {});
    await waitForOwnPlayer(back);
    const backAt = back.state.tick;
    expect(backAt).toBeGreaterThan(droppedAt);
    const stored = new Promise<string>((resolve) => server.replays!.onRecorded((meta) => resolve(meta.id)));
    await waitForState(back, (s) => s.phase === "warmup", (MATCH_SECONDS + 5) * 1000, "warm-up after the results");
    const reader = ReplayReader.open((await server.replays!.store.read(await stored))!);
    await back.leave();

    // The match's first keyframe, and one when patches were sent again: none between (nothing was recorded then).
    const fresh = reader.keyframes.filter((k) => k.fresh);
    expect(fresh.length).toBe(2);
    expect(fresh[1]!.keyTick).toBeGreaterThan(droppedAt);
    expect(fresh[1]!.keyTick).toBeLessThanOrEqual(backAt + 3);
    // A keyframe after the fresh one: the patches recorded after the pause are checked against its hash.
    expect(reader.keyframes.filter((k) => !k.fresh && k.keyTick > fresh[1]!.keyTick).length).toBeGreaterThanOrEqual(1);
    expect(reader.verify()).toBe(reader.keyframes.length);
    expect(reader.seek(fresh[1]!.keyTick).state.players.get(botId)?.color).toBe(color);
    const types = reader.events.map((e) => e.type);
    expect([types[0], types.at(-1)]).toEqual(["matchStart", "matchEnd"]);
  }, (MATCH_SECONDS + 20) * 1000);
});
