/**
 * Bots in real rooms through the real SDK: a lone person plays at once, people
 * take bots' places, practice rooms, fair credit, online counts and reconnection.
 */
import { JoinClient } from "@arena/shared/sdk";
import { matchMaker } from "@colyseus/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  LobbyMessage, PLAYER_RADIUS, ROOM_ARENA, ROOM_LOBBY, TICK_RATE, WARMUP_S, type ArenaRoomMetadata, type ArenaState, type OnlineOut,
} from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import type { Credit } from "../src/leaderboard/Leaderboard.ts";
import {
  dropSocket, guestToken, holdInput, joinArena, serverRoom, spectate, startTestServer, waitForState, waitForStateWithinTicks, type ArenaRoomClient,
} from "@arena/testkit";

/**
 * A room with bots starts playing once its warm-up has run (WARMUP_S of its own steps after the bots sat down): the
 * bound is in the room's ticks, with one second to spare, so a starved test process does not fail it and a room that
 * never starts does.
 */
const PLAYING_WITHIN_TICKS = (WARMUP_S + 1) * TICK_RATE;

const FILL = 4;
let server: RunningServer;
/** Every room a test opened, left after it. */
const open: ArenaRoomClient[] = [];

const botsIn = (s: ArenaState): number => [...s.players.values()].filter((p) => p.bot).length;
const peopleIn = (s: ArenaState): number => [...s.players.values()].filter((p) => !p.bot).length;

/** Polls the server's own state (the client's stops while its socket is down). */
async function serverSide(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function join(name: string, options: Parameters<typeof joinArena>[2] = {}): Promise<ArenaRoomClient> {
  const { room } = await joinArena(server.url, name, options);
  open.push(room);
  return room;
}

async function create(name: string, options: Record<string, unknown>): Promise<ArenaRoomClient> {
  const client = new JoinClient(server.url);
  client.auth.token = await guestToken(server.url, name);
  const room = (await client.create(ROOM_ARENA, { name, ...options })) as ArenaRoomClient;
  room.onMessage("*", () => {});
  open.push(room);
  return room;
}

beforeAll(async () => {
  server = await startTestServer({ BOT_FILL: String(FILL) }, { reconnectGraceSeconds: 10 });
});
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((r) => (r.connection.isOpen ? r.leave() : undefined)));
  // The next test must start from an empty server, or quick play would put it in this test's room.
  const until = Date.now() + 5000;
  while ((await matchMaker.query({ name: ROOM_ARENA })).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => {
  await server.close();
});

describe("bots filling quick-play rooms", () => {
  it("a lone person's quick play reaches playing after one warm-up of the room's steps, with bots moving and firing", async () => {
    const room = await join("alone");
    await waitForState(room, (s) => s.players.size === FILL && botsIn(s) === FILL - 1, 2000, "topped up with bots");
    const start = new Map([...room.state.players].filter(([, p]) => p.bot).map(([id, p]) => [id, { x: p.x, y: p.y }]));
    await waitForStateWithinTicks(room, (s) => s.phase === "playing", PLAYING_WITHIN_TICKS, "playing");
    await waitForState(room, (s) => [...start].some(([id, at]) => {
      const p = s.players.get(id);
      return p !== undefined && Math.hypot(p.x - at.x, p.y - at.y) > 4 * PLAYER_RADIUS;
    }), 5000, "a bot walked away from its spawn");
    await waitForState(room, (s) => [...s.players.values()].some((p) => p.bot && p.shotTick > 0), 15000, "a bot fired");
  }, 40_000);

  it("a person who joins takes a bot's place at once, and bots come back when people leave", async () => {
    const first = await join("first");
    await waitForState(first, (s) => botsIn(s) === FILL - 1, 2000, "1 person + 3 bots");
    const second = await join("second");
    expect(second.roomId).toBe(first.roomId);
    await waitForState(first, (s) => s.players.size === FILL && botsIn(s) === FILL - 2 && peopleIn(s) === 2, 2000, "2 people + 2 bots");
    const meta = (await matchMaker.query({ roomId: first.roomId }))[0]?.metadata as ArenaRoomMetadata;
    expect([meta.players, meta.bots]).toEqual([2, 2]);

    await second.leave();
    await waitForState(first, (s) => s.players.size === FILL && botsIn(s) === FILL - 1, 2000, "back to 1 person + 3 bots");
  });

  it("quick play picks the public room with more people, not more bots or more clients", async () => {
    const a = await create("a", {});
    const client = new JoinClient(server.url);
    client.auth.token = await guestToken(server.url, "a2");
    const a2 = (await client.joinById(a.roomId, { name: "a2" })) as ArenaRoomClient;
    open.push(a2);
    const b = await create("b", {});
    // B: 1 person, 3 bots and 2 spectators (3 clients); A: 2 people and 2 bots (2 clients).
    open.push(await spectate(server.url, "w1", b.roomId), await spectate(server.url, "w2", b.roomId));
    await waitForState(a, (s) => peopleIn(s) === 2 && botsIn(s) === FILL - 2, 2000, "2 people + 2 bots");
    await waitForState(b, (s) => peopleIn(s) === 1 && botsIn(s) === FILL - 1, 2000, "1 person + 3 bots");
    const c = await join("c");
    expect(c.roomId).toBe(a.roomId);
  });
});

