/**
 * A real redis-server killed mid-match and started again on the same port,
 * under two game processes (A in this test process, B spawned): matches go
 * on (a kill ends a match, a room ends, a dropped player reconnects, a third
 * process stops cleanly), /health says degraded, joins are refused fast and
 * recover (also after joins were tried during the outage), lobby listings
 * and online counts come back, and the credits of the outage reach the
 * leaderboard.
 * Plus the two pieces on their own: the room-listing driver after a failed
 * read, and the leaderboard's queue of credits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { RedisDriver } from "@colyseus/redis-driver";
import { KILL_POINTS, ROOM_ARENA, ServerMessage, WIN_POINTS, type LeaderboardSnapshot, type NoticeOut } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { LB_KEYS, RedisLeaderboard } from "../src/leaderboard/RedisLeaderboard.ts";
import type { Logger, LogFields } from "../src/log.ts";
import { redisDriverInternals } from "../src/colyseusInternals.ts";
import { ResilientRedisDriver } from "../src/scale/ResilientRedisDriver.ts";
import { redisOptions } from "../src/scale/redisOptions.ts";
import {
  LobbyWatcher, RestartableRedis, createPrivate, dropSocket, exited, faceOff, firingRight, freePort, guestToken, joinArena, joinByCode, quickPlay, serverRoom,
  readMetrics, signIn, spawnServer, startTestServer, waitForLeave, waitForMessage, waitForState, type ArenaRoomClient, type GameServerProcess,
} from "@arena/testkit";

/** Polls `read` every 50 ms until `ok` holds of its result; returns the result and when it first held. */
async function pollUntil<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs: number): Promise<{ value: T; at: number }> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (ok(value)) return { value, at: performance.now() };
      last = value;
    } catch (e) {
      last = e;
    }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Health {
  status: string;
  dependencies?: { redis: { status: string; down: string[]; since?: string } };
  leaderboardCredits: { pending: number; retried: number; dropped: number };
}

async function health(url: string): Promise<Health> {
  const res = await fetch(`${url}/health`);
  expect(res.status).toBe(200);
  return (await res.json()) as Health;
}

/** One raw matchmaking request, timed: what a player's join gets. */
async function matchmake(url: string, token: string, method: string, body: object): Promise<{ status: number; body: { code?: number; error?: string }; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/matchmake/${method}/${ROOM_ARENA}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as { code?: number; error?: string }, ms: performance.now() - t0 };
}

const since = (t0: number, t: number): number => Math.round(t - t0);

/** One sample of a Prometheus metric of the process at `url` (throws if it is not served). */
async function metric(url: string, name: string): Promise<number> {
  return (await readMetrics(url)).sample(name);
}

