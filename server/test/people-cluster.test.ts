/**
 * People across two game processes on one real redis-server: invites from a
 * lobby on A to a lobby on B and joining A's room through them, answers,
 * the kept inbox of someone offline, presence statuses on either side, two
 * tabs of one person, and a SIGKILLed process' people leaving the list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InviteAnswerNote, InviteNote, StatusSample } from "@arena/shared";
import { SseReader, spawnServer, startRedis, type GameServerProcess, type RedisProcess, type SseEvent } from "@arena/testkit";
import { PEOPLE_TIMEOUT_S, SCOPE_REFRESH_MS } from "../src/people/PeopleDirectory.ts";
import { Person } from "./peopleClients.ts";

let redis: RedisProcess;
let a: GameServerProcess;
let b: GameServerProcess;
const everyone: Person[] = [];
const person = async (url: string, name: string): Promise<Person> => {
  const p = await Person.signIn(url, name);
  everyone.push(p);
  return p;
};

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([spawnServer({ REDIS_URL: redis.url }), spawnServer({ REDIS_URL: redis.url })]);
}, 30_000);

afterAll(async () => {
  await Promise.all(everyone.map((p) => p.leaveAll()));
  await Promise.all([a, b].filter(Boolean).map((p) => p.kill("SIGTERM")));
  await redis?.stop();
}, 30_000);

/** A list shows a change within one re-read of it plus a second (the write, batched, and the heartbeat). */
const LIST_S = SCOPE_REFRESH_MS / 1000 + 1;

/** `watcher` and each of `others` play in one room for a moment: from then on each is in the other's people list. */
async function meet(watcher: Person, others: Person[]): Promise<void> {
  const room = await watcher.play();
  const seats = [room];
  for (const o of others) seats.push(await o.at(a.url).play(room.roomId));
  await Promise.all(seats.map((r) => r.leave()));
}

const invites = (p: Person): InviteNote[] => p.notes.filter((n): n is InviteNote & { id: number; at: number } => n.kind === "invite");
const answers = (p: Person): InviteAnswerNote[] => p.notes.filter((n): n is InviteAnswerNote & { id: number; at: number } => n.kind === "invite_answer");

