/**
 * A room's keeper on a real redis-server (rooms/arena/keeper.ts): what stops a room acting for its match and
 * what makes it act again. A checkpoint that cannot be taken does not stop the match (the lease is renewed
 * without it); a pause while Redis answers late ends with the first answer in time; after its process stopped
 * running, a room waits for Redis' answer to a later write, whether its last write went unanswered before the stop or
 * its timeout fired late after it; a hand-over's last checkpoint is the room as it is when asked, even with a write
 * already in flight. The rooms of a process checkpoint in one round, and a room that closes leaves it, its lease and
 * checkpoint deleted.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Redis } from "ioredis";
import type { Logger, LogFields } from "../src/log.ts";
import { CUSTODY_KEYS, LEASE_MS, LOCAL_LEASE_MS, MatchCustody } from "../src/scale/matchCustody.ts";
import { REDIS_COMMAND_TIMEOUT_MS } from "../src/scale/redisOptions.ts";
import { RoomKeeper } from "../src/rooms/arena/keeper.ts";
import { newCheckpointStats as newStats } from "../src/rooms/arena/checkpointStats.ts";
import { CheckpointError } from "../src/rooms/arena/checkpoint.ts";
import { CheckpointRound } from "../src/rooms/arena/checkpointRound.ts";
import { startRedis, type RedisProcess } from "../../testkit/src/redis.ts";
import { joinArena, serverRoom, startTestServer } from "@arena/testkit";

let redis: RedisProcess;
let db: Redis;
let custody: MatchCustody;
const keepers: RoomKeeper[] = [];

/** A logger that keeps its lines. */
function keptLog(): Logger & { lines: { level: string; msg: string; fields?: LogFields }[] } {
  const lines: { level: string; msg: string; fields?: LogFields }[] = [];
  const at = (level: string) => (msg: string, fields?: LogFields): void => void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  const log = { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => log };
  return log;
}

async function keep(roomId: string, checkpoint: () => Buffer, log: Logger, stats = newStats()): Promise<{ keeper: RoomKeeper; stoodDown: string[] }> {
  const stoodDown: string[] = [];
  const lease = await custody.open(roomId);
  // A round of its own, as the keeper's process would have (its figures in `stats`).
  const keeper = new RoomKeeper({ roomId, checkpoint, standDown: (reason) => void stoodDown.push(reason), tick: 0 }, custody, new CheckpointRound(custody, stats), lease, stats, log);
  keepers.push(keeper);
  keeper.start();
  return { keeper, stoodDown };
}

/** A keeper of plain checkpoints that has written its first one, and its figures. */
async function keepWritten(roomId: string): Promise<{ keeper: RoomKeeper; stats: ReturnType<typeof newStats> }> {
  const stats = newStats();
  const { keeper } = await keep(roomId, () => Buffer.from("x"), keptLog(), stats);
  await until(() => stats.count > 0, 5000, "a first checkpoint");
  return { keeper, stats };
}

/** Runs `meanwhile` while redis-server hangs (stopped, its sockets open), and lets it answer again however that ends. */
async function whileRedisHangs(meanwhile: () => Promise<void>): Promise<void> {
  redis.signal("SIGSTOP");
  try {
    await meanwhile();
  } finally {
    redis.signal("SIGCONT");
  }
}

