/**
 * Two game processes on a real Redis Cluster (three masters, each with a replica, on loopback ports, started
 * here): private codes, quick play, the leaderboard (its MULTI and scripts), invites between people, and an
 * editor map's op stream, all across the two processes; then the master holding a running match's keys is
 * SIGKILLed and its replica promoted, and the match goes on. A multi-key command across slots would fail
 * here with CROSSSLOT, which one Redis never says.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "ioredis";
import type { InviteNote } from "@arena/shared";
import { EditorMessage } from "@arena/shared/editor";
import {
  SseReader, createPrivate, waitForMessage, joinByCode, joinEditor, newMapId, quickPlay, signIn, spawnServer, startRedisCluster, waitForOwnPlayer, waitForState,
  type ArenaRoomClient, type GameServerProcess, type RedisClusterProcess,
} from "@arena/testkit";
import { ROOM_ARENA, TICK_RATE } from "@arena/shared";
import { followMatch, type MatchFollower } from "../../client/src/net/followMatch.ts";
import { LB_KEYS, RedisLeaderboard } from "../src/leaderboard/RedisLeaderboard.ts";
import { createLogger } from "../src/log.ts";
import { EDITOR_OP_BURST } from "../src/rooms/editor/EditorRoom.ts";
import { editorMapKey, editorOpsKey, editorPublishedKey, EDITOR_REDIS_SNAPSHOT_EVERY } from "../src/rooms/editor/store.ts";
import { CHECKPOINT_INTERVAL_MS, CUSTODY_KEYS } from "../src/scale/matchCustody.ts";
import type { RedisTarget } from "../src/scale/redisTarget.ts";
import { parseRedisNodes } from "../src/scale/redisTarget.ts";
import { Person } from "./peopleClients.ts";

let cluster: RedisClusterProcess;
let target: RedisTarget;
let a: GameServerProcess;
let b: GameServerProcess;
let db: Cluster;
const dirs: string[] = [];
const rooms: ArenaRoomClient[] = [];
const keep = (r: ArenaRoomClient): ArenaRoomClient => (rooms.push(r), r);
const people: Person[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicas: 1, nodeTimeoutMs: 1000 });
  target = { kind: "cluster", ...parseRedisNodes(cluster.seeds) };
  const server = async (): Promise<GameServerProcess> => {
    const dir = await mkdtemp(join(tmpdir(), "arena-redis-cluster-data-"));
    dirs.push(dir);
    // Rate limits on (spawnServer turns them off): their counters live in the cluster too.
    return spawnServer({ REDIS_CLUSTER_NODES: cluster.seeds, DATA_DIR: dir, RATE_LIMITS: "on" }, { timeoutMs: 90_000 });
  };
  [a, b] = await Promise.all([server(), server()]);
  db = new Cluster(cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })));
  // Ready: the client has read the slots and holds its node connections. A first command sent before that failed
  // once in CI with "Connection is closed" (a node connection replaced as the client learned the cluster).
  await new Promise<void>((resolve) => db.once("ready", () => resolve()));
}, 120_000);

afterAll(async () => {
  await Promise.all(rooms.filter((r) => r.connection.isOpen).map((r) => r.leave().catch(() => undefined)));
  await Promise.all(people.map((p) => p.leaveAll()));
  await Promise.all([a, b].filter(Boolean).map((p) => p.kill("SIGTERM")));
  db?.disconnect();
  await cluster?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}, 60_000);

/** A room's shared listing, from the cluster (what both processes match against). */
async function listing(roomId: string): Promise<{ processId: string } | undefined> {
  const raw = await db.hget("roomcaches", roomId);
  return raw === null ? undefined : (JSON.parse(raw) as { processId: string });
}

async function slotOf(key: string): Promise<number> {
  return (await db.cluster("KEYSLOT", key)) as number;
}