describe("people on two processes", () => {
  it("delivers an invite from A's lobby to B's lobby within 500 ms, and B joins A's room through it", async () => {
    const host = await person(a.url, "host");
    const friend = await person(b.url, "friend");
    await host.lobby("create");
    await friend.lobby("create");
    const room = await host.play();
    const sentAt = performance.now();
    const sent = await host.invite(friend, room.roomId);
    expect(sent.status).toBe(201);
    await friend.until(() => invites(friend).length === 1, "the invite");
    const note = invites(friend)[0]!;
    expect(friend.arrivedAt.get(friend.notes[0]!.id)! - sentAt).toBeLessThan(500);
    expect(note).toMatchObject({ from: { userId: host.userId, name: "host" }, roomId: room.roomId });

    // Join through B: the answer names the room, and B's matchmaking seats the friend in A's room.
    const accepted = await friend.answer(note.inviteId, true);
    expect(accepted).toEqual({ status: 200, body: { roomId: room.roomId } });
    const joined = await friend.play(accepted.body.roomId);
    expect(joined.roomId).toBe(room.roomId);
    await host.until(() => answers(host).some((n) => n.accepted && n.by.userId === friend.userId), "the acceptance");
    // Answered: a second answer finds nothing.
    expect((await friend.answer(note.inviteId, true)).status).toBe(410);
  });

  it("tells the inviter about a decline, and the pair may invite again", async () => {
    const host = await person(a.url, "host2");
    const friend = await person(b.url, "friend2");
    await host.lobby();
    await friend.lobby();
    const room = await host.play();
    expect((await host.invite(friend, room.roomId)).status).toBe(201);
    // One pending invite per pair.
    const again = await host.invite(friend, room.roomId);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("invite_pending");
    await friend.until(() => invites(friend).length === 1, "the invite");
    expect(await friend.answer(invites(friend)[0]!.inviteId, false)).toEqual({ status: 200, body: { declined: true } });
    await host.until(() => answers(host).some((n) => !n.accepted), "the decline");
    expect((await host.invite(friend, room.roomId)).status).toBe(201);
    await friend.until(() => invites(friend).length === 2, "the second invite");
    expect(invites(friend)).toHaveLength(2);
  });

  it("refuses an invite whose room is gone with 410", async () => {
    const host = await person(a.url, "host3");
    const friend = await person(b.url, "friend3");
    await friend.lobby();
    const room = await host.play();
    expect((await host.invite(friend, room.roomId)).status).toBe(201);
    await friend.until(() => invites(friend).length === 1, "the invite");
    await room.leave();
    // The room disposes once empty; the answer waits on nothing but the listing.
    let reply = await friend.answer(invites(friend)[0]!.inviteId, true);
    for (let i = 0; reply.status === 200 && i < 20; i++) reply = await friend.answer(invites(friend)[0]!.inviteId, true);
    expect(reply.status).toBe(410);
    expect(reply.body.error).toBe("invite_expired");
  });

  it("keeps an invite for someone offline: unread in their inbox on their next visit", async () => {
    const host = await person(a.url, "host4");
    const away = await person(b.url, "away");
    const room = await host.play();
    expect((await host.invite(away, room.roomId)).status).toBe(201);
    expect(away.notes).toHaveLength(0);
    await away.lobby();
    await away.until(() => away.inbox !== undefined, "the inbox");
    expect(away.inbox!.unread).toBe(1);
    expect(away.inbox!.items[0]).toMatchObject({ kind: "invite", roomId: room.roomId, from: { userId: host.userId } });
    const read = await away.call<{ unread: number }>("POST", "/api/notifications/read", { upTo: away.inbox!.items[0]!.id });
    expect(read.body.unread).toBe(0);
  });

  it(`shows the statuses of one's people across processes within ${LIST_S} s: lobby, match with its room, spectating`, async () => {
    const watcher = await person(a.url, "watcher");
    const other = await person(b.url, "other");
    const spectator = await person(a.url, "spectator");
    const host = await person(a.url, "host5");
    // The watcher met all three (played in one room with them): they are the watcher's people.
    await meet(watcher, [other, spectator, host]);
    await watcher.lobby();
    await other.lobby();
    await watcher.until(() => watcher.seen(other.userId)?.status === "lobby", "other in the lobby", LIST_S * 1000);
    const room = await other.play();
    await watcher.until(() => watcher.seen(other.userId)?.status === "match", "other in a match", LIST_S * 1000);
    expect(watcher.seen(other.userId)).toMatchObject({ roomId: room.roomId, joinable: true });
    await room.leave();
    await spectator.lobby();
    const played = await host.play();
    const res = await spectator.call("POST", "/api/matchmake/spectate", { roomId: played.roomId });
    expect(res.status).toBe(200);
    await watcher.until(() => watcher.seen(host.userId)?.status === "match", "host in a match", LIST_S * 1000);
    const { JoinClient } = await import("@arena/shared/sdk");
    const c = new JoinClient(a.url);
    c.auth.token = spectator.token;
    const watching = await c.consumeSeatReservation(res.body as never);
    watching.onMessage("*", () => {});
    spectator.rooms.push(watching);
    await watcher.until(() => watcher.seen(spectator.userId)?.status === "spectating", "spectator watching", LIST_S * 1000);
  });

  it("counts two tabs of one person once, and keeps them online until both close", async () => {
    const watcher = await person(a.url, "watcher2");
    const twoTabs = await person(a.url, "two-tabs");
    await meet(watcher, [twoTabs]);
    await watcher.lobby();
    const tab1 = await twoTabs.lobby();
    const tab2 = await twoTabs.at(b.url).lobby();
    await watcher.until(() => watcher.seen(twoTabs.userId) !== undefined, "two-tabs online", LIST_S * 1000);
    expect(watcher.people.filter((p) => p.userId === twoTabs.userId)).toHaveLength(1);
    await tab1.leave();
    // Wait until the list changes for some other reason, or one re-read and more of lists, while two-tabs stays.
    await expect(watcher.until(() => watcher.seen(twoTabs.userId) === undefined, "two-tabs gone", LIST_S * 1000)).rejects.toThrow(/timed out/);
    await tab2.leave();
    await watcher.until(() => watcher.seen(twoTabs.userId) === undefined, "two-tabs gone", LIST_S * 1000);
  });

  it(`drops a SIGKILLed process' people within ${PEOPLE_TIMEOUT_S} s`, async () => {
    const c = await spawnServer({ REDIS_URL: redis.url });
    const watcher = await person(a.url, "watcher3");
    const doomed = await person(c.url, "doomed");
    await meet(watcher, [doomed]);
    await watcher.lobby();
    await doomed.lobby("create");
    await watcher.until(() => watcher.seen(doomed.userId) !== undefined, "doomed online", LIST_S * 1000);
    const killedAt = performance.now();
    await c.kill("SIGKILL");
    await watcher.until(() => watcher.seen(doomed.userId) === undefined, "doomed gone", PEOPLE_TIMEOUT_S * 1000 + 500);
    expect(performance.now() - killedAt).toBeLessThan(PEOPLE_TIMEOUT_S * 1000 + 500);
  });

  it("tells everyone connected to a process stopping on SIGTERM that it restarts, kept in their inbox", async () => {
    const c = await spawnServer({ REDIS_URL: redis.url });
    const here = await person(c.url, "on-c");
    await here.lobby("create");
    expect(await c.kill("SIGTERM")).toBe(0);
    const box = await here.at(a.url).call<{ items: { kind: string; message?: string }[]; unread: number }>("GET", "/api/notifications");
    expect(box.body.items[0]).toMatchObject({ kind: "server_restarting", message: expect.stringContaining("restarting") });
    expect(box.body.unread).toBe(1);
  });

  it("streams the status of both processes once a second: people, rooms, matches, joins and bytes summed", async () => {
    const stream = await SseReader.open(`${a.url}/api/status/stream`);
    const samples = (): StatusSample[] => stream.events.filter((e: SseEvent) => e.event === "sample").map((e: SseEvent) => JSON.parse(e.data) as StatusSample);
    await stream.until(() => stream.events.some((e: SseEvent) => e.event === "history"), "the history");
    // The tests above stop two processes: if one was the aggregator, its successor takes the lease once the last sample
    // has aged out (TTL 3 s) and its lease has lapsed (3 s). The bounds below are for a cluster with an aggregator.
    const live = Date.now() / 1000;
    await stream.until(() => samples().some((s) => s.t >= live), "a sample from a live aggregator", 8000);
    const onB = await person(b.url, "status-player");
    const joinedAt = Date.now() / 1000;
    const room = await onB.play();
    // At least A and B: a process killed by an earlier test may still count until its status key expires.
    await stream.until(() => samples().some((s) => s.t >= joinedAt && s.processes >= 2 && s.joinsPerSecond >= 1), "a sample counting the join on B", 4000);
    await stream.until(() => samples().some((s) => s.t >= joinedAt && s.rooms >= 1 && s.people >= 1 && s.bytesOutPerSecond > 0), "rooms, people and bytes", 4000);
    const ts = samples().map((s) => s.t);
    expect(new Set(ts).size).toBe(ts.length);
    await room.leave();
    stream.close();
  });
});
