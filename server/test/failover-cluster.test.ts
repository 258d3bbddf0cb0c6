/**
 * Matches outlive their process: three server processes on one real Redis,
 * SDK players (and bots) in a match; the process holding it is SIGKILLed,
 * SIGSTOPped or SIGTERMed, and the players come back into the same match on
 * another process by themselves (client/src/net/followMatch.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { Client } from "@colyseus/sdk";
import { ClientMessage, ROOM_ARENA, ServerMessage, TICK_RATE, type ChatTailOut } from "@arena/shared";
import { signIn } from "@arena/testkit";
import { spawnServer, type GameServerProcess } from "../../testkit/src/processes.ts";
import { startRedis, type RedisProcess } from "../../testkit/src/redis.ts";
import { waitForOwnPlayer, type ArenaRoomClient } from "../../testkit/src/rooms.ts";
import { waitForLeave, waitForState } from "../../testkit/src/waits.ts";
import { waitForLine } from "../../testkit/src/processes.ts";
import { followMatch, type MatchFollower } from "../../client/src/net/followMatch.ts";
import { CUSTODY_KEYS } from "../src/scale/matchCustody.ts";
import { decodeCheckpoint } from "../src/rooms/arena/checkpointCodec.ts";

let redis: RedisProcess;
let db: Redis;
const started: GameServerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  db = new Redis(redis.url);
}, 30_000);

afterAll(async () => {
  db.disconnect();
  await Promise.all(started.map((s) => s.kill("SIGKILL")));
  await redis.stop();
}, 30_000);

/** The processes' warm-up (MATCH_WARMUP_S): what is under test starts once the match plays. */
const WARMUP_S = 1;

/** Three processes with bots filling public rooms to 6. */
async function threeProcesses(): Promise<GameServerProcess[]> {
  // The previous test's processes are done with: they would only load the machine.
  await Promise.all(started.map((s) => s.kill("SIGKILL")));
  // One after another, with time to spare: on a loaded machine three at once can take most of a minute.
  const servers: GameServerProcess[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await spawnServer({ REDIS_URL: redis.url, BOT_FILL: "6", MATCH_WARMUP_S: String(WARMUP_S) }, { timeoutMs: 90_000 });
    started.push(s);
    servers.push(s);
  }
  return servers;
}

interface Player {
  name: string;
  client: Client;
  follower: MatchFollower<ArenaRoomClient>;
  moved: Promise<ArenaRoomClient>;
  left: string[];
  /** The chat tails each room this player moved to showed it (ServerMessage.ChatTail). */
  tails: ChatTailOut[];
}

/** `count` players in one public room created on `owner`, each followed across processes. */
async function playersInOneMatch(owner: GameServerProcess, others: readonly GameServerProcess[], count: number, tag: string, giveUpMs?: number): Promise<Player[]> {
  const players: Player[] = [];
  let roomId = "";
  for (let i = 0; i < count; i++) {
    const name = `${tag}${i}`;
    const { client } = await signIn(owner.url, name);
    const room = (i === 0 ? await client.create(ROOM_ARENA, { name }) : await client.joinById(roomId, { name })) as ArenaRoomClient;
    room.onMessage("*", () => {});
    await waitForOwnPlayer(room);
    roomId = room.roomId;
    const left: string[] = [];
    const tails: ChatTailOut[] = [];
    let resolveMoved!: (r: ArenaRoomClient) => void;
    const moved = new Promise<ArenaRoomClient>((r) => (resolveMoved = r));
    const follower = followMatch(client, room, {
      endpoints: others.map((s) => s.url),
      onRoom: (r) => {
        // In the task the reconnection resolved in: the tail is sent right after it, in a later one.
        r.onMessage(ServerMessage.ChatTail, (t: ChatTailOut) => void tails.push(t));
        r.onMessage("*", () => {});
        resolveMoved(r);
      },
      onLeave: (code, reason) => left.push(`${code} ${reason ?? ""}`),
      ...(giveUpMs !== undefined ? { giveUpMs } : {}),
    });
    players.push({ name, client, follower, moved, left, tails });
  }
  return players;
}

