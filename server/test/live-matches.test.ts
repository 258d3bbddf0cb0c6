/**
 * Live matches in the lobby: an arena room's listing carries its top scorer,
 * their kills and when the match ends (liveScore.ts), and Colyseus' LobbyRoom
 * pushes each change to the lobby's clients. Writes are bounded: only on a
 * change, at most once per LIVE_SCORE_MIN_INTERVAL_MS per room. Nobody but the
 * room writes it: players and lobby visitors who try get nowhere. Real server,
 * real SDK clients.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode, matchMaker } from "@colyseus/core";
import { CloseCodes, ROOM_ARENA, type ArenaRoomMetadata, type ArenaState } from "@arena/shared";
import {
  LobbyWatcher, joinArena, serverRoom, signIn, startTestServer, waitForLeave, waitForState, type ArenaRoomClient, type RunningServer,
} from "@arena/testkit";
import { LIVE_SCORE_CHECK_MS, LIVE_SCORE_MIN_INTERVAL_MS } from "../src/rooms/arena/liveScore.ts";
import type { ArenaRoom } from "../src/rooms/arena/ArenaRoom.ts";

let server: RunningServer;
let alice: ArenaRoomClient;
let bob: ArenaRoomClient;
let lobby: LobbyWatcher;

const metaOf = (w: LobbyWatcher, roomId: string): Partial<ArenaRoomMetadata> | undefined => w.rooms.get(roomId)?.metadata as Partial<ArenaRoomMetadata> | undefined;
const serverState = (): ArenaState => serverRoom(alice.roomId).state;
const liveStats = (): ArenaRoom["liveScoreStats"] => (serverRoom(alice.roomId) as unknown as ArenaRoom).liveScoreStats;

beforeAll(async () => {
  server = await startTestServer({}, { match: { warmupSeconds: 0.2 } });
  ({ room: alice } = await joinArena(server.url, "alice"));
  ({ room: bob } = await joinArena(server.url, "bob"));
  expect(bob.roomId).toBe(alice.roomId);
  await waitForState(alice, (s) => s.phase === "playing", 5000, "the match under way");
  lobby = await LobbyWatcher.open(server.url);
});
afterAll(async () => {
  await lobby?.room.leave().catch(() => undefined);
  await alice?.leave().catch(() => undefined);
  await bob?.leave().catch(() => undefined);
  await server?.close();
});

describe("live matches in the lobby listing", () => {
  it("carries when the match ends, and the top scorer with their kills once someone scores", async () => {
    await lobby.until(() => metaOf(lobby, alice.roomId)?.endsAt !== undefined, "the listing's end time");
    const s = serverState();
    const expected = Date.now() + ((s.phaseEndsAt - s.tick) * 1000) / s.tickRate;
    // The end is taken from the server's tick once per phase: within a step and a check of the truth.
    expect(Math.abs(metaOf(lobby, alice.roomId)!.endsAt! - expected)).toBeLessThan(1000 / s.tickRate + LIVE_SCORE_CHECK_MS + 100);
    expect(metaOf(lobby, alice.roomId)?.leader).toBeUndefined();

    s.players.get(alice.sessionId)!.kills = 1;
    await lobby.until(() => metaOf(lobby, alice.roomId)?.leader === "alice", "alice leading");
    expect(metaOf(lobby, alice.roomId)).toMatchObject({ leader: "alice", leaderKills: 1, leaderBot: false, phase: "playing" });

    s.players.get(bob.sessionId)!.kills = 3;
    await lobby.until(() => metaOf(lobby, alice.roomId)?.leader === "bob", "bob leading");
    expect(metaOf(lobby, alice.roomId)).toMatchObject({ leader: "bob", leaderKills: 3 });
  });

  it(`writes a score that changes every step at most once per ${LIVE_SCORE_MIN_INTERVAL_MS} ms, and nothing while it stands still`, async () => {
    const s = serverState();
    const bobPlayer = s.players.get(bob.sessionId)!;
    const arrivals: Array<{ at: number; kills: number | undefined }> = [];
    const off = lobby.room.onMessage("+", ([id, listing]: [string, { metadata: ArenaRoomMetadata }]) => {
      if (id === alice.roomId) arrivals.push({ at: performance.now(), kills: listing.metadata.leaderKills });
    });
    const start = bobPlayer.kills;
    // A kill every step (30 a second), until the lobby has seen three more writes.
    const room = serverRoom(alice.roomId);
    const bump = room.clock.setInterval(() => { bobPlayer.kills += 1; }, 1000 / s.tickRate);
    try {
      await lobby.until(() => arrivals.length >= 3, "three score writes");
    } finally {
      bump.clear();
      off();
    }
    const final = bobPlayer.kills;
    expect(final - start).toBeGreaterThan(3 * 10); // many changes, few writes
    for (let i = 1; i < arrivals.length; i++) {
      // Written ≥ 1000 ms apart; delivery through the same in-process presence can only shift them a little.
      expect(arrivals[i]!.at - arrivals[i - 1]!.at).toBeGreaterThan(LIVE_SCORE_MIN_INTERVAL_MS - 100);
    }
    // The last change is written once the bound allows, then nothing more while the score stands.
    await lobby.until(() => metaOf(lobby, alice.roomId)?.leaderKills === final, "the final score");
    const writes = liveStats().writes;
    const checks = liveStats().checks;
    await expect.poll(() => liveStats().checks, { timeout: 5000, interval: LIVE_SCORE_CHECK_MS }).toBeGreaterThanOrEqual(checks + 8);
    expect(liveStats().writes).toBe(writes);
  });

  it("cannot be written by a player's messages or create options, nor by a lobby visitor's messages", async () => {
    const s = serverState();
    s.players.get(alice.sessionId)!.kills = 500;
    await lobby.until(() => metaOf(lobby, alice.roomId)?.leaderKills === 500, "alice's 500 kills listed");
    const spoof = { leader: "spoof", leaderKills: 9999, endsAt: 1 };
    const spoofed = (w: LobbyWatcher): boolean => [...w.rooms.values()].some((r) => (r.metadata as Partial<ArenaRoomMetadata> | undefined)?.leader === "spoof");

    // A second lobby visitor sees everything a hostile one tries (or does not).
    const other = await LobbyWatcher.open(server.url);
    let sawSpoof = false;
    const offPlus = other.room.onMessage("+", () => { if (spoofed(other)) sawSpoof = true; });
    try {
      // A hostile lobby visitor: a filter only narrows its own view; the lobby protocol's own messages sent
      // back with a forged listing close its connection (Colyseus: no handler for the type).
      const { client } = await signIn(server.url, "forger");
      const hostileLobby = await client.joinOrCreate("lobby", {});
      hostileLobby.onMessage("*", () => {});
      const lobbyClosed = waitForLeave(hostileLobby);
      hostileLobby.send("filter", { metadata: spoof });
      hostileLobby.send("+", [alice.roomId, { roomId: alice.roomId, metadata: { ...metaOf(lobby, alice.roomId), ...spoof } }]);
      hostileLobby.send("rooms", [{ roomId: alice.roomId, metadata: spoof }]);
      expect(await lobbyClosed).toBe(CloseCode.WITH_ERROR);

      // A hostile player: listing-shaped messages get it closed as a protocol error; the room plays on.
      const { room: mallory } = await joinArena(server.url, "mallory");
      expect(mallory.roomId).toBe(alice.roomId);
      const closed = waitForLeave(mallory);
      mallory.send("metadata", spoof);
      expect(await closed).toBe(CloseCodes.PROTOCOL_ERROR);

      // A creator's options cannot name a leader or an end either (they are stripped).
      const { client: creator } = await signIn(server.url, "creator");
      const created = (await creator.create(ROOM_ARENA, { name: "creator", ...spoof })) as ArenaRoomClient;
      const listed = (await matchMaker.query({ roomId: created.roomId }))[0]?.metadata as ArenaRoomMetadata;
      expect(listed.leader).toBeUndefined();
      expect(listed.endsAt).toBeUndefined();
      await created.leave();

      // A real change after all of that reaches both visitors, and nothing forged ever did.
      s.players.get(alice.sessionId)!.kills = 501;
      await other.until(() => metaOf(other, alice.roomId)?.leaderKills === 501, "the real score after the spoofs");
      await lobby.until(() => metaOf(lobby, alice.roomId)?.leaderKills === 501, "the real score, first visitor");
      expect(sawSpoof || spoofed(other) || spoofed(lobby)).toBe(false);
      expect(metaOf(lobby, alice.roomId)?.leader).toBe("alice");
      expect((await matchMaker.query({ roomId: alice.roomId }))[0]?.metadata).toMatchObject({ leader: "alice", leaderKills: 501 });
      expect(alice.connection.isOpen && bob.connection.isOpen).toBe(true);
    } finally {
      offPlus();
      await other.room.leave().catch(() => undefined);
    }
  });
});