/** Resolves once `check` holds, looked at every 20 ms; rejects after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  redis = await startRedis();
  db = new Redis(redis.url);
  custody = new MatchCustody(redis.url, () => "keeper-test", keptLog());
  await custody.ready();
}, 30_000);

afterAll(async () => {
  for (const k of keepers) k.stop();
  custody.close();
  db.disconnect();
  await redis.stop();
});

describe("a room whose checkpoint cannot be taken", () => {
  it("keeps its lease and plays on (live through two lease periods), says why once, and leaves the last good checkpoint for a taker", async () => {
    const log = keptLog();
    let fault: Error | undefined;
    const roomId = "keeper-fault";
    const { keeper, stoodDown } = await keep(roomId, () => {
      if (fault !== undefined) throw fault;
      return Buffer.from("good");
    }, log);
    await until(async () => (await db.get(CUSTODY_KEYS.checkpoint(roomId))) === "good", 5000, "a first checkpoint");
    for (const [i, error] of [new CheckpointError("checkpoint of 300000 bytes is over the 262144-byte cap"), new TypeError("a fault of ours in encoding")].entries()) {
      fault = error;
      // Two lease periods, looked at every 50 ms: a room whose lease went unrenewed would stop acting after LOCAL_LEASE_MS.
      for (const end = performance.now() + 2 * LEASE_MS; performance.now() < end;) {
        expect(keeper.live, `live ${Math.round(end - performance.now())} ms before the end (fault ${i})`).toBe(true);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await db.pttl(CUSTODY_KEYS.lease(roomId))).toBeGreaterThan(0);
      expect(await db.get(CUSTODY_KEYS.checkpoint(roomId))).toBe("good");
    }
    expect(stoodDown).toEqual([]);
    const errors = log.lines.filter((l) => l.level === "error").map((l) => String(l.fields?.error));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain("over the 262144-byte cap");
    expect(errors[1]).toContain("a fault of ours in encoding");
    // Once it can be taken again, checkpoints are written again.
    fault = undefined;
    await db.set(CUSTODY_KEYS.checkpoint(roomId), "stale");
    await until(async () => (await db.get(CUSTODY_KEYS.checkpoint(roomId))) === "good", 5000, "checkpoints written again");
  });
});

describe("a room paused while Redis answers late", () => {
  it("acts again with the first write answered in time, and counts the pause", async () => {
    const { keeper, stats } = await keepWritten("keeper-late");
    // Redis stops answering (its sockets stay open): the room stops acting once its last renewal is too old.
    await whileRedisHangs(() => until(() => !keeper.live, 5000, "the room to stop acting"));
    const resumedAt = performance.now();
    await until(() => keeper.live, 3000, "the room to act again");
    // Bounded by one write's answer (plus one checkpoint period), not by anything that can stay stuck.
    expect(performance.now() - resumedAt).toBeLessThan(1000);
    expect(stats.pauses).toBe(1);
  });
});

describe("a room whose process stopped running for longer than its local lease", () => {
  it("does not act on a write left unanswered before the pause: it waits for Redis to answer a later one", async () => {
    const { keeper, stats } = await keepWritten("keeper-woke");
    // Redis hangs: once a write times out the room acts as without Redis (as designed).
    await whileRedisHangs(async () => {
      await until(() => stats.failed > 0 && keeper.live, 5000, "a write to time out, and the room to act without Redis");
      // The process stops running (no step asks the keeper) for longer than the local lease; Redis is still silent.
      await new Promise((r) => setTimeout(r, LOCAL_LEASE_MS + 200));
      // Woken: the match may be another process's by now, and the old unanswered write says nothing of it.
      expect(keeper.live).toBe(false);
    });
    await until(() => keeper.live, 3000, "the room to act again once Redis answers");
  });
});

describe("a room whose process stopped running with a write in flight", () => {
  it("does not act on that write's timeout when it fires after waking: it waits for Redis to answer a later one", async () => {
    const { keeper, stats } = await keepWritten("keeper-woke-in-flight");
    await whileRedisHangs(async () => {
      const failed = stats.failed;
      // A write to the hanging Redis: sent now, or right after the answer already on its way to the one in flight.
      void keeper.commit();
      await new Promise((r) => setTimeout(r, 100));
      expect(keeper.live).toBe(true);
      // The process stops running (a busy loop: no timer, no socket read) past the local lease and past the
      // write's timeout, as under SIGSTOP. On waking the room steps first (it sees the pause), then the timeout fires.
      const wakeAt = performance.now() + Math.max(LOCAL_LEASE_MS, REDIS_COMMAND_TIMEOUT_MS) + 200;
      while (performance.now() < wakeAt);
      expect(keeper.live).toBe(false);
      await until(() => stats.failed > failed, 1000, "the overdue timeout to fire");
      // That timeout says nothing of Redis now (it fired late): the room still waits. Before, it acted at once.
      expect(keeper.live).toBe(false);
    });
    await until(() => keeper.live, 3000, "the room to act again once Redis answers");
  });
});

describe("a hand-over's last checkpoint", () => {
  it("is the room as it is when asked, even when another write is in flight; stopping right after does not lose it", async () => {
    let now = "before";
    const roomId = "keeper-last";
    const stats = newStats();
    const { keeper } = await keep(roomId, () => Buffer.from(now), keptLog(), stats);
    await until(() => stats.count > 0, 5000, "a first checkpoint");
    // Delay Redis so that a write is surely in flight when the hand-over asks for its own.
    redis.signal("SIGSTOP");
    const inFlight = keeper.commit();
    now = "at the hand-over";
    const last = keeper.commit();
    redis.signal("SIGCONT");
    expect(await last).toBe(true);
    keeper.stop();
    await inFlight;
    expect(await db.get(CUSTODY_KEYS.checkpoint(roomId))).toBe("at the hand-over");
  });
});

describe("the rooms of one process", () => {
  it("checkpoint in one round written as one pipeline; a room whose lease another took stands down, the others go on", async () => {
    const stats = newStats();
    const round = new CheckpointRound(custody, stats);
    const single = vi.spyOn(custody, "commit");
    const rooms = ["round-a", "round-b", "round-c"];
    const taken = new Map(rooms.map((r) => [r, 0]));
    const stoodDown = new Map<string, string[]>();
    for (const roomId of rooms) {
      const lease = await custody.open(roomId);
      const reasons: string[] = [];
      stoodDown.set(roomId, reasons);
      const keeper = new RoomKeeper({
        roomId,
        checkpoint: () => Buffer.from(`${roomId}:${taken.set(roomId, taken.get(roomId)! + 1).get(roomId)}`),
        standDown: (reason) => void reasons.push(reason),
        tick: 0,
      }, custody, round, lease, stats, keptLog());
      keepers.push(keeper);
      keeper.start();
    }
    try {
      // From now on every round has all three (a round with one room writes it as a command of its own).
      single.mockClear();
      const counted = stats.count;
      await until(() => stats.count >= counted + 6, 5000, "two rounds");
      // One timer for all three, and none of them wrote on its own (the earlier tests' keepers, each in a round of its own, do).
      expect(round.size).toBe(3);
      expect(single.mock.calls.filter(([lease]) => rooms.includes(lease.roomId))).toEqual([]);
      for (const roomId of rooms) expect(await db.get(CUSTODY_KEYS.checkpoint(roomId))).toBe(`${roomId}:${taken.get(roomId)}`);
      // Another process takes round-b over (the next fence, its own token).
      const fence = await db.incr(CUSTODY_KEYS.fence("round-b"));
      await db.set(CUSTODY_KEYS.lease("round-b"), `other-process:${fence}`, "PX", LEASE_MS);
      await until(() => stoodDown.get("round-b")!.length > 0, 3000, "round-b to stand down");
      expect(stoodDown.get("round-b")).toEqual(["a checkpoint write was refused: another process holds the match"]);
      expect(round.size).toBe(2);
      const before = { a: taken.get("round-a")!, c: taken.get("round-c")! };
      await until(() => taken.get("round-a")! > before.a + 1 && taken.get("round-c")! > before.c + 1, 3000, "the others' next rounds");
      expect(await db.get(CUSTODY_KEYS.lease("round-b"))).toBe(`other-process:${fence}`);
      expect(stoodDown.get("round-a")).toEqual([]);
      expect(stoodDown.get("round-c")).toEqual([]);
      expect(stats.refused).toBe(1);
    } finally {
      single.mockRestore();
    }
  });
});

describe("a room that closes", () => {
  it("leaves the process's round and takes its lease and checkpoint with it, even when its recording fails to finish", async () => {
    const server = await startTestServer({ REDIS_URL: redis.url });
    try {
      const { room } = await joinArena(server.url, "closer");
      const roomId = room.roomId;
      const held = serverRoom(room) as unknown as { recorder?: { finish(): Promise<void> }; settings: { keeping: { round: CheckpointRound } } };
      const round = held.settings.keeping.round;
      await until(async () => (await db.exists(CUSTODY_KEYS.checkpoint(roomId))) === 1, 5000, "the room's first checkpoint");
      expect(round.size).toBe(1);
      // The recording's last write fails as the room closes (a store gone, a disk full).
      expect(held.recorder, "replays are on, so the room has a recorder").toBeDefined();
      held.recorder!.finish = () => Promise.reject(new Error("the store refused the recording's end"));
      await room.leave();
      await until(() => round.size === 0, 5000, "the room to leave the round");
      expect(await db.exists(CUSTODY_KEYS.lease(roomId), CUSTODY_KEYS.checkpoint(roomId))).toBe(0);
      // Nothing writes them again: two rounds later they are still gone.
      await new Promise((r) => setTimeout(r, 600));
      expect(await db.exists(CUSTODY_KEYS.lease(roomId), CUSTODY_KEYS.checkpoint(roomId))).toBe(0);
    } finally {
      await server.close();
    }
  });
});