/**
 * Resolves when the followed match is playing, on whatever room the follower holds by then. What ends a
 * warm-up is the room's own step count (WARMUP_S of ticks after its second player), and a starved process
 * steps slower than the clock (Colyseus drops a backlog past 5 steps): so this fails on the room's time, not
 * the wall clock's. It fails if the room steps through a whole warm-up and more without starting the match,
 * or sends nothing for `silentMs` (it stopped).
 */
function waitForPlaying(follower: MatchFollower<ArenaRoomClient>, silentMs = 15_000): Promise<void> {
  const limitTicks = (WARMUP_S + 3) * TICK_RATE;
  return new Promise((resolve, reject) => {
    let bound: ArenaRoomClient | undefined;
    let firstTick: number | undefined;
    let heardAt = Date.now();
    const done = (error?: Error): void => {
      clearInterval(check);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onPatch = (): void => {
      const state = follower.room.state;
      heardAt = Date.now();
      if (state?.phase === "playing") return done();
      firstTick ??= state?.tick;
      if (firstTick !== undefined && state !== undefined && state.tick - firstTick > limitTicks) {
        done(new Error(`the match stepped ${state.tick - firstTick} ticks in ${state.phase} without starting (a warm-up is ${WARMUP_S * TICK_RATE})`));
      }
    };
    const check = setInterval(() => {
      if (follower.room !== bound) {
        bound = follower.room; // a new Room after a move: its patches from now on
        bound.onStateChange(onPatch);
      }
      if (Date.now() - heardAt > silentMs) done(new Error(`no patch for ${silentMs} ms while waiting for the match to start (phase ${follower.room.state?.phase}, tick ${follower.room.state?.tick})`));
    }, 20);
    onPatch();
  });
}

function lineOf(server: GameServerProcess, msg: string): Record<string, unknown> | undefined {
  const line = server.lines.find((l) => l.includes(`"msg":"${msg}"`));
  return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
}

describe("a match taken over after its process is SIGKILLed", () => {
  it("every player is back in the same room on another process, with the phase, scores and time left of the checkpoint, and bots playing", async () => {
    const [owner, ...rest] = await threeProcesses();
    const players = await playersInOneMatch(owner!, rest, 4, "K");
    const roomId = players[0]!.follower.room.roomId;
    await waitForPlaying(players[0]!.follower);
    const room0 = players[0]!.follower.room;
    // The last state every player saw before the kill.
    const before = room0.state;
    const tickBefore = before.tick;
    const endsAt = before.phaseEndsAt;
    const score = new Map<string, { kills: number; deaths: number }>();
    before.players.forEach((p, id) => score.set(id, { kills: p.kills, deaths: p.deaths }));
    // A chat line, in a checkpoint before the kill (the room writes its header again when its tail changes).
    const line = "gg, see you on the other side";
    room0.send(ClientMessage.Chat, { text: line });
    await expect.poll(async () => {
      const bytes = await db.getBuffer(CUSTODY_KEYS.checkpoint(roomId));
      return bytes === null ? [] : (decodeCheckpoint(bytes, roomId).chat ?? []).map((l) => l.text);
    }, { timeout: 5000, interval: 50 }).toContain(line);
    const killedAt = Date.now();
    await owner!.kill("SIGKILL");

    const rooms = await Promise.race([Promise.all(players.map((p) => p.moved)), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(
      `not every player moved within 60 s: left ${JSON.stringify(players.map((p) => p.left))}; ${rest.map((s) => s.lines.filter((l) => /claimed|restored|refused|failed|error/.test(l)).join("\n")).join("\n")}`,
    )), 60_000))]);
    const gapMs = Date.now() - killedAt;
    for (const [i, r] of rooms.entries()) {
      expect(r.roomId).toBe(roomId);
      expect(r.sessionId).toBe(players[i]!.follower.room.sessionId);
      await waitForOwnPlayer(r);
      expect(players[i]!.left).toEqual([]);
    }
    const after = rooms[0]!;
    await waitForState(after, (s) => s.tick > tickBefore + 30, 5000, "the match stepping again");
    // Same match: same end tick, the time left counted on from the checkpoint (<= 250 ms + one write before the kill).
    expect(after.state.phase).toBe("playing");
    expect(after.state.phaseEndsAt).toBe(endsAt);
    // Scores: nothing after the checkpoint is kept, nothing before it is lost.
    for (const [id, s] of score) {
      const now = after.state.players.get(id);
      if (now === undefined) continue; // a bot that gave way
      expect(now.kills).toBeGreaterThanOrEqual(s.kills - 1);
      expect(now.deaths).toBeGreaterThanOrEqual(s.deaths - 1);
    }
    // The chat line said before the kill: each player back in the match is shown it again.
    for (const p of players) {
      await expect.poll(() => p.tails.at(-1)?.lines.map((l) => `${l.name}: ${l.text}`) ?? [], { timeout: 5000 }).toContain(`${players[0]!.name}: ${line}`);
    }
    // Bots are back and moving.
    const bots = [...after.state.players.values()].filter((p) => p.bot);
    expect(bots.length).toBe(2);
    // Taken over by one of the two survivors, exactly once.
    const takers = rest.filter((s) => lineOf(s, "match restored") !== undefined);
    expect(takers.length).toBe(1);
    expect(Number(lineOf(takers[0]!, "match restored")!.checkpointAgeMs)).toBeLessThan(2500);
    expect(gapMs).toBeLessThan(8000);
    for (const p of players) p.follower.stop();
    await Promise.all(rooms.map((r) => r.leave()));
  }, 180_000);
});

