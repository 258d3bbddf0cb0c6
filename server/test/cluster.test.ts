/**
 * Two game processes on one real redis-server: private codes, quick play,
 * the lobby and the online count across processes; the leaderboard under
 * concurrent writers from two processes and its live pushes; a SIGKILLed
 * process leaving the listings; a SIGTERMed process stopping cleanly.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { CloseCode } from "@colyseus/sdk";
import { ROOM_ARENA, ServerMessage, type LeaderboardSnapshot, type NoticeOut } from "@arena/shared";
import { LB_KEYS, RedisLeaderboard } from "../src/leaderboard/RedisLeaderboard.ts";
import { createLogger } from "../src/log.ts";
import { GHOST_TIMEOUT_S } from "../src/scale/ghostSweeper.ts";
import { LobbyWatcher, SseReader, createPrivate, joinByCode, quickPlay, signIn, waitForLeave, waitForMessage, waitForState, type ArenaRoomClient, REPO_ROOT, exited, spawnServer, startRedis, waitForLine, type RedisProcess, type GameServerProcess } from "@arena/testkit";

let redis: RedisProcess;
let a: GameServerProcess;
let b: GameServerProcess;
let db: Redis;
let lobby: LobbyWatcher;
const rooms: ArenaRoomClient[] = [];
const keep = (r: ArenaRoomClient): ArenaRoomClient => (rooms.push(r), r);
const extra: GameServerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([spawnServer({ REDIS_URL: redis.url }), spawnServer({ REDIS_URL: redis.url })]);
  db = new Redis(redis.url);
  lobby = await LobbyWatcher.open(a.url, "create");
}, 30_000);

afterAll(async () => {
  await Promise.all(rooms.filter((r) => r.connection.isOpen).map((r) => r.leave().catch(() => undefined)));
  await lobby?.room.leave().catch(() => undefined);
  await Promise.all([a, b, ...extra].filter(Boolean).map((p) => p.kill("SIGTERM")));
  db?.disconnect();
  await redis?.stop();
}, 30_000);

/** The shared listing of a room, straight from Redis (what every process matches against). */
async function listing(roomId: string): Promise<{ processId: string; locked: boolean } | undefined> {
  const raw = await db.hget("roomcaches", roomId);
  return raw === null ? undefined : (JSON.parse(raw) as { processId: string; locked: boolean });
}

describe("two processes on one Redis", () => {
  it("joins a private room created through A by its code through B", async () => {
    const host = keep(await createPrivate(a.url, "host"));
    expect((await listing(host.roomId))?.processId).toBe(a.processId);
    const guest = keep(await joinByCode(b.url, "guest", { code: host.roomId }));
    expect(guest.roomId).toBe(host.roomId);
    await waitForState(host, (s) => s.players.has(guest.sessionId), 3000, "guest seen by host");
  });

  it("fills the same room from quick play through either process", async () => {
    const first = keep(await quickPlay(a.url, "qa"));
    const second = keep(await quickPlay(b.url, "qb"));
    expect(second.roomId).toBe(first.roomId);
    const third = keep(await quickPlay(b.url, "qc"));
    expect(third.roomId).toBe(first.roomId);
  });

  it("lists a room on B in the lobby on A, and counts everyone online on both", async () => {
    const { client } = await signIn(b.url, "onB");
    const onB = keep((await client.create(ROOM_ARENA, { name: "onB" })) as ArenaRoomClient);
    await lobby.until(() => lobby.rooms.get(onB.roomId)?.processId === b.processId, "room on B listed on A");
    expect(lobby.rooms.get(onB.roomId)?.metadata).toMatchObject({ mode: "ffa", phase: "warmup" });
    // Every player this file holds connected (on either process) and the lobby client itself.
    const online = rooms.filter((r) => r.connection.isOpen).length + 1;
    await lobby.until(() => lobby.online.players === online && lobby.online.processes === 2, `online ${online} on 2 processes (now ${JSON.stringify(lobby.online)})`);
  });
});