describe("two processes on a three-master Redis Cluster", () => {
  it("runs every process's connections on the cluster: both are listed, and keys of different rooms land on different masters", async () => {
    expect((await db.cluster("INFO")) as string).toContain("cluster_known_nodes:6");
    const alive = await db.zrange("arena:alive", 0, -1);
    expect(alive).toEqual(expect.arrayContaining([a.processId, b.processId]));
    // The per-room hash tag spreads rooms over the cluster instead of piling them on one slot.
    const masters = new Set(await Promise.all(["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"].map((id) => cluster.masterOf(CUSTODY_KEYS.checkpoint(id)))));
    expect(masters.size).toBeGreaterThan(1);
    // A sign-in is counted in the cluster (rate-limiter-flexible's script), not in the process's memory.
    await signIn(a.url, "counted");
    const counters = (await Promise.all(db.nodes("master").map((n) => n.keys("arena:rl:signIn:*")))).flat();
    expect(counters.length).toBeGreaterThan(0);
  });

  it("joins a private room created through A by its code through B", async () => {
    const host = keep(await createPrivate(a.url, "host"));
    expect((await listing(host.roomId))?.processId).toBe(a.processId);
    const guest = keep(await joinByCode(b.url, "guest", { code: host.roomId }));
    expect(guest.roomId).toBe(host.roomId);
    await waitForState(host, (s) => s.players.has(guest.sessionId), 5000, "guest seen by host");
    await Promise.all([host.leave(), guest.leave()]);
  });

  it("fills the same room from quick play through either process (the open-room index on the cluster)", async () => {
    const first = keep(await quickPlay(a.url, "qa"));
    const second = keep(await quickPlay(b.url, "qb"));
    const third = keep(await quickPlay(b.url, "qc"));
    expect([second.roomId, third.roomId]).toEqual([first.roomId, first.roomId]);
    await Promise.all([first, second, third].map((r) => r.leave()));
  });

  it("sums credits from two writers exactly, once-only credits included, and pushes them to SSE on B", async () => {
    const log = createLogger("silent");
    const [w1, w2] = await Promise.all([RedisLeaderboard.connect(target, log), RedisLeaderboard.connect(target, log)]);
    const sse = await SseReader.open(`${b.url}/api/leaderboard/stream`);
    try {
      await sse.until(() => sse.events[0]?.event === "snapshot", "snapshot");
      const before = Number((await db.get(LB_KEYS.version)) ?? 0);
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) {
        writes.push(w1.credit([{ userId: "cl-u1", name: "one", points: 10 }]));
        writes.push(w2.credit([{ userId: "cl-u2", name: "two", points: 5 }, { userId: "cl-u1", name: "one", points: 1 }]));
      }
      // The same kill credited by two writers (a match replayed after a takeover) counts once.
      writes.push(w1.credit([{ userId: "cl-u3", name: "three", points: 100, once: "match-x|kill:cl-u3:1" }]));
      writes.push(w2.credit([{ userId: "cl-u3", name: "three", points: 100, once: "match-x|kill:cl-u3:1" }]));
      await Promise.all(writes);
      expect(Number(await db.zscore(LB_KEYS.allTime, "cl-u1"))).toBe(550);
      expect(Number(await db.zscore(LB_KEYS.allTime, "cl-u2"))).toBe(250);
      expect(Number(await db.zscore(LB_KEYS.allTime, "cl-u3"))).toBe(100);
      expect(Number(await db.get(LB_KEYS.version))).toBe(before + 102);
      await sse.until(() => sse.events.some((e) => e.event === "update" && e.data.includes("cl-u3")), "update on B", 5000);
      // Everything one MULTI or script names is in one slot: the writes above would have failed with CROSSSLOT.
      const slots = new Set(await Promise.all([LB_KEYS.allTime, LB_KEYS.daily("2026-01-01"), LB_KEYS.names, LB_KEYS.version, LB_KEYS.credited("m")].map(slotOf)));
      expect(slots.size).toBe(1);
    } finally {
      sse.close();
      await Promise.all([w1.close(), w2.close()]);
    }
  });

  it("delivers an invite from A's lobby to B's lobby, and B joins A's room through it", async () => {
    const host = await Person.signIn(a.url, "c-host");
    const friend = await Person.signIn(b.url, "c-friend");
    people.push(host, friend);
    await host.lobby("create");
    await friend.lobby("create");
    const room = await host.play();
    expect((await host.invite(friend, room.roomId)).status).toBe(201);
    await friend.until(() => friend.notes.some((n) => n.kind === "invite"), "the invite");
    const note = friend.notes.find((n): n is InviteNote & { id: number; at: number } => n.kind === "invite")!;
    const accepted = await friend.answer(note.inviteId, true);
    expect(accepted).toEqual({ status: 200, body: { roomId: room.roomId } });
    expect((await friend.play(accepted.body.roomId)).roomId).toBe(room.roomId);
    await host.until(() => host.notes.some((n) => n.kind === "invite_answer" && n.accepted), "the acceptance");
  });

  it("keeps an editor map in the cluster: edited through A past a snapshot, served by B from snapshot + op stream", async () => {
    const mapId = newMapId();
    const ann = await joinEditor(a.url, "ann", { mapId, create: true });
    ann.doc.edit({ t: "addWall", id: "w-1", x: 100, y: 100, w: 40, h: 40 });
    await ann.settled();
    const behind = await joinEditor(a.url, "cy", { mapId, code: ann.hello.codes!.edit });
    await behind.leave();
    // Past one snapshot period (the snapshot script names three keys), from three editors within their op budgets.
    const more = await Promise.all(["ben", "dee"].map((n) => joinEditor(a.url, n, { mapId, code: ann.hello.codes!.edit })));
    const editors = [ann, ...more];
    for (const [i, ed] of editors.entries()) for (let k = 0; k < EDITOR_OP_BURST - 10; k++) ed.doc.edit({ t: "set", id: "w-1", x: 100 + i * 50 + k });
    await Promise.all(editors.map((ed) => ed.settled(20_000)));
    const total = 1 + editors.length * (EDITOR_OP_BURST - 10);
    for (const ed of editors) while (ed.doc.v < total) await waitForMessage(ed.room, EditorMessage.Op, 10_000);
    expect(ann.doc.v).toBeGreaterThan(EDITOR_REDIS_SNAPSHOT_EVERY);
    await Promise.all(more.map((ed) => ed.leave()));
    const doc = ann.doc.doc;
    const v = ann.doc.v;
    const code = ann.hello.codes!.edit;
    const editorRoom = ann.room.roomId;
    await ann.leave();
    await expect.poll(() => listing(editorRoom), { timeout: 10_000 }).toBeUndefined();
    expect(await db.xlen(editorOpsKey(mapId))).toBeGreaterThan(0);
    const ben = await joinEditor(b.url, "ben", { mapId, code });
    expect((await listing(ben.room.roomId))?.processId).toBe(b.processId);
    expect(ben.doc.v).toBe(v);
    expect(ben.doc.doc).toEqual(doc);
    // A client 150 ops behind (within the replay window) catches up by the ops B read from the stream.
    await behind.rejoin(b.url);
    expect(behind.hello.catchUp.kind).toBe("ops");
    if (behind.hello.catchUp.kind === "ops") expect(behind.hello.catchUp.ops).toHaveLength(v - 1);
    expect(behind.doc.doc).toEqual(doc);
    await Promise.all([ben.leave(), behind.leave()]);
    // The snapshot script and the load transaction name these together: one slot, or CROSSSLOT above.
    expect(new Set(await Promise.all([editorMapKey(mapId), editorOpsKey(mapId), editorPublishedKey(mapId)].map(slotOf))).size).toBe(1);
  }, 60_000);
});