describe("redis-server killed mid-match under two processes, then started again", () => {
  let redis: RestartableRedis;
  let a: RunningServer;
  let b: GameServerProcess;
  let c: GameServerProcess;
  const rooms: ArenaRoomClient[] = [];
  const lobbies: LobbyWatcher[] = [];
  const timeline: string[] = [];

  beforeAll(async () => {
    redis = await RestartableRedis.start();
    const portA = await freePort();
    [a, b] = await Promise.all([
      startTestServer({ PORT: String(portA), PUBLIC_ADDRESS: `127.0.0.1:${portA}`, REDIS_URL: redis.url }, { match: { warmupSeconds: 0.2, killLimit: 1, resultsSeconds: 1 } }),
      spawnServer({ REDIS_URL: redis.url }),
    ]);
    c = await spawnServer({ REDIS_URL: redis.url });
  }, 30_000);

  afterAll(async () => {
    if (timeline.length > 0) console.log(timeline.join("\n"));
    await Promise.all(rooms.filter((r) => r.connection.isOpen).map((r) => r.leave().catch(() => undefined)));
    await Promise.all(lobbies.map((l) => l.room.leave().catch(() => undefined)));
    await Promise.all([b?.kill("SIGTERM"), c?.kill("SIGTERM")]);
    await a?.close();
    await redis?.kill();
  }, 30_000);

  it("keeps matches stepping, says degraded, refuses joins within 1 s, then recovers joins, lobby and the credits made meanwhile", async () => {
    const { room: killer } = await joinArena(a.url, "killer");
    const { room: victim } = await joinArena(a.url, "victim");
    rooms.push(killer, victim);
    const { client: onB } = await signIn(b.url, "onB");
    const roomOnB = (await onB.create(ROOM_ARENA, { name: "onB" })) as ArenaRoomClient;
    rooms.push(roomOnB);
    const host = await createPrivate(b.url, "host");
    rooms.push(host);
    const { client: briefly } = await signIn(b.url, "brief");
    const brief = (await briefly.create(ROOM_ARENA, { name: "brief" })) as ArenaRoomClient;
    rooms.push(brief);
    const { client: onC } = await signIn(c.url, "onC");
    const roomOnC = (await onC.create(ROOM_ARENA, { name: "onC" })) as ArenaRoomClient;
    roomOnC.reconnection.enabled = false;
    const lobby = await LobbyWatcher.open(b.url, "create");
    lobbies.push(lobby);
    // killer, victim, onB, host, brief, onC and the lobby client, on three processes.
    await lobby.until(() => lobby.online.players === 7 && lobby.online.processes === 3, "7 online on 3 processes before the outage");
    await lobby.until(() => lobby.rooms.has(killer.roomId) && lobby.rooms.has(roomOnB.roomId) && lobby.rooms.has(brief.roomId), "public rooms listed");
    await waitForState(killer, (s) => s.phase === "playing", 5000, "match start");
    const tokens = { a: await guestToken(a.url, "late-a"), b: await guestToken(b.url, "late-b") };

    // Connections coming up one by one at start are not an outage.
    expect(b.lines.filter((l) => l.includes("redis unreachable"))).toEqual([]);

    // --- Redis goes away.
    const t0 = performance.now();
    await redis.kill();
    const degradedA = await pollUntil(() => health(a.url), (h) => h.status === "degraded", "A degraded", 5000);
    const degradedB = await pollUntil(() => health(b.url), (h) => h.status === "degraded", "B degraded", 5000);
    expect(degradedA.value.dependencies?.redis).toMatchObject({ status: "down", down: expect.arrayContaining(["presence"]) });
    expect(degradedB.value.dependencies?.redis.since).toEqual(expect.any(String));

    // Matches go on: a second of steps on both processes; on A a kill that ends the match (the room locks
    // for the results, then unlocks for the next match); on B a room whose last player leaves is disposed.
    const tickA = killer.state.tick;
    const tickB = roomOnB.state.tick;
    await waitForState(killer, (s) => s.tick >= tickA + 30, 3000, "room on A stepping");
    await waitForState(roomOnB, (s) => s.tick >= tickB + 30, 3000, "room on B stepping");
    await firingRight(killer, () => {
      faceOff(serverRoom(killer).state, killer.sessionId, victim.sessionId);
      return waitForState(killer, (s) => s.players.get(killer.sessionId)!.kills >= 1, 8000, "a kill during the outage");
    });
    await waitForState(killer, (s) => s.phase === "results", 3000, "results after the kill limit");
    await waitForState(killer, (s) => s.phase !== "results", 3000, "next match after the results");
    await brief.leave();
    // A player whose connection drops meanwhile gets its seat back (the SDK reconnects to the process, not through Redis).
    victim.reconnection.minUptime = 0;
    const reconnected = new Promise<void>((resolve) => victim.onReconnect(() => resolve()));
    dropSocket(victim);
    await reconnected;
    await waitForState(killer, (s) => s.players.get(victim.sessionId)?.connected === true, 5000, "victim connected again");
    // A process stopped during the outage (a deploy, PM2) still shuts down cleanly: players told, exit 0.
    const noticeC = waitForMessage<NoticeOut>(roomOnC, ServerMessage.Notice, 10_000);
    const closedC = waitForLeave(roomOnC, 10_000);
    c.proc.kill("SIGTERM");
    expect((await noticeC).code).toBe("server_shutdown");
    expect(await closedC).toBe(4001);
    expect(await exited(c.proc)).toBe(0);
    const queued = await pollUntil(() => health(a.url), (h) => h.leaderboardCredits.pending >= 2, "kill and win credits queued on A", 3000);
    expect(queued.value.leaderboardCredits.dropped).toBe(0);
    expect(await metric(a.url, "arena_redis_up")).toBe(0);
    expect(await metric(a.url, "arena_leaderboard_credits_pending")).toBeGreaterThanOrEqual(2);

    // New joins are refused at once, with a clear error, on both processes, by every route.
    const refusals = await Promise.all([
      matchmake(a.url, tokens.a, "joinOrCreate", { name: "late-a", mode: "ffa" }),
      matchmake(b.url, tokens.b, "joinOrCreate", { name: "late-b", mode: "ffa" }),
      matchmake(b.url, tokens.b, "create", { name: "late-b" }),
      matchmake(a.url, tokens.a, "joinById", { name: "late-a" }),
    ]);
    for (const r of refusals) {
      expect(r.status).toBe(523);
      expect(r.body).toMatchObject({ code: 523, error: expect.stringMatching(/Redis unreachable/) });
      expect(r.ms).toBeLessThan(1000);
    }
    const sdkRefusal = await signIn(a.url, "late-sdk").then(({ client }) => client.joinOrCreate(ROOM_ARENA, { name: "late-sdk" })).then(() => undefined, (e: unknown) => e as { code: number; message: string });
    expect(sdkRefusal).toMatchObject({ code: 523, message: expect.stringMatching(/try again/) });
    const joinCode = await joinByCode(a.url, "late-code", { code: host.roomId }).then(() => undefined, (e: unknown) => e as Error);
    expect(joinCode).toBeInstanceOf(Error);
    // The board cannot be read while Redis is down: 503 with Retry-After, not a 500 or a hang.
    const boardDown = await fetch(`${a.url}/api/leaderboard`);
    expect(boardDown.status).toBe(503);
    expect(boardDown.headers.get("retry-after")).toBe("2");
    expect(await boardDown.json()).toMatchObject({ error: "unavailable", message: expect.stringMatching(/try again/) });
    const refusedAt = performance.now();

    // --- Redis is back, empty (no persistence), on the same port.
    const t1 = performance.now();
    await redis.restart();
    const okA = await pollUntil(() => health(a.url), (h) => h.status === "ok", "A ok again", 5000);
    const okB = await pollUntil(() => health(b.url), (h) => h.status === "ok", "B ok again", 5000);

    // The kill made during the outage reaches the board (once), and the lobby on B is pushed it.
    const written = await pollUntil(() => health(a.url), (h) => h.leaderboardCredits.pending === 0 && h.leaderboardCredits.retried >= 1, "queued credit written", 5000);
    expect(await metric(a.url, "arena_redis_up")).toBe(1);
    expect(await metric(a.url, "arena_redis_outages_total")).toBe(1);
    expect(await metric(a.url, "arena_leaderboard_credits_retried_total")).toBeGreaterThanOrEqual(2);
    expect(await metric(a.url, "arena_leaderboard_credits_dropped_total")).toBe(0);
    const board = (await (await fetch(`${a.url}/api/leaderboard`)).json()) as LeaderboardSnapshot;
    expect(board.allTime.find((e) => e.name === "killer")?.score).toBe(KILL_POINTS + WIN_POINTS);
    await lobby.until(() => lobby.board?.allTime.some((e) => e.score === KILL_POINTS + WIN_POINTS) === true, "board pushed to the lobby on B", 5000);
    // The lobby on B hears of the room that ended during the outage.
    await lobby.until(() => !lobby.rooms.has(brief.roomId), "room disposed during the outage leaves the lobby", 5000);

    // Joins work again through both processes, though joins failed during the outage: quick play on B fills an open
    // room (A's match or B's, whichever the listing ranks first), not a new one beside them.
    const firstJoin = await pollUntil(() => quickPlay(b.url, "after-b"), () => true, "quick play through B", 5000);
    rooms.push(firstJoin.value);
    expect([killer.roomId, roomOnB.roomId]).toContain(firstJoin.value.roomId);
    const afterA = await quickPlay(a.url, "after-a");
    rooms.push(afterA);
    const byCode = await joinByCode(a.url, "after-code", { code: host.roomId });
    rooms.push(byCode);
    expect(byCode.roomId).toBe(host.roomId);

    // Listings and online counts are back: a new lobby on A lists the rooms of both processes.
    const fresh = await LobbyWatcher.open(a.url, "create");
    lobbies.push(fresh);
    await fresh.until(() => fresh.rooms.has(killer.roomId) && fresh.rooms.has(roomOnB.roomId), "rooms of A and B listed in a new lobby");
    expect(fresh.rooms.has(brief.roomId)).toBe(false);
    // 7 before, minus brief and onC, plus after-b, after-a, after-code and the new lobby client.
    await lobby.until(() => lobby.online.players === 9 && lobby.online.processes === 2, `9 online on the 2 remaining processes (now ${JSON.stringify(lobby.online)})`);
    const db = new Redis(redis.url);
    try {
      expect(await db.hexists("arena:codes", host.roomId)).toBe(1);
    } finally {
      db.disconnect();
    }
    expect(b.proc.exitCode).toBeNull();
    const line = (msg: string): string | undefined => b.lines.find((l) => l.includes(`"msg":"${msg}"`));
    expect(b.lines.filter((l) => l.includes("redis unreachable"))).toHaveLength(1);
    expect(line("redis reachable again")).toBeDefined();
    expect(line("restored state in redis after outage")).toBeDefined();

    timeline.push(
      "redis outage timeline (ms after SIGKILL / after restart):",
      `  /health degraded: A ${since(t0, degradedA.at)}, B ${since(t0, degradedB.at)}`,
      `  joins refused in ${refusals.map((r) => Math.round(r.ms)).join(", ")} ms (done ${since(t0, refusedAt)} ms into the outage)`,
      `  restart → /health ok: A ${since(t1, okA.at)}, B ${since(t1, okB.at)}`,
      `  restart → outage credit written: ${since(t1, written.at)}`,
      `  restart → first quick play seated: ${since(t1, firstJoin.at)}`,
    );
  }, 60_000);

  it("says degraded while Redis hangs with its connections open, refuses joins, and is ok again when it answers", async () => {
    await redis.ensureRunning();
    await pollUntil(() => health(a.url), (h) => h.status === "ok", "A ok before", 5000);
    const token = await guestToken(a.url, "hung");
    const t0 = performance.now();
    redis.signal("SIGSTOP");
    try {
      const degraded = await pollUntil(() => health(a.url), (h) => h.status === "degraded", "A degraded while Redis hangs", 5000);
      expect(degraded.value.dependencies?.redis.down).toContain("presence (not answering)");
      const refused = await matchmake(a.url, token, "joinOrCreate", { name: "hung", mode: "ffa" });
      expect(refused).toMatchObject({ status: 523, body: { code: 523 } });
      expect(refused.ms).toBeLessThan(1000);
      timeline.push(`  Redis hung (SIGSTOP) → /health degraded: ${since(t0, degraded.at)}; join refused in ${Math.round(refused.ms)}`);
    } finally {
      redis.signal("SIGCONT");
    }
    const t1 = performance.now();
    const ok = await pollUntil(() => health(a.url), (h) => h.status === "ok", "A ok after SIGCONT", 5000);
    const room = await pollUntil(() => quickPlay(a.url, "unhung"), () => true, "quick play after SIGCONT", 5000);
    rooms.push(room.value);
    timeline.push(`  SIGCONT → /health ok: ${since(t1, ok.at)}, quick play seated: ${since(t1, room.at)}`);
  }, 30_000);
});