/** The next room each player's follower moves to. */
function nextMoves(players: readonly Player[]): Promise<ArenaRoomClient[]> {
  return Promise.all(players.map((p) => new Promise<ArenaRoomClient>((resolve) => {
    const from = p.follower.room;
    const check = setInterval(() => {
      if (p.follower.room !== from) {
        clearInterval(check);
        resolve(p.follower.room);
      }
    }, 20);
  })));
}

async function holderOf(roomId: string, servers: readonly GameServerProcess[]): Promise<GameServerProcess | undefined> {
  const lease = await db.get(CUSTODY_KEYS.lease(roomId));
  const processId = lease?.split(":")[0];
  return servers.find((s) => s.processId === processId);
}

describe("a paused process (SIGSTOP) whose match was taken over", () => {
  it("stands down when it wakes (SIGCONT): it steps and sends nothing more and its checkpoint write is refused, while the players play on elsewhere", async () => {
    const [owner, ...rest] = await threeProcesses();
    const players = await playersInOneMatch(owner!, rest, 2, "S");
    const roomId = players[0]!.follower.room.roomId;
    // A client that does not follow the match: it stays connected to the paused process.
    const { client: stayer } = await signIn(owner!.url, "Stayer");
    const stuck = (await stayer.joinById(roomId, { name: "Stayer" })) as ArenaRoomClient;
    stuck.onMessage("*", () => {});
    await waitForOwnPlayer(stuck);
    stuck.reconnection.enabled = false;
    await waitForPlaying(players[0]!.follower);
    // Still where it was created (a process starved for over a lease would have lost it: then this test proves nothing).
    expect((await holderOf(roomId, [owner!, ...rest]))?.processId).toBe(owner!.processId);
    const moved = nextMoves(players);
    owner!.proc.kill("SIGSTOP");
    const rooms = await moved;
    for (const r of rooms) expect(r.roomId).toBe(roomId);
    const newHolder = await holderOf(roomId, rest);
    expect(newHolder).toBeDefined();
    const checkpointBefore = decodeCheckpoint((await db.getBuffer(CUSTODY_KEYS.checkpoint(roomId)))!, roomId);
    let patchesAfterWaking = 0;
    // What a failure shows: the ticks the stuck client had and got, and the paused process' last log lines.
    const tickAsleep = stuck.state.tick;
    const ticksAfterWaking: number[] = [];
    stuck.onStateChange((s) => {
      patchesAfterWaking++;
      ticksAfterWaking.push(s.tick);
    });
    const closed = waitForLeave(stuck, 10_000);
    const stoodDown = waitForLine(owner!.proc, (l) => l.includes('"msg":"standing down: another process holds the match"'), "stand-down line", 10_000);
    owner!.proc.kill("SIGCONT");
    const line = JSON.parse(await stoodDown) as { reason: string };
    expect(line.reason).toMatch(/refused/);
    expect(await closed).toBe(4010);
    // Nothing the room stepped after waking reaches anyone. A frame being written when the process stopped (the
    // patch of that moment, mid-broadcast or held in the socket until the turn ends: socketCork.ts) goes out as it
    // resumes: at most that one, of a tick the room had stepped before the pause (it logs its tick on waking, before
    // it may step; seen in CI and beside CPU burners: ticks 29 before the pause, 32 after, the room woke at 32 and
    // its first broadcast after waking sent nothing).
    const said = `ticks ${tickAsleep} before waking, ${ticksAfterWaking.join(", ")} after; the woken process logged:\n${owner!.lines.slice(-30).join("\n")}`;
    const woke = owner!.lines.filter((l) => l.includes('"msg":"woke from a pause') && l.includes(`"room":"${roomId}"`))
      .map((l) => JSON.parse(l) as { tick?: number })[0];
    expect(woke?.tick, said).toBeGreaterThanOrEqual(tickAsleep);
    expect(patchesAfterWaking, said).toBeLessThanOrEqual(1);
    for (const tick of ticksAfterWaking) expect(tick, said).toBeLessThanOrEqual(woke!.tick!);
    // The new holder's checkpoints go on; the old one's is nowhere.
    await waitForState(rooms[0]!, (s) => s.tick > checkpointBefore.state.tick + 30, 5000, "the match stepping on the new holder");
    const checkpointAfter = decodeCheckpoint((await db.getBuffer(CUSTODY_KEYS.checkpoint(roomId)))!, roomId);
    expect(checkpointAfter.state.tick).toBeGreaterThan(checkpointBefore.state.tick);
    expect((await holderOf(roomId, rest))?.processId).toBe(newHolder!.processId);
    expect(owner!.lines.some((l) => l.includes('"msg":"handed the match over"') || l.includes('"msg":"leaderboard credit failed"'))).toBe(false);
    for (const p of players) {
      expect(p.left).toEqual([]);
      p.follower.stop();
    }
    await Promise.all(rooms.map((r) => r.leave()));
  }, 180_000);
});