describe("a master killed mid-match", () => {
  it("promotes its replica and the match goes on, kept by its process or taken over by the other: every player back in their seat, the clock kept", async () => {
    const players: { follower: MatchFollower<ArenaRoomClient>; moved: Promise<ArenaRoomClient>; sessionId: string; left: string[] }[] = [];
    let roomId = "";
    for (const name of ["fa", "fb"]) {
      const { client } = await signIn(a.url, name);
      const room = (roomId === "" ? await client.create(ROOM_ARENA, { name }) : await client.joinById(roomId, { name })) as ArenaRoomClient;
      room.onMessage("*", () => {});
      await waitForOwnPlayer(room);
      roomId = room.roomId;
      const left: string[] = [];
      let resolveMoved!: (r: ArenaRoomClient) => void;
      const moved = new Promise<ArenaRoomClient>((r) => (resolveMoved = r));
      const follower = followMatch(client, room, {
        endpoints: [b.url],
        onRoom: (r) => {
          r.onMessage("*", () => {});
          resolveMoved(r);
        },
        onLeave: (code, reason) => left.push(`${code} ${reason ?? ""}`),
      });
      players.push({ follower, moved, sessionId: room.sessionId, left });
    }
    const first = players[0]!.follower.room;
    await waitForState(first, (s) => s.tick > 60, 15_000, "match stepping");
    const tickAtKill = first.state.tick;
    // The master holding this match's lease and checkpoint: the worst one to lose for it.
    const victim = await cluster.masterOf(CUSTODY_KEYS.lease(roomId));
    const killedAt = Date.now();
    await cluster.kill(victim);
    const promoted = await cluster.waitForFailover(CUSTODY_KEYS.lease(roomId), victim);
    const failoverMs = Date.now() - killedAt;
    // One holder in the end: A, which took its lease back with its next checkpoint, or B, which claimed the match
    // when the lease ran out during the failover (from the last checkpoint the replica had, as after a crash).
    let holder: string | undefined;
    await expect.poll(async () => {
      const lease = await db.get(CUSTODY_KEYS.lease(roomId));
      const owner = lease?.slice(0, lease.lastIndexOf(":"));
      holder = owner !== undefined && (await listing(roomId))?.processId === owner ? owner : undefined;
      return holder;
    }, { timeout: 15_000 }).toBeDefined();
    expect([a.processId, b.processId]).toContain(holder);
    const takenOver = holder === b.processId;
    const now = takenOver ? await Promise.all(players.map((p) => p.moved)) : players.map((p) => p.follower.room);
    const backMs = Date.now() - killedAt;
    for (const [i, r] of now.entries()) {
      expect(r.roomId).toBe(roomId);
      expect(r.sessionId).toBe(players[i]!.sessionId);
      // Kept, a player may still have reconnected to A (A sends nothing while its lease is unconfirmed, and a silence moves the follower).
      if (takenOver) expect(players[i]!.follower.moves).toBe(1);
      await waitForOwnPlayer(r);
      const from = r.state.tick;
      await waitForState(r, (s) => s.tick > from + 30, 10_000, "the match stepping after the failover");
      // The same match, not a new one: at most what the failover took (plus a checkpoint period) was rolled back.
      expect(from).toBeGreaterThanOrEqual(tickAtKill - Math.ceil(((failoverMs + CHECKPOINT_INTERVAL_MS) / 1000) * TICK_RATE));
      expect(r.state.players.size).toBe(2);
      expect(players[i]!.left).toEqual([]);
    }
    // Kept: A never stood down. Taken over: A stood down (its write refused), and B restored it once.
    expect(a.lines.some((l) => l.includes(roomId) && l.includes("standing down"))).toBe(takenOver);
    expect(b.lines.filter((l) => l.includes(roomId) && l.includes('"msg":"match restored"')).length).toBe(takenOver ? 1 : 0);
    console.log(`master ${victim} killed; replica ${promoted} serves the slot after ${failoverMs} ms; match ${takenOver ? "taken over by B" : "kept by A"}, players stepping again ${backMs} ms after the kill`);
    for (const p of players) p.follower.stop();
    await Promise.all(now.map((r) => r.leave()));
  }, 120_000);
});
