/**
 * After a match: Play again sends every player of the room who presses it to one next room of the same kind,
 * the results carry each player's best moments, each person is told their rating change, and a quick-play
 * room's bots play at the level of the people in it (easy for a newcomer). Hostile presses are answered too.
 */
import { matchMaker } from "@colyseus/core";
import { JoinClient } from "@arena/shared/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BOT_LEVEL_OF, ClientMessage, ROOM_ARENA, ServerMessage,
  type ArenaState, type NextRoomOut, type NoticeOut, type RatingOut, type ResultsOut,
} from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { NEWCOMER_MATCHES, RATING_START } from "../src/people/rating.ts";
import {
  joinByCode, serverRoom, spectate, startTestServer, waitForLeave, waitForMessage, waitForState, type ArenaRoomClient,
} from "@arena/testkit";

let server: RunningServer;
const open: ArenaRoomClient[] = [];
/** Short matches: the results show long enough for every press of a test. */
const match = { matchSeconds: 2, warmupSeconds: 1, resultsSeconds: 8 };

async function client(name: string): Promise<{ client: JoinClient; userId: string }> {
  const res = await fetch(`${server.url}/api/auth/guest`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  const signed = (await res.json()) as { token: string; userId: string };
  const c = new JoinClient(server.url);
  c.auth.token = signed.token;
  return { client: c, userId: signed.userId };
}

function track(room: ArenaRoomClient): ArenaRoomClient {
  room.onMessage("*", () => {});
  open.push(room);
  return room;
}

const results = (room: ArenaRoomClient): Promise<ResultsOut> => waitForMessage<ResultsOut>(room, ServerMessage.Results, 10_000);
const botLevel = (roomId: string): number => (serverRoom(roomId) as unknown as { bots: { level: number } }).bots.level;

beforeAll(async () => {
  server = await startTestServer({ BOT_FILL: "0" }, { match });
});
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((r) => (r.connection.isOpen ? r.leave() : undefined)));
});
afterAll(async () => {
  await server.close();
});

describe("Play again", () => {
  it("puts everyone of the room who presses it in one new room of the same kind, with their best moments and rating change shown", async () => {
    const a = await client("ann");
    const b = await client("bob");
    const first = track((await a.client.create<ArenaState>(ROOM_ARENA, { name: "ann" })) as ArenaRoomClient);
    const second = track((await b.client.joinById<ArenaState>(first.roomId, { name: "bob" })) as ArenaRoomClient);
    const ratingA = waitForMessage<RatingOut>(first, ServerMessage.Rating, 15_000);
    const [r] = await Promise.all([results(first), results(second)]);
    expect(r.standings.map((s) => [s.bestStreak, s.bestLife])).toEqual([[0, 0], [0, 0]]);
    // Both rated once, from the start (nobody fired: a performance at the opponents' level, the other's start).
    expect(await ratingA).toEqual({ before: RATING_START, after: RATING_START, matches: 1 });

    const nextA = waitForMessage<NextRoomOut>(first, ServerMessage.NextRoom);
    const nextB = waitForMessage<NextRoomOut>(second, ServerMessage.NextRoom);
    first.send(ClientMessage.PlayAgain);
    second.send(ClientMessage.PlayAgain, {});
    const [na, nb] = [await nextA, await nextB];
    expect(na.roomId).toBe(nb.roomId);
    expect(na.roomId).not.toBe(first.roomId);
    const listed = (await matchMaker.query({ roomId: na.roomId }))[0];
    expect(listed?.private).toBe(false);

    const againA = track((await a.client.joinById<ArenaState>(na.roomId, { name: "ann" })) as ArenaRoomClient);
    const againB = track((await b.client.joinById<ArenaState>(nb.roomId, { name: "bob" })) as ArenaRoomClient);
    await waitForState(againA, (s) => s.players.size === 2, 5000, "both in the next room");
    expect(againB.roomId).toBe(againA.roomId);
  }, 40_000);

  it("keeps a private room private (a new code) and a practice room's bots", async () => {
    const a = await client("pia");
    const room = track((await a.client.create<ArenaState>(ROOM_ARENA, { name: "pia", bots: 2, difficulty: "hard" })) as ArenaRoomClient);
    await results(room);
    const next = waitForMessage<NextRoomOut>(room, ServerMessage.NextRoom);
    room.send(ClientMessage.PlayAgain);
    const { roomId } = await next;
    const listed = (await matchMaker.query({ roomId }))[0];
    expect(listed?.private).toBe(true);
    expect(botLevel(roomId)).toBe(BOT_LEVEL_OF.hard);
    const again = track(await joinByCode(server.url, "pia", { code: roomId }));
    await waitForState(again, (s) => s.players.size === 3, 5000, "pia and her 2 bots");
  }, 30_000);

  it("opens one next room per match however many presses flood in, and answers each", async () => {
    const a = await client("flo");
    const b = await client("flo2");
    const room = track((await a.client.create<ArenaState>(ROOM_ARENA, { name: "flo" })) as ArenaRoomClient);
    track((await b.client.joinById<ArenaState>(room.roomId, { name: "flo2" })) as ArenaRoomClient);
    await results(room);
    const before = (await matchMaker.query({ name: ROOM_ARENA })).length;
    const answers: string[] = [];
    room.onMessage(ServerMessage.NextRoom, (n: NextRoomOut) => answers.push(n.roomId));
    for (let i = 0; i < 50; i++) room.send(ClientMessage.PlayAgain);
    await waitForState(room, () => answers.length === 50, 5000, "50 answers");
    expect(new Set(answers).size).toBe(1);
    expect((await matchMaker.query({ name: ROOM_ARENA })).length).toBe(before + 1);
  }, 30_000);

  it("answers a press during play or from a spectator with a notice, and closes a sender of garbage while the others play on", async () => {
    const a = await client("gia");
    const b = await client("gus");
    const room = track((await a.client.create<ArenaState>(ROOM_ARENA, { name: "gia" })) as ArenaRoomClient);
    const other = track((await b.client.joinById<ArenaState>(room.roomId, { name: "gus" })) as ArenaRoomClient);
    await waitForState(room, (s) => s.phase === "playing", 5000, "playing");
    const roomsBefore = (await matchMaker.query({ name: ROOM_ARENA })).length;
    const early = waitForMessage<NoticeOut>(room, ServerMessage.Notice);
    room.send(ClientMessage.PlayAgain);
    expect((await early).code).toBe("play_again_unavailable");

    await results(room);
    const watcher = track(await spectate(server.url, "wes", room.roomId));
    const watching = waitForMessage<NoticeOut>(watcher, ServerMessage.Notice);
    watcher.send(ClientMessage.PlayAgain);
    expect((await watching).code).toBe("play_again_unavailable");

    const closed = waitForLeave(other);
    other.send(ClientMessage.PlayAgain, { roomId: "somewhere-else" });
    expect(await closed).toBeGreaterThanOrEqual(4000);
    const next = waitForMessage<NextRoomOut>(room, ServerMessage.NextRoom);
    room.send(ClientMessage.PlayAgain);
    expect((await next).roomId).not.toBe(room.roomId);
    // Nothing was opened for the refused presses: the one new room is the last press's.
    expect((await matchMaker.query({ name: ROOM_ARENA })).length).toBe(roomsBefore + 1);
  }, 30_000);
});