describe("a rolling restart (SIGTERM, one process after another)", () => {
  it("hands the match on each time: the players follow it with a short stall and it never ends", async () => {
    const servers = await threeProcesses();
    const [first] = servers;
    const players = await playersInOneMatch(first!, servers.slice(1), 2, "R");
    const roomId = players[0]!.follower.room.roomId;
    await waitForPlaying(players[0]!.follower);
    const stalls: number[] = [];
    let holder: GameServerProcess | undefined = first;
    for (let round = 0; round < 2; round++) {
      const before = players[0]!.follower.room.state.tick;
      const moved = nextMoves(players);
      const stoppedAt = Date.now();
      const exit = holder!.kill("SIGTERM");
      const rooms = await Promise.race([moved, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(
        `not every player moved within 30 s: left ${JSON.stringify(players.map((p) => p.left))}; ${servers.map((s) => s.lines.filter((l) => /claimed|restored|refused|failed|error|handed|warn/.test(l)).join("\n")).join("\n")}`,
      )), 30_000))]);
      stalls.push(Date.now() - stoppedAt);
      for (const r of rooms) {
        expect(r.roomId).toBe(roomId);
        await waitForOwnPlayer(r);
      }
      await waitForState(rooms[0]!, (s) => s.tick > before, 5000, "the match going on");
      expect(rooms[0]!.state.phase).not.toBe("results");
      expect(await exit).toBe(0);
      expect(holder!.lines.some((l) => l.includes('"msg":"handed the match over"') && l.includes('"released":true'))).toBe(true);
      holder = await holderOf(roomId, servers);
      expect(holder).toBeDefined();
    }
    for (const p of players) expect(p.left).toEqual([]);
    for (const s of stalls) expect(s).toBeLessThan(3000);
    for (const p of players) p.follower.stop();
    await Promise.all(players.map((p) => p.follower.room.leave()));
  }, 240_000);

  it("ends matches with server_shutdown when no other process is there", async () => {
    const lone = await spawnServer({ REDIS_URL: redis.url }, { timeoutMs: 90_000 });
    started.push(lone);
    const { client } = await signIn(lone.url, "Lone");
    const room = (await client.create(ROOM_ARENA, { name: "Lone" })) as ArenaRoomClient;
    room.onMessage("*", () => {});
    await waitForOwnPlayer(room);
    // The other tests' processes are gone by now, or stopped: make sure none listens.
    await Promise.all(started.filter((s) => s !== lone).map((s) => s.kill("SIGKILL")));
    const left = waitForLeave(room, 10_000);
    await lone.kill("SIGTERM");
    expect(await left).toBe(4001);
    expect(await db.exists(CUSTODY_KEYS.checkpoint(room.roomId))).toBe(0);
  }, 180_000);
});