describe("practice rooms", () => {
  it("a practice room of 8 hard bots is private and starts playing without a second person", async () => {
    const room = await create("trainee", { bots: 8, difficulty: "hard" });
    await waitForState(room, (s) => s.players.size === 9 && botsIn(s) === 8, 2000, "8 bots");
    await waitForStateWithinTicks(room, (s) => s.phase === "playing", PLAYING_WITHIN_TICKS, "playing");
    const listed = (await matchMaker.query({ roomId: room.roomId }))[0];
    expect(listed?.private).toBe(true);
    expect((listed?.metadata as ArenaRoomMetadata).code).toBe(room.roomId);
    // A friend with the invite joins beside the bots: practice keeps its count while seats allow.
    const client = new JoinClient(server.url);
    client.auth.token = await guestToken(server.url, "friend");
    const friend = (await client.joinById(room.roomId, { name: "friend" })) as ArenaRoomClient;
    open.push(friend);
    await waitForState(room, (s) => s.players.size === 10 && botsIn(s) === 8, 2000, "friend joined, 8 bots still");
  });

  it.each([
    [{ bots: 0 }, "bots must be a whole number from 1 to 15"],
    [{ bots: 16 }, "bots must be a whole number from 1 to 15"],
    [{ bots: 2.5 }, "bots must be a whole number from 1 to 15"],
    [{ bots: "8" }, "bots must be a whole number from 1 to 15"],
    [{ bots: 3, difficulty: "insane" }, "difficulty must be one of easy, normal, hard"],
    [{ difficulty: "hard" }, "difficulty is only for a practice room"],
  ])("refuses %j with a clear error and opens no room", async (options, message) => {
    await expect(create("bad", options)).rejects.toThrow(message);
    expect(await matchMaker.query({ name: ROOM_ARENA })).toHaveLength(0);
  });
});