/** A logger that keeps its lines, to check what an operator would read. */
function recordingLogger(): Logger & { lines: { level: string; msg: string; fields?: LogFields }[] } {
  const lines: { level: string; msg: string; fields?: LogFields }[] = [];
  const log = (level: string) => (msg: string, fields?: LogFields): void => {
    lines.push({ level, msg, fields });
  };
  const logger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error"), child: () => logger, lines };
  return logger;
}

describe("the pieces on their own, against a real redis-server", () => {
  let redis: RestartableRedis;
  beforeAll(async () => {
    redis = await RestartableRedis.start();
  });
  afterAll(async () => {
    await redis?.kill();
  });

  it("RedisDriver keeps failing once a read failed, ResilientRedisDriver reads again when Redis is back", async () => {
    await redis.ensureRunning();
    const plain = new RedisDriver(redisOptions(redis.url));
    redisDriverInternals(plain).onConnectionError(() => undefined);
    const resilient = new ResilientRedisDriver(redisOptions(redis.url), () => true, recordingLogger(), () => undefined);
    const room = { roomId: "r1", name: ROOM_ARENA, processId: "p", clients: 0, maxClients: 8, locked: false, private: false, unlisted: false, createdAt: new Date(), publicAddress: "", metadata: {} };
    try {
      await resilient.persist(room as never);
      expect((await plain.query({ name: ROOM_ARENA })).map((r) => r.roomId)).toEqual(["r1"]);
      await redis.kill();
      await expect(plain.query({ name: ROOM_ARENA })).rejects.toThrow();
      await expect(resilient.query({ name: ROOM_ARENA })).rejects.toMatchObject({ code: 523 });
      await redis.restart();
      await resilient.persist(room as never).catch(() => undefined);
      const back = await pollUntil(() => resilient.query({ name: ROOM_ARENA }), (rooms) => rooms.length === 1, "resilient driver reading again", 5000);
      expect(back.value[0]?.roomId).toBe("r1");
      // The plain driver's connection is back too (the resilient one just used it), yet it answers from its cached failure.
      await expect(plain.has("r1")).resolves.toBe(true);
      await expect(plain.query({ name: ROOM_ARENA })).rejects.toThrow(/max retries|timed out|Connection/i);
    } finally {
      await Promise.allSettled([plain.shutdown(), resilient.shutdown()]);
    }
  }, 20_000);

  it("RedisLeaderboard queues credits while Redis is down, writes each once when it is back, and counts and logs a drop at close", async () => {
    await redis.ensureRunning();
    const log = recordingLogger();
    const lb = await RedisLeaderboard.connect(redis.url, log);
    const db = new Redis(redis.url, { lazyConnect: true });
    try {
      await redis.kill();
      await pollUntil(async () => lb.connection.status, (s) => s !== "ready", "leaderboard connection down", 3000);
      const writes = [1, 2, 3].map((i) => lb.credit([{ userId: `u${i}`, name: `n${i}`, points: i }]));
      expect(lb.creditStats()).toEqual({ pending: 3, retried: 0, dropped: 0 });
      expect(log.lines.filter((l) => l.msg === "leaderboard credits queued until Redis is back")).toHaveLength(1);
      await redis.restart();
      await Promise.all(writes);
      expect(lb.creditStats()).toEqual({ pending: 0, retried: 3, dropped: 0 });
      await db.connect();
      expect(await db.zrevrange(LB_KEYS.allTime, 0, -1, "WITHSCORES")).toEqual(["u3", "3", "u2", "2", "u1", "1"]);
      expect(await db.get(LB_KEYS.version)).toBe("3");
      expect(log.lines.some((l) => l.msg === "leaderboard credits written after outage")).toBe(true);

      await redis.kill();
      await pollUntil(async () => lb.connection.status, (s) => s !== "ready", "leaderboard connection down again", 3000);
      const lost = lb.credit([{ userId: "u9", name: "n9", points: 9 }]);
      await lb.close();
      await expect(lost).rejects.toThrow(/dropped/);
      expect(lb.creditStats()).toMatchObject({ pending: 0, dropped: 1 });
      expect(log.lines.find((l) => l.msg === "leaderboard credits dropped")).toMatchObject({ level: "warn", fields: { reason: expect.stringMatching(/stopped/) } });
    } finally {
      db.disconnect();
      await lb.close();
    }
  }, 20_000);
});