describe("a checkpoint that does not check out", () => {
  it("ends its match cleanly: the taker logs why, stays up, removes the match, and the players are told it is gone", async () => {
    const [owner, ...rest] = await threeProcesses();
    // The match is gone once refused: the followers may give up 2 s after they start looking (the default is 20 s).
    const players = await playersInOneMatch(owner!, rest, 2, "C", 2000);
    const roomId = players[0]!.follower.room.roomId;
    await waitForPlaying(players[0]!.follower);
    // The owner stops writing; what it wrote is then damaged in Redis.
    owner!.proc.kill("SIGSTOP");
    await db.set(CUSTODY_KEYS.checkpoint(roomId), '{"v":1,"roomId":', "PX", 60_000);
    // And an orphan nobody holds, over the size cap, due now.
    await db.set(CUSTODY_KEYS.checkpoint("orphan-big"), JSON.stringify({ v: 1, roomId: "orphan-big", pad: "x".repeat(300_000) }), "PX", 60_000);
    await db.zadd(CUSTODY_KEYS.deadlines, 0, "orphan-big");
    const refusals = await Promise.all([roomId, "orphan-big"].map((id) => Promise.any(rest.map((s) =>
      waitForLine(s.proc, (l) => l.includes('"msg":"refused a checkpoint, the match ends"') && l.includes(`"room":"${id}"`), `refusal of ${id}`, 20_000)))));
    expect(JSON.parse(refusals[0]!).reason).toMatch(/not JSON/);
    expect(JSON.parse(refusals[1]!).reason).toMatch(/over the 262144-byte cap/);
    // The players' followers find nothing and give up with a leave.
    await Promise.all(players.map((p) => new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (p.left.length > 0) {
          clearInterval(t);
          resolve();
        }
      }, 50);
    })));
    for (const p of players) expect(p.left[0]).toMatch(/^4003/);
    for (const id of [roomId, "orphan-big"]) {
      expect(await db.exists(CUSTODY_KEYS.checkpoint(id), CUSTODY_KEYS.lease(id))).toBe(0);
      expect(await db.zscore(CUSTODY_KEYS.deadlines, id)).toBeNull();
    }
    for (const s of rest) expect((await fetch(`${s.url}/health`)).status).toBe(200);
    await owner!.kill("SIGKILL");
  }, 180_000);
});