describe("a practice match", () => {
  it("rates its person but does not count toward their first matches: their quick-play bots stay easy", async () => {
    const p = await client("prue");
    // One quick-play match before, rated up to 80: one more counted match would make her bots follow her rating.
    await server.backend.ratings.apply("earlier:prue", [{ userId: p.userId, perf: 80, weight: 1 }]);
    const room = track((await p.client.create<ArenaState>(ROOM_ARENA, { name: "prue", bots: 1, difficulty: "hard" })) as ArenaRoomClient);
    const rating = waitForMessage<RatingOut>(room, ServerMessage.Rating, 15_000);
    await results(room);
    expect((await rating).matches).toBe(1);
    expect((await server.backend.ratings.get([p.userId]))[0]?.matches).toBe(1);
    const quick = track((await p.client.create<ArenaState>(ROOM_ARENA, { name: "prue" })) as ArenaRoomClient);
    await waitForState(quick, (s) => s.players.size === 1, 5000, "seated");
    // Her rating is read after the seat; once it has arrived her bots are still easy (a rated person's would be ~0.8).
    const seated = (serverRoom(quick.roomId) as unknown as { ratings: { seated: Map<string, { record?: { matches: number } }> } }).ratings.seated;
    await expectPoll(() => seated.get(quick.sessionId)?.record?.matches ?? -1, 1);
    expect(botLevel(quick.roomId)).toBe(BOT_LEVEL_OF.easy);
  }, 30_000);
});

describe("quick-play bots at the people's level", () => {
  it("are easy for a newcomer and follow a rated person's rating at the next match", async () => {
    const veteran = await client("vera");
    // Earlier matches, as the store keeps them: rated NEWCOMER_MATCHES times up to 80.
    for (let i = 0; i < NEWCOMER_MATCHES; i++) await server.backend.ratings.apply(`earlier:${i}`, [{ userId: veteran.userId, perf: 80, weight: 1 }]);
    const newcomer = await client("newt");

    const fresh = track((await newcomer.client.create<ArenaState>(ROOM_ARENA, { name: "newt" })) as ArenaRoomClient);
    const rated = track((await veteran.client.create<ArenaState>(ROOM_ARENA, { name: "vera" })) as ArenaRoomClient);
    // Both are public quick-play rooms (with BOT_FILL=0 they hold no bots, but set their bots' level all the same).
    await waitForState(rated, (s) => s.players.size === 1, 5000, "seated");
    await expectPoll(() => botLevel(rated.roomId), 0.8);
    expect(botLevel(fresh.roomId)).toBe(BOT_LEVEL_OF.easy);
  });
});

/** Polls `read` until it is `want` (a rating is read from the store after the seat). */
async function expectPoll(read: () => number, want: number): Promise<void> {
  const until = Date.now() + 5000;
  while (Math.abs(read() - want) > 1e-9) {
    if (Date.now() > until) throw new Error(`expected ${want}, still ${read()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