describe("leaderboard across processes", () => {
  it("sums concurrent credits from two processes exactly", async () => {
    const run = (seed: number): Promise<Record<string, number>> => {
      const worker = spawn(process.execPath, ["--import", "tsx", "server/test/fixtures/creditWorker.ts", redis.url, "400", "10", String(seed)], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
      return waitForLine(worker, (l) => l.startsWith("{"), "credit worker", 20_000).then((l) => (JSON.parse(l) as { totals: Record<string, number> }).totals);
    };
    const before = Number(await db.get(LB_KEYS.version) ?? 0);
    const [t1, t2] = await Promise.all([run(7), run(13)]);
    const all = await db.zrevrange(LB_KEYS.allTime, 0, -1, "WITHSCORES");
    const got = new Map<string, number>();
    for (let i = 0; i < all.length; i += 2) got.set(all[i]!, Number(all[i + 1]));
    for (const user of new Set([...Object.keys(t1), ...Object.keys(t2)])) {
      expect(got.get(user), user).toBe((t1[user] ?? 0) + (t2[user] ?? 0));
    }
    expect(Number(await db.get(LB_KEYS.version))).toBe(before + 800);
  }, 30_000);

  it("delivers a write to SSE on B within 500 ms, and to the lobby, and a fresh snapshot on Last-Event-ID", async () => {
    const writer = await RedisLeaderboard.connect(redis.url, createLogger("silent"));
    const sse = await SseReader.open(`${b.url}/api/leaderboard/stream`);
    try {
      await sse.until(() => sse.events[0]?.event === "snapshot", "snapshot");
      const t0 = performance.now();
      await writer.credit([{ userId: "sse-user", name: "sse", points: 1000 }]);
      await sse.until(() => sse.events.some((e) => e.event === "update" && e.data.includes("sse-user")), "update", 2000);
      const elapsed = performance.now() - t0;
      expect(elapsed).toBeLessThan(500);
      await lobby.until(() => lobby.board?.allTime.some((e) => e.userId === "sse-user") === true, "lobby on A gets the board");

      const lastId = sse.events.at(-1)!.id!;
      sse.close();
      const again = await SseReader.open(`${b.url}/api/leaderboard/stream`, { "last-event-id": lastId });
      try {
        await again.until(() => again.events.length > 0, "snapshot after reconnect");
        expect(again.events[0]?.event).toBe("snapshot");
        const snap = JSON.parse(again.events[0]!.data) as LeaderboardSnapshot;
        expect(snap.version).toBeGreaterThanOrEqual(Number(lastId));
        expect(snap.allTime.find((e) => e.userId === "sse-user")).toMatchObject({ userId: "sse-user", name: "sse" });
      } finally {
        again.close();
      }
    } finally {
      sse.close();
      await writer.close();
    }
  });
});

describe("processes that die or stop", () => {
  it("lists no room on a SIGKILLed process within GHOST_TIMEOUT_S: its match is taken over elsewhere or removed, and the lobby says the same as the listing", async () => {
    const c = await spawnServer({ REDIS_URL: redis.url });
    extra.push(c);
    const { client } = await signIn(c.url, "doomed");
    const doomed = (await client.create(ROOM_ARENA, { name: "doomed" })) as ArenaRoomClient;
    doomed.reconnection.enabled = false;
    await lobby.until(() => lobby.rooms.get(doomed.roomId)?.processId === c.processId, "room on C listed");
    const t0 = performance.now();
    await c.kill("SIGKILL");
    await lobby.until(() => lobby.rooms.get(doomed.roomId)?.processId !== c.processId, "room no longer on C in the lobby", GHOST_TIMEOUT_S * 1000);
    const elapsed = performance.now() - t0;
    // C is forgotten once its sweep is over (its rooms announced or left to their taker): then lobby and listing agree.
    await lobby.until(() => lobby.online.processes === 2, "C no longer counted", GHOST_TIMEOUT_S * 1000);
    const listed = await listing(doomed.roomId);
    expect(listed?.processId).not.toBe(c.processId);
    expect(lobby.rooms.get(doomed.roomId)?.processId, listed === undefined ? "removed" : "taken over").toBe(listed?.processId);
    // Quick play still works and never routes to the dead process.
    const q = keep(await quickPlay(b.url, "after-kill"));
    expect((await listing(q.roomId))?.processId).not.toBe(c.processId);
    console.log(`ghost room ${listed === undefined ? "removed" : "taken over"} ${Math.round(elapsed)} ms after SIGKILL`);
  }, 30_000);

  it("on SIGTERM with other processes running hands its match over (closed 4010, no server_shutdown), is listed elsewhere, and exits 0", async () => {
    const d = await spawnServer({ REDIS_URL: redis.url });
    extra.push(d);
    const { client } = await signIn(d.url, "stay");
    const room = (await client.create(ROOM_ARENA, { name: "stay" })) as ArenaRoomClient;
    room.reconnection.enabled = false;
    await lobby.until(() => lobby.rooms.has(room.roomId), "room on D listed");
    const notices: NoticeOut[] = [];
    room.onMessage(ServerMessage.Notice, (n: NoticeOut) => notices.push(n));
    const left = waitForLeave(room, 10_000);
    d.proc.kill("SIGTERM");
    // Matches outlive their process (docs/OPERATIONS.md): server_shutdown is only for a process with nobody to take over.
    expect(await left).toBe(CloseCode.MAY_TRY_RECONNECT);
    expect(notices.map((n) => n.code)).not.toContain("server_shutdown");
    expect(await exited(d.proc), d.lines.slice(-25).join("\n")).toBe(0);
    await lobby.until(() => {
      const p = lobby.rooms.get(room.roomId)?.processId;
      return p !== undefined && p !== d.processId;
    }, "room listed on another process", 10_000);
    expect((await listing(room.roomId))?.processId).not.toBe(d.processId);
  }, 30_000);
});
