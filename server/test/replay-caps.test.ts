/**
 * What recording may cost one process: REPLAY_MAX_ACTIVE matches recorded at once (a match starting beyond
 * it is not recorded, and the others play on), and REPLAY_MAX_KB per recording (it stops at the next
 * keyframe past the cap, ended as too_large, and still plays back). Real server, real SDK clients.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOM_ARENA } from "@arena/shared";
import { KEYFRAME_INTERVAL_S, ReplayReader, type ReplayListOut } from "@arena/shared/replay";
import { joinArena, joinByCode, signIn, startTestServer, waitForOwnPlayer, waitForState, type ArenaRoomClient, type RunningServer } from "@arena/testkit";
import type { ReplayMeta } from "../src/replay/meta.ts";

let server: RunningServer;
let dir: string;
const rooms: ArenaRoomClient[] = [];
let publicRoom: ArenaRoomClient;
let privateRoom: ArenaRoomClient;
let privateToken: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "replay-caps-"));
  server = await startTestServer({ DATA_DIR: dir, REPLAY_MAX_ACTIVE: "1", REPLAY_MAX_KB: "1" }, { match: { warmupSeconds: 0.2, matchSeconds: KEYFRAME_INTERVAL_S + 2, resultsSeconds: 0.5 } });
  // A public match first: it takes the one place.
  const a = await joinArena(server.url, "alice");
  publicRoom = a.room;
  rooms.push(publicRoom, (await joinArena(server.url, "bob")).room);
  await waitForState(publicRoom, (s) => s.phase === "playing", 5000, "the public match");
  // Then a private one, started while the first is recorded.
  const c = await signIn(server.url, "carol");
  privateToken = c.token;
  privateRoom = (await c.client.create(ROOM_ARENA, { name: "carol", private: true })) as ArenaRoomClient;
  rooms.push(privateRoom);
  await waitForOwnPlayer(privateRoom);
  rooms.push(await joinByCode(server.url, "dave", { code: privateRoom.roomId }));
  await waitForState(privateRoom, (s) => s.phase === "playing", 5000, "the private match");
}, 20_000);
afterAll(async () => {
  await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("recording caps", () => {
  it("records one match at a time with REPLAY_MAX_ACTIVE=1, stops it at the keyframe past REPLAY_MAX_KB, and both matches play on", async () => {
    const replays = server.replays!;
    expect(replays.stats).toMatchObject({ started: 1, skipped: 1 });
    const stored = new Promise<ReplayMeta>((resolve) => replays.onRecorded(resolve));
    // The first keyframe after the first (5 s in) closes a segment past 1 KB: the recording ends there.
    const meta = await stored;
    expect(meta).toMatchObject({ roomId: publicRoom.roomId, reason: "too_large", segments: 1 });
    expect(meta.bytes).toBeGreaterThan(1024);
    expect(replays.recording).toBe(0);
    const reader = ReplayReader.open((await replays.store.read(meta.id))!);
    expect(reader.end.reason).toBe("too_large");
    expect(reader.verify()).toBe(1);
    // Both matches go on to their results; the private one was never recorded.
    await waitForState(publicRoom, (s) => s.phase === "results", 8000, "public results");
    await waitForState(privateRoom, (s) => s.phase === "results", 8000, "private results");
    const mine = (await (await fetch(`${server.url}/api/replays?mine=1`, { headers: { authorization: `Bearer ${privateToken}` } })).json()) as ReplayListOut;
    expect(mine.replays).toEqual([]);
    // (The public room's next match may have begun a recording by now: the place is free again.)
    expect(replays.stats).toMatchObject({ finished: 1, skipped: 1, failed: 0 });
  }, 20_000);
});
