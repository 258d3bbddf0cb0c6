/**
 * Arena rooms on a published editor map, through the real server and SDK: the room simulates on that map
 * (movement and shots stop at its walls, players spawn on its spawns), says which map it plays, is private
 * (quick play never lands in it), waits open for its first player, and a missing or malformed map refuses
 * the creation with a clear error and no room.
 */
import { vi } from "vitest";

// Read by Colyseus when it loads: a creator's unused seat expires in 2 s, so the room's wait is seen quickly.
vi.hoisted(() => {
  process.env.COLYSEUS_SEAT_RESERVATION_TIME = "2";
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchMaker } from "@colyseus/core";
import { ARENA_MAP, JoinErrorCodes, MOVE_SCALE, PLAYER_RADIUS, ROOM_ARENA, type ArenaMap, type ArenaRoomMetadata, type MapRef } from "@arena/shared";
import { EDITOR_MIN_SPAWNS, EditorMessage, type PublishedOut } from "@arena/shared/editor";
import {
  createArenaOverHttp, guestToken, holdInput, joinByCode, joinEditor, newMapId, quickPlay, serverRoom, signIn, startTestServer, waitForOwnPlayer, waitForState,
  type ArenaRoomClient, type RunningServer,
} from "@arena/testkit";
import { FileMapStore } from "../src/rooms/editor/store.ts";

/** A 1200 x 800 map split by a wall from the top down to y = 500 at x = 600; 8 spawns on each side. */
const WALL = { x: 600, y: 0, w: 40, h: 500 };
const MAP: ArenaMap = {
  name: "split",
  width: 1200,
  height: 800,
  walls: [WALL],
  spawns: [...Array(8).keys()].flatMap((i) => [{ x: 100, y: 100 + i * 80 }, { x: 1100, y: 100 + i * 80 }]),
};

let server: RunningServer;
let dataDir: string;
let ref: MapRef;
const open: ArenaRoomClient[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "arena-published-"));
  const mapId = `mtest${Date.now()}`;
  // Published as the editor room does it (the same store, the server's data directory).
  ref = { id: mapId, version: (await new FileMapStore(dataDir).publish(mapId, MAP)) as number };
  server = await startTestServer({ DATA_DIR: dataDir }, { match: { warmupSeconds: 0.3 } });
});
afterAll(async () => {
  await Promise.all(open.map((r) => r.leave().catch(() => undefined)));
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function createOnMap(name: string, options: object = { map: ref }): Promise<ArenaRoomClient> {
  const { client } = await signIn(server.url, name);
  const room = (await client.create(ROOM_ARENA, { name, ...options })) as ArenaRoomClient;
  room.onMessage("*", () => {});
  await waitForOwnPlayer(room);
  open.push(room);
  return room;
}

/** What creating a room with `options` is refused with (code and message); fails if a room is created. */
async function refusedCreate(options: unknown): Promise<{ code: number; message: string }> {
  const { client } = await signIn(server.url, "mallory");
  try {
    const room = await client.create(ROOM_ARENA, options as never);
    open.push(room as ArenaRoomClient);
  } catch (e) {
    return { code: (e as { code: number }).code, message: (e as Error).message };
  }
  throw new Error(`created a room with ${JSON.stringify(options)}`);
}

async function arenaRooms(): Promise<number> {
  return (await matchMaker.query({ name: ROOM_ARENA })).length;
}

describe("arena room on a published map", () => {
  it("plays the map it was created with: says so in its state and listing, spawns on its spawns, and a player walking into its wall stops there", async () => {
    const room = await createOnMap("walker");
    expect(room.state.mapId).toBe(ref.id);
    expect(room.state.mapVersion).toBe(ref.version);
    const listing = (await matchMaker.query({ roomId: room.roomId }))[0];
    expect(listing?.private).toBe(true);
    expect((listing?.metadata as ArenaRoomMetadata).map).toEqual(ref);
    const me = room.state.players.get(room.sessionId)!;
    expect(MAP.spawns).toContainEqual({ x: me.x, y: me.y });

    // Open floor on the built-in map, so only this map's wall can stop the walk.
    const start = { x: 500, y: 300 };
    expect(ARENA_MAP.walls.some((w) => start.y > w.y - PLAYER_RADIUS && start.y < w.y + w.h + PLAYER_RADIUS && w.x < 800 && w.x + w.w > 500)).toBe(false);
    const player = serverRoom(room).state.players.get(room.sessionId)!;
    player.x = start.x;
    player.y = start.y;
    const stop = holdInput(room, () => ({ mx: MOVE_SCALE }));
    try {
      const stopAt = WALL.x - PLAYER_RADIUS;
      await waitForState(room, (s) => s.players.get(room.sessionId)!.x >= stopAt - 1, 5000, "the player reaching the wall");
      const reachedAt = room.state.tick;
      // A second more of pushing right: it stays against the wall.
      await waitForState(room, (s) => s.tick >= reachedAt + 30, 5000, "a second of pushing");
      expect(room.state.players.get(room.sessionId)!.x).toBeLessThanOrEqual(stopAt);
      expect(room.state.players.get(room.sessionId)!.x).toBeGreaterThan(stopAt - 1);
    } finally {
      stop();
    }
  });

  it("its wall blocks a shot that hits the same target in the open below it", async () => {
    const room = await createOnMap("shooter");
    const target = (await joinByCode(server.url, "target", { code: room.roomId })) as ArenaRoomClient;
    target.onMessage("*", () => {});
    open.push(target);
    await waitForState(room, (s) => s.phase === "playing", 5000, "match start");
    const state = serverRoom(room).state;
    const place = (y: number): void => {
      const a = state.players.get(room.sessionId)!;
      const b = state.players.get(target.sessionId)!;
      a.x = 450; a.y = y;
      b.x = 800; b.y = y;
      b.hp = 100;
      b.protectedUntil = 0;
    };
    const stop = holdInput(room, () => ({ fire: true, aim: 0 }));
    try {
      place(250); // the wall between them
      const firedFrom = state.tick;
      // A projectile crosses 350 units in under half a second; a second of firing (5 shots) all stop at the wall.
      await waitForState(room, (s) => s.tick >= firedFrom + 30, 5000, "a second of firing");
      expect(room.state.players.get(target.sessionId)!.hp).toBe(100);
      place(650); // below the wall's end: open floor
      await waitForState(room, (s) => s.players.get(target.sessionId)!.hp < 100, 5000, "a hit in the open");
    } finally {
      stop();
    }
  });

  it("refuses an unknown map version with a clear error and creates no room", async () => {
    const before = await arenaRooms();
    for (const map of [{ id: ref.id, version: ref.version + 1 }, { id: "mnosuchmap0000", version: 1 }]) {
      const refused = await refusedCreate({ map });
      expect(refused.code).toBe(JoinErrorCodes.UNKNOWN_MAP);
      expect(refused.message).toContain(`no published version ${map.version} of map ${map.id}`);
    }
    expect(await arenaRooms()).toBe(before);
  });

  it("refuses a malformed map option (hostile or broken client) with the reason and creates no room", async () => {
    const before = await arenaRooms();
    const garbage: unknown[] = [
      "map", 7, null, [], {}, { id: ref.id }, { version: 1 }, { id: ref.id, version: 0 }, { id: ref.id, version: 1.5 },
      { id: ref.id, version: "1" }, { id: "../../../etc/passwd", version: 1 }, { id: "short", version: 1 },
      { id: "x".repeat(65), version: 1 }, { id: ref.id, version: 2 ** 40 }, { id: ref.id, version: 1, extra: true },
    ];
    for (const map of garbage) {
      const refused = await refusedCreate({ map });
      expect(refused.code, JSON.stringify(map)).toBe(JoinErrorCodes.INVALID_OPTIONS);
      expect(refused.message).toMatch(/^invalid options: map/);
    }
    expect(await arenaRooms()).toBe(before);
  });

  it("refuses a map room to a request without a valid token (none, forged) before reading the map or making a room", async () => {
    const before = await arenaRooms();
    const forged = `${(await guestToken(server.url, "eve")).slice(0, -4)}AAAA`;
    for (const authorization of [undefined, "Bearer nonsense", `Bearer ${forged}`]) {
      const res = await fetch(`${server.url}/matchmake/create/${ROOM_ARENA}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ map: ref }),
      });
      expect(res.ok).toBe(false);
      expect(((await res.json()) as { code: number }).code).toBe(JoinErrorCodes.AUTH_FAILED);
    }
    expect(await arenaRooms()).toBe(before);
  });

  it("is never picked by quick play, and a quick-play join that names a map is refused rather than seated on another map", async () => {
    const mapRoom = await createOnMap("host");
    const quick = await quickPlay(server.url, "quick");
    open.push(quick);
    expect(quick.roomId).not.toBe(mapRoom.roomId);
    expect(quick.state.mapId).toBe("");
    // The public room now exists: matching on the mode alone would seat this join in it.
    const { client } = await signIn(server.url, "sneaky");
    const err = await client.joinOrCreate(ROOM_ARENA, { mode: "ffa", map: ref }).then(
      (r) => { open.push(r as ArenaRoomClient); return undefined; },
      (e: unknown) => e as { code: number; message: string },
    );
    expect(err?.code).toBe(JoinErrorCodes.UNKNOWN_MAP);
    expect(err?.message).toMatch(/does not play the map/);
    expect(quick.state.players.size).toBe(1);
  });

  it("created for an invite link (\"Play this map\"), it stays open after its creator's seat expires, until someone joins by its code", async () => {
    const token = await guestToken(server.url, "editor");
    const createFor = async (options: object): Promise<string> => (await createArenaOverHttp(server.url, token, options)).roomId;
    const plain = await createFor({ private: true });
    const onMap = await createFor({ map: ref });
    // The plain private room closes once the unused seat expires; the map room keeps waiting.
    await vi.waitFor(() => expect(matchMaker.getLocalRoomById(plain)).toBeUndefined(), { timeout: 10_000, interval: 100 });
    expect(matchMaker.getLocalRoomById(onMap)).toBeDefined();
    const guest = await joinByCode(server.url, "guest", { code: onMap });
    open.push(guest);
    await waitForOwnPlayer(guest);
    expect(guest.state.mapId).toBe(ref.id);
  });

  it("two publishes of one map at once are numbered 1 and 2 (neither lost nor overwritten), and the newest is listed", async () => {
    const mapId = newMapId();
    const ed = await joinEditor(server.url, "pub", { mapId, create: true });
    for (let i = 0; i < EDITOR_MIN_SPAWNS; i++) ed.doc.edit({ t: "addSpawn", id: `s${i}`, x: 100 + i * 100, y: 200 });
    await ed.settled();
    const answers: PublishedOut[] = [];
    const both = new Promise<void>((resolve) => ed.room.onMessage(EditorMessage.Publish, (a: PublishedOut) => {
      answers.push(a);
      if (answers.length === 2) resolve();
    }));
    ed.room.send(EditorMessage.Publish, {});
    ed.room.send(EditorMessage.Publish, {});
    await both;
    expect(answers.map((a) => (a.ok ? a.version : a.problems)).sort()).toEqual([1, 2]);
    for (const v of [1, 2]) expect((await fetch(`${server.url}/api/maps/${mapId}/${v}`)).status).toBe(200);
    const latest = await fetch(`${server.url}/api/maps/${mapId}`);
    expect(latest.headers.get("cache-control")).toBe("no-store");
    expect(await latest.json()).toEqual({ mapId, latest: 2 });
    expect((await fetch(`${server.url}/api/maps/${newMapId()}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/maps/..%2f..%2fetc`)).status).toBe(400);
    await ed.leave();
  });
});
