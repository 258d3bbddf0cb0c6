/**
 * A match handed to another process keeps one recording (docs/REPLAYS.md, "On the server"): two server
 * processes on one real Redis, two SDK players following their match; the holder is SIGTERMed while another
 * process is up (a handover), the players follow the match, it plays on, then that process stops alone (the
 * room closes). The match's one replay holds the segments of both processes, the taker's first keyframe
 * fresh, every keyframe's hash checks out, and no other recording was made of it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@colyseus/sdk";
import { ROOM_ARENA, TICK_RATE } from "@arena/shared";
import { ReplayReader } from "@arena/shared/replay";
import { signIn } from "@arena/testkit";
import { spawnServer, type GameServerProcess } from "../../testkit/src/processes.ts";
import { startRedis, type RedisProcess } from "../../testkit/src/redis.ts";
import { waitForOwnPlayer, type ArenaRoomClient } from "../../testkit/src/rooms.ts";
import { waitForState } from "../../testkit/src/waits.ts";
import { followMatch, type MatchFollower } from "../../client/src/net/followMatch.ts";
import { createRedisClient } from "../src/scale/redisClient.ts";
import { RedisReplayStore } from "../src/replay/redisStore.ts";

let redis: RedisProcess;
const started: GameServerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await Promise.all(started.map((s) => s.kill("SIGKILL")));
  await redis.stop();
}, 30_000);

interface Player {
  client: Client;
  follower: MatchFollower<ArenaRoomClient>;
  moved: Promise<ArenaRoomClient>;
}

/** Resolves when `predicate` holds on the followed match's state, on whichever room the follower holds (it may move again). */
async function onFollowedRoom(follower: MatchFollower<ArenaRoomClient>, predicate: (s: ArenaRoomClient["state"]) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const room = follower.room;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting on the followed match (tick ${room.state?.tick})`);
    // A room the follower left sends nothing more: look again at the follower's room every 2 s of silence.
    const held = await waitForState(room, predicate, Math.min(2000, left), "the followed match").then(() => true, () => false);
    if (held) return;
  }
}

describe("a match handed over to another process", () => {
  it("keeps one recording: the first holder's segments, then the taker's from a fresh keyframe, every hash checked", async () => {
    // A warm-up of 1 s (the default is 5): what is under test starts once the match plays.
    const spawn = (): Promise<GameServerProcess> => spawnServer({ REDIS_URL: redis.url, MATCH_WARMUP_S: "1" }, { timeoutMs: 90_000 });
    const [first, second] = await Promise.all([spawn(), spawn()]);
    started.push(first, second);
    const players: Player[] = [];
    let roomId = "";
    for (const name of ["ann", "bob"]) {
      const { client } = await signIn(first.url, name);
      const room = (roomId === "" ? await client.create(ROOM_ARENA, { name }) : await client.joinById(roomId, { name })) as ArenaRoomClient;
      room.onMessage("*", () => {});
      await waitForOwnPlayer(room);
      roomId = room.roomId;
      let resolveMoved!: (r: ArenaRoomClient) => void;
      const moved = new Promise<ArenaRoomClient>((r) => (resolveMoved = r));
      const follower = followMatch(client, room, {
        endpoints: [second.url],
        onRoom: (r) => {
          r.onMessage("*", () => {});
          resolveMoved(r);
        },
        onLeave: () => {},
      });
      players.push({ client, follower, moved });
    }
    // On whichever room the follower holds: a silence of 2 s makes it look for the match again (a new Room object),
    // and a test bound to the first one would wait on a room nobody sends to any more. A move before the hand-over
    // is reported with what both processes said.
    const follower = players[0]!.follower;
    const said = (): string => {
      const seen = players.map((p) => `${p.follower.moves} moves, tick ${p.follower.room.state?.tick}, socket ${p.follower.room.connection.isOpen ? "open" : "closed"}`);
      const ours = /warn|error|joined|created|paused|started|dropped|reconnected|left|figures/;
      return `players: ${seen.join("; ")}; the first process said: ${first.lines.filter((l) => ours.test(l)).join("\n")}\nthe second: ${second.lines.filter((l) => /warn|error|claimed|restored|took|reconnected/.test(l)).join("\n")}`;
    };
    await onFollowedRoom(follower, (s) => s.phase === "playing", 60_000).catch((e: Error) => {
      throw new Error(`${e.message} (phase ${follower.room.state.phase}, players ${follower.room.state.players.size}); ${said()}`);
    });
    const startTick = follower.room.state.tick;
    // Past the first keyframe after the match's first: a segment of the first holder is stored.
    await onFollowedRoom(follower, (s) => s.tick > startTick + 6 * TICK_RATE, 30_000);
    expect(players.map((p) => p.follower.moves), `no move before the hand-over; ${said()}`).toEqual([0, 0]);

    const exit = first.kill("SIGTERM");
    const rooms = await Promise.all(players.map((p) => p.moved));
    expect(await exit).toBe(0);
    for (const r of rooms) {
      expect(r.roomId).toBe(roomId);
      await waitForOwnPlayer(r);
    }
    const takenAt = rooms[0]!.state.tick;
    await onFollowedRoom(players[0]!.follower, (st) => st.tick > takenAt + 6 * TICK_RATE, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}; the taker said: ${second.lines.filter((l) => /error|warn|restored|recording|took/.test(l)).join("\n")}`);
    });

    // The taker rebuilt the match before stepping it: no step ran on a half-restored room.
    expect(second.lines.filter((l) => /uncaught exception/.test(l))).toEqual([]);

    // Alone now, the taker closes the room when it stops: the recording ends there.
    for (const p of players) p.follower.stop();
    expect(await second.kill("SIGTERM")).toBe(0);

    const store = new RedisReplayStore(createRedisClient({ kind: "single", url: redis.url }), { keep: 100, maxAgeMs: 3_600_000, staleMs: 60_000 });
    try {
      const replays = await store.list({ roomId, limit: 10 });
      expect(replays.map((m) => m.reason)).toEqual(["room_closed"]);
      const reader = ReplayReader.open((await store.read(replays[0]!.id))!);
      expect(reader.header.roomId).toBe(roomId);
      const fresh = reader.keyframes.filter((k) => k.fresh);
      // The match's first keyframe, then the taker's (and, if the taker stepped before its players were back,
      // one more when they were: nobody connected, nothing is sent, nothing recorded).
      expect(fresh.length).toBeGreaterThanOrEqual(2);
      expect(fresh.length).toBeLessThanOrEqual(3);
      for (const k of fresh.slice(1)) expect(k.keyTick).toBeGreaterThan(startTick + 5 * TICK_RATE);
      expect(reader.keyframes.filter((k) => k.keyTick < fresh[1]!.keyTick).length).toBeGreaterThanOrEqual(2);
      expect(reader.keyframes.filter((k) => k.keyTick > fresh[1]!.keyTick).length).toBeGreaterThanOrEqual(1);
      expect(reader.verify()).toBe(reader.keyframes.length);
      // Seek on both sides of the handover lands on states of the same two players.
      for (const t of [fresh[1]!.keyTick - 10, fresh[1]!.keyTick + 10]) {
        expect([...reader.seek(t).state.players.keys()].sort()).toEqual([...players.map((p) => p.follower.room.sessionId)].sort());
      }
    } finally {
      store.close();
    }
  }, 240_000);
});
