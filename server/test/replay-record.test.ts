/**
 * A match recorded and played back (docs/REPLAYS.md): real server (one process, DATA_DIR), real SDK clients.
 * The replay must rebuild, at every tick a player's client got a patch for, exactly the state that client
 * decoded, and every keyframe's hash must match the server's state; seeks land on the tick asked for; the
 * match's kill, chat and end are in it; the lists show it; a stored recording that was damaged is refused
 * by the reader, never half-played.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientMessage, type ArenaState } from "@arena/shared";
import { KEYFRAME_INTERVAL_S, ReplayError, ReplayReader, canonicalJson, type ReplayListOut, type ReplaySummary } from "@arena/shared/replay";
import { faceOff, firingRight, joinArena, serverRoom, startTestServer, waitForState, type ArenaRoomClient, type RunningServer } from "@arena/testkit";

/** 11 s of play: keyframes at 0, 5 and 10 s, then a second of results. */
const MATCH_SECONDS = 11;

let server: RunningServer;
let dir: string;
let alice: ArenaRoomClient;
let bob: ArenaRoomClient;
let aliceToken: string;
/** The state alice's client decoded after each patch, by the tick it carried. */
const seen = new Map<number, string>();
let replay: ReplaySummary;
let bytes: Uint8Array;

async function get(path: string, token?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "replay-record-"));
  server = await startTestServer({ DATA_DIR: dir }, { match: { warmupSeconds: 0.2, matchSeconds: MATCH_SECONDS, resultsSeconds: 1 } });
  const a = await joinArena(server.url, "alice");
  alice = a.room;
  aliceToken = a.client.auth.token!;
  alice.onStateChange((s: ArenaState) => seen.set(s.tick, canonicalJson(s.toJSON())));
  ({ room: bob } = await joinArena(server.url, "bob"));
}, 20_000);
afterAll(async () => {
  await Promise.all([alice?.leave().catch(() => undefined), bob?.leave().catch(() => undefined)]);
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a recorded match", () => {
  it("is recorded from its start through its results, with its kill, chat and end, and listed as the player's own", async () => {
    await waitForState(alice, (s) => s.phase === "playing", 5000, "match start");
    // Alice, 200 units left of an unprotected bob, fires to the right until he falls.
    const state = serverRoom(alice).state;
    faceOff(state, alice.sessionId, bob.sessionId);
    await firingRight(alice, () => waitForState(alice, (s) => s.players.get(alice.sessionId)?.kills === 1, 5000, "alice's kill"));
    alice.send(ClientMessage.Chat, { text: "gg" });
    // The end chunk is written as the room goes back to warm-up after the results.
    const stored = new Promise<string>((resolve) => server.replays!.onRecorded((meta) => resolve(meta.id)));
    await waitForState(alice, (s) => s.phase === "results", (MATCH_SECONDS + 3) * 1000, "results");
    await waitForState(alice, (s) => s.phase === "warmup", 4000, "warm-up after the results");
    const id = await stored;

    const list = (await (await get("/api/replays?mine=1", aliceToken)).json()) as ReplayListOut;
    expect(list.replays.map((r) => r.id)).toEqual([id]);
    replay = list.replays[0]!;
    expect(replay).toMatchObject({ roomId: alice.roomId, mode: "ffa", private: false, reason: "match_over" });
    expect(replay.seconds).toBeGreaterThanOrEqual(MATCH_SECONDS);
    expect(replay.standings.find((s) => s.name === "alice")).toMatchObject({ kills: 1 });
    const res = await get(`/api/replays/${replay.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(replay.bytes);

    const reader = ReplayReader.open(bytes);
    expect(reader.header).toMatchObject({ id: replay.id, roomId: alice.roomId, private: false, tickRate: state.tickRate });
    expect(reader.end.reason).toBe("match_over");
    const types = reader.events.map((e) => e.type);
    expect(types[0]).toBe("matchStart");
    expect(reader.events).toContainEqual(expect.objectContaining({ type: "kill", killer: alice.sessionId, killerName: "alice", victim: bob.sessionId, victimName: "bob" }));
    expect(reader.events).toContainEqual(expect.objectContaining({ type: "chat", from: alice.sessionId, name: "alice", text: "gg" }));
    expect(reader.events).toContainEqual(expect.objectContaining({ type: "matchEnd", reason: "time", winner: alice.sessionId }));
  }, (MATCH_SECONDS + 15) * 1000);

  it("plays back to the state its player's client decoded at every patch, every keyframe's hash checked", () => {
    const reader = ReplayReader.open(bytes);
    const tickRate = reader.header.tickRate;
    // Keyframes every KEYFRAME_INTERVAL_S: at 0, 5 and 10 s of an 11 s match (and one more in the results).
    expect(reader.keyframes.length).toBeGreaterThanOrEqual(Math.floor(MATCH_SECONDS / KEYFRAME_INTERVAL_S) + 1);
    for (let i = 1; i < reader.keyframes.length; i++) {
      expect(reader.keyframes[i]!.keyTick - reader.keyframes[i - 1]!.keyTick).toBeGreaterThanOrEqual(KEYFRAME_INTERVAL_S * tickRate);
      expect(reader.keyframes[i]!.fresh).toBe(false); // one process, clients all along: one patch stream
    }
    // Each keyframe decoded and its hash checked, and each after the first also reached by the patches before it.
    expect(reader.verify()).toBe(reader.keyframes.length);
    const ticks = [...seen.keys()].filter((t) => t >= reader.firstTick && t <= reader.lastTick);
    expect(ticks.length).toBeGreaterThan(MATCH_SECONDS * 15);
    const cursor = reader.seek(reader.firstTick);
    for (const t of ticks.sort((a, b) => a - b)) {
      cursor.advance(t);
      expect(canonicalJson(cursor.state.toJSON()), `tick ${t}`).toBe(seen.get(t));
    }
  });

  it("seeks anywhere to the state of the last patch at or before the tick asked for", () => {
    const reader = ReplayReader.open(bytes);
    const ticks = [...seen.keys()].sort((a, b) => a - b);
    for (let i = 0; i < 40; i++) {
      const t = reader.firstTick + Math.floor(((reader.lastTick - reader.firstTick) * i) / 39);
      const cursor = reader.seek(t);
      const last = ticks.filter((s) => s <= t).pop()!;
      expect(cursor.tick).toBe(t);
      expect(cursor.state.tick, `seek ${t}`).toBe(last);
      expect(canonicalJson(cursor.state.toJSON()), `seek ${t}`).toBe(seen.get(last));
    }
  });

  it("is listed publicly and by room, and served to anyone (a public match)", async () => {
    const all = (await (await get("/api/replays")).json()) as ReplayListOut;
    expect(all.replays.map((r) => r.id)).toContain(replay.id);
    const ofRoom = (await (await get(`/api/replays?room=${encodeURIComponent(alice.roomId)}`)).json()) as ReplayListOut;
    expect(ofRoom.replays.map((r) => r.id)).toEqual([replay.id]);
    const other = (await (await get("/api/replays?room=nosuchroom")).json()) as ReplayListOut;
    expect(other.replays).toEqual([]);
    const summary = await get(`/api/replays/${replay.id}/summary`);
    expect(summary.status).toBe(200);
    expect(await summary.json()).toEqual(replay);
  });

  it("answers 404 for ids that are not one (guessed, malformed, a path), and 400 for a bad query", async () => {
    for (const id of ["AAAAAAAAAAAAAAAAAAAAAA", "short", "..%2F..%2Fetc%2Fpasswd", `${replay.id}x`]) {
      const res = await get(`/api/replays/${id}`);
      expect(res.status, id).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found" });
    }
    for (const q of ["limit=0", "limit=51", "limit=x", "mine=2", "what=1"]) {
      const res = await get(`/api/replays?${q}`);
      expect(res.status, q).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_request" });
    }
    const mine = await get("/api/replays?mine=1");
    expect(mine.status).toBe(401);
  });

  it("refuses, when played, a stored recording that was damaged or cut short, saying why", async () => {
    const file = join(dir, "replays", `${replay.id}.arpl`);
    const original = await readFile(file);
    const fetchAndOpen = async (): Promise<ReplayError> => {
      const served = new Uint8Array(await (await get(`/api/replays/${replay.id}`)).arrayBuffer());
      try {
        ReplayReader.open(served);
      } catch (e) {
        if (e instanceof ReplayError) return e;
        throw e;
      }
      throw new Error("a damaged recording was opened");
    };
    try {
      const flipped = Buffer.from(original);
      flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
      await writeFile(file, flipped);
      expect(await fetchAndOpen()).toMatchObject({ code: "corrupted", message: expect.stringMatching(/does not match its hash|not JSON|kind/) });
      await writeFile(file, original.subarray(0, original.length - 100));
      expect(await fetchAndOpen()).toMatchObject({ code: "truncated", message: expect.stringContaining("truncated") });
    } finally {
      await writeFile(file, original);
    }
    expect(ReplayReader.open(new Uint8Array(await (await get(`/api/replays/${replay.id}`)).arrayBuffer())).verify()).toBeGreaterThan(0);
  });
});
