/**
 * A room created on a published map ("Play this map") waits MAP_ROOM_WAIT_S for its first player, then
 * closes: a client that creates such rooms and never joins them holds each one for that long, no longer.
 * Here the wait is 3 s and an unused seat expires in 1 s, so each of the two ends is seen apart.
 */
import { vi } from "vitest";

// Read by Colyseus when it loads: the creator's unused seat expires after 1 s.
vi.hoisted(() => {
  process.env.COLYSEUS_SEAT_RESERVATION_TIME = "1";
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchMaker } from "@colyseus/core";
import { ROOM_ARENA, type ArenaMap, type MapRef } from "@arena/shared";
import { createArenaOverHttp, guestToken, startTestServer, type RunningServer } from "@arena/testkit";
import { loadConfig } from "../src/config.ts";
import { DEFAULT_MAP_ROOM_WAIT_S } from "../src/rooms/arena/publishedMap.ts";
import { FileMapStore } from "../src/rooms/editor/store.ts";

const WAIT_S = 3;
const MAP: ArenaMap = {
  name: "tiny", width: 800, height: 600, walls: [],
  spawns: [...Array(16).keys()].map((i) => ({ x: 50 + i * 40, y: 300 })),
};

let server: RunningServer;
let dataDir: string;
let ref: MapRef;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "arena-map-wait-"));
  const mapId = `mwait${Date.now()}`;
  ref = { id: mapId, version: (await new FileMapStore(dataDir).publish(mapId, MAP)) as number };
  server = await startTestServer({ DATA_DIR: dataDir, MAP_ROOM_WAIT_S: String(WAIT_S) });
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Creates a room over HTTP, as "Play this map" does, and never takes its seat. */
async function createUnjoined(token: string, options: object): Promise<string> {
  return (await createArenaOverHttp(server.url, token, options)).roomId;
}

describe("empty map rooms", () => {
  it(`wait ${WAIT_S} s (MAP_ROOM_WAIT_S) past their creator's expired seat, then close: five rooms nobody joins are all gone soon after`, async () => {
    const token = await guestToken(server.url, "hoarder");
    const createdAt = Date.now();
    const plain = await createUnjoined(token, { private: true });
    const onMap = await Promise.all([...Array(5).keys()].map(() => createUnjoined(token, { map: ref })));
    // The plain private room closes once its unused seat expires (1 s): by then the map rooms are still waiting.
    await vi.waitFor(() => expect(matchMaker.getLocalRoomById(plain)).toBeUndefined(), { timeout: 10_000, interval: 50 });
    const plainGoneAt = Date.now() - createdAt;
    expect(plainGoneAt).toBeLessThan(WAIT_S * 1000);
    for (const id of onMap) expect(matchMaker.getLocalRoomById(id), "a map room closed with the seat").toBeDefined();
    // Then they close: after the wait (plus Colyseus' one-second empty check), not minutes later.
    await vi.waitFor(() => expect(onMap.filter((id) => matchMaker.getLocalRoomById(id) !== undefined)).toEqual([]), { timeout: 15_000, interval: 50 });
    const goneAt = Date.now() - createdAt;
    expect(goneAt).toBeGreaterThanOrEqual(WAIT_S * 1000);
    expect(goneAt).toBeLessThan((WAIT_S + 1) * 1000 + 5_000);
    expect(await matchMaker.query({ name: ROOM_ARENA })).toEqual([]);
  });

  it("MAP_ROOM_WAIT_S is a whole number of seconds from 1 to 3600, 60 by default", () => {
    expect(loadConfig({}).mapRoomWaitSeconds).toBe(DEFAULT_MAP_ROOM_WAIT_S);
    expect(DEFAULT_MAP_ROOM_WAIT_S).toBeLessThanOrEqual(60);
    expect(loadConfig({ MAP_ROOM_WAIT_S: "45" }).mapRoomWaitSeconds).toBe(45);
    for (const bad of ["0", "-1", "3601", "1.5", "soon"]) {
      expect(() => loadConfig({ MAP_ROOM_WAIT_S: bad }), bad).toThrow(/MAP_ROOM_WAIT_S must be an integer from 1 to 3600/);
    }
  });
});