describe("fair credit", () => {
  it("bots' kills and kills of bots write nothing to the leaderboard", async () => {
    const credited: Credit[][] = [];
    const board = server.backend.leaderboard;
    const credit = board.credit.bind(board);
    board.credit = async (credits) => {
      credited.push([...credits]);
      return credit(credits);
    };
    try {
      const room = await create("hunter", { bots: 3, difficulty: "hard" });
      const sr = serverRoom(room);
      await waitForStateWithinTicks(room, (s) => s.phase === "playing", PLAYING_WITHIN_TICKS, "playing");
      // Kills show in the state until the victim's next death: note them on every patch.
      let killedABot = false;
      let killedByABot = false;
      room.onStateChange((s) => {
        s.players.forEach((p, id) => {
          if (p.bot && p.killedBy === room.sessionId) killedABot = true;
          if (id === room.sessionId && p.killedBy.startsWith("bot:")) killedByABot = true;
        });
      });
      // Server-side setup, a face-off on open ground: the person at (150, 700) fires right at one bot
      // held at (350, 700) that dies to any hit; once it has a kill, it stops and dies to any hit too.
      const target = [...sr.state.players.keys()].find((id) => sr.state.players.get(id)!.bot)!;
      sr.clock.setInterval(() => {
        const me = sr.state.players.get(room.sessionId);
        const bot = sr.state.players.get(target);
        if (me?.alive) {
          me.x = 150; me.y = 700; me.protectedUntil = 0;
          if (killedABot) me.hp = Math.min(me.hp, 1);
        }
        if (bot?.alive) {
          bot.x = 350; bot.y = 700; bot.hp = 1; bot.protectedUntil = 0;
        }
      }, 30);
      const stop = holdInput(room, () => ({ aim: 0, fire: !killedABot }));
      try {
        await waitForState(room, () => killedABot && killedByABot, 20_000, "the person killed a bot and a bot killed the person");
      } finally {
        stop();
      }
      // Credits are written in the step that has the kill, before the patch that shows it.
      expect(credited).toEqual([]);
    } finally {
      board.credit = credit;
    }
  }, 40_000);
});

describe("counts", () => {
  it("online counts and the room list show people and bots apart", async () => {
    const room = await join("counted");
    await waitForState(room, (s) => botsIn(s) === FILL - 1, 2000, "filled");
    const client = new JoinClient(server.url);
    client.auth.token = await guestToken(server.url, "looker");
    const lobby = await client.joinOrCreate(ROOM_LOBBY);
    try {
      // Counts come from stats saved about once a second: wait for the one that has the bots and both clients.
      let last: OnlineOut | undefined;
      const online = await new Promise<OnlineOut>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no online count of 2 people and ${FILL - 1} bots; last ${JSON.stringify(last)}`)), 6000);
        lobby.onMessage(LobbyMessage.Online, (o: OnlineOut) => {
          last = o;
          if (o.bots !== FILL - 1 || o.players !== 2) return;
          clearTimeout(timer);
          resolve(o);
        });
        lobby.onMessage("*", () => {});
      });
      // The person and the lobby visitor: clients, never bots.
      expect([online.players, online.bots]).toEqual([2, FILL - 1]);
      const meta = (await matchMaker.query({ roomId: room.roomId }))[0]?.metadata as ArenaRoomMetadata;
      expect([meta.players, meta.bots]).toEqual([1, FILL - 1]);
    } finally {
      await lobby.leave();
    }
  });
});

describe("reconnection in a bot room", () => {
  it("keeps the person's seat and score, and no bot takes the held seat", async () => {
    const room = await join("flaky");
    room.reconnection.minUptime = 0;
    await waitForState(room, (s) => botsIn(s) === FILL - 1, 2000, "filled");
    const p = serverRoom(room).state.players.get(room.sessionId)!;
    p.kills = 3;
    p.damage = 75;
    await waitForState(room, (s) => s.players.get(room.sessionId)?.kills === 3, 2000, "score visible");
    const sr = serverRoom(room);
    const reconnected = new Promise<void>((resolve) => room.onReconnect(() => resolve()));
    dropSocket(room);
    // The client's state stops with its socket: the server's shows the held seat.
    await serverSide(() => sr.state.players.get(room.sessionId)?.connected === false, 5000, "seat held");
    expect(botsIn(sr.state)).toBe(FILL - 1);
    await reconnected;
    await waitForState(room, (s) => s.players.get(room.sessionId)?.connected === true, 5000, "back online");
    const mine = room.state.players.get(room.sessionId)!;
    expect([mine.kills, mine.damage, mine.bot]).toEqual([3, 75, false]);
    expect(botsIn(room.state)).toBe(FILL - 1);
  });
});
