/**
 * Scoped people lists on two game processes and one real redis-server: a person's lobby list (and GET
 * /api/people) holds the online people they are in a room with, played with, invited or blocked, never a
 * stranger, at most PEOPLE_SCOPE_MAX, whatever the number of contacts; the online counts come from the
 * processes' counters and follow people as they come and go; and nobody gets someone else's list, however
 * they ask.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { PEOPLE_SCOPE_MAX, type PeoplePage, type PersonOnline } from "@arena/shared";
import { requireBinary, spawnServer, spawnTracked, startRedis, waitForLine, type GameServerProcess, type RedisProcess } from "@arena/testkit";
import { issueGuestToken } from "../src/auth.ts";
import { contactsKey } from "../src/people/Contacts.ts";
import { SCOPE_REFRESH_MS, whereKey } from "../src/people/PeopleDirectory.ts";
import { Person, call } from "./peopleClients.ts";

let redis: RedisProcess;
let db: Redis;
let a: GameServerProcess;
let b: GameServerProcess;
const everyone: Person[] = [];
const person = async (url: string, name: string): Promise<Person> => {
  const p = await Person.signIn(url, name);
  everyone.push(p);
  return p;
};
/** A list arrives within one re-read of it, plus a second for the writes and the heartbeat behind it. */
const LIST_WAIT_MS = SCOPE_REFRESH_MS + 2000;

beforeAll(async () => {
  redis = await startRedis();
  db = new Redis(redis.url);
  [a, b] = await Promise.all([spawnServer({ REDIS_URL: redis.url, BOT_FILL: "0" }), spawnServer({ REDIS_URL: redis.url, BOT_FILL: "0" })]);
}, 60_000);

afterAll(async () => {
  await Promise.all(everyone.map((p) => p.leaveAll()));
  await Promise.all([a, b].filter(Boolean).map((p) => p.kill("SIGTERM")));
  db?.disconnect();
  await redis?.stop();
}, 30_000);

const ids = (list: readonly PersonOnline[]): string[] => list.map((p) => p.userId).sort();

describe("scoped people lists", () => {
  let host: Person;
  let mate: Person;
  let stranger: Person;
  let blocked: Person;
  let invited: Person;

  it("count everyone online from the processes' counters as people come and go, by status", async () => {
    // First in the file: nobody else is connected, so the counts are known exactly.
    const watcher = await person(b.url, "counter");
    await watcher.lobby();
    await watcher.until(() => watcher.counts?.online === 1 && watcher.counts.lobby === 1, "the watcher alone", 4000);
    const comers = await Promise.all([...Array(4).keys()].map((i) => person(i % 2 === 0 ? a.url : b.url, `comer${i}`)));
    // `create`: each lobby on the process of the comer's address (joinOrCreate may seat them in the other's).
    await Promise.all(comers.map((c) => c.lobby("create")));
    await watcher.until(() => watcher.counts?.online === 5 && watcher.counts.lobby === 5, "four more in lobbies", 4000);
    // comer0 plays on A (its lobby is on A: one person there, in a match); comer1 joins that room through B:
    // in a match on A and in the lobby on B, a person on two processes counts on each.
    const room = await comers[0]!.play();
    await comers[1]!.play(room.roomId);
    await watcher.until(() => watcher.counts?.match === 2 && watcher.counts.lobby === 4 && watcher.counts.online === 6, "two playing", 4000)
      .catch((e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(watcher.counts)}`); });
    expect(watcher.counts).toEqual({ online: 6, lobby: 4, match: 2, spectating: 0, editing: 0 });
    await Promise.all(comers.map((c) => c.leaveAll()));
    await watcher.until(() => watcher.counts?.online === 1 && watcher.counts.match === 0, "back to the watcher alone", 4000);
    await watcher.leaveAll();
  }, 60_000);

  it("hold the people one is in a room with, played with, invited or blocked, and never a stranger online", async () => {
    host = await person(a.url, "host");
    mate = await person(a.url, "mate");
    stranger = await person(b.url, "stranger");
    blocked = await person(a.url, "blocked");
    invited = await person(b.url, "invited");
    const room = await host.play();
    await mate.play(room.roomId);
    await Promise.all([stranger.lobby(), blocked.lobby(), invited.lobby()]);
    expect((await host.call("POST", "/api/blocks", { userId: blocked.userId, name: "blocked" })).status).toBe(201);
    expect((await host.invite(invited, room.roomId)).status).toBe(201);
    // The host's lobby is on the other process: the list is read from Redis, not from this process's memory.
    const hostLobby = host.at(b.url);
    everyone.push(hostLobby);
    await hostLobby.lobby();
    const expected = ids([{ userId: mate.userId }, { userId: blocked.userId }, { userId: invited.userId }] as PersonOnline[]);
    await hostLobby.until(() => ids(hostLobby.people).join() === expected.join(), "mate, blocked and invited", LIST_WAIT_MS);
    expect(hostLobby.seen(mate.userId)).toMatchObject({ relation: "room", status: "match", roomId: room.roomId });
    expect(hostLobby.seen(blocked.userId)).toMatchObject({ relation: "blocked", status: "lobby" });
    expect(hostLobby.seen(invited.userId)).toMatchObject({ relation: "invited", status: "lobby" });
    // Symmetric for meetings, not for blocks: the mate and the invitee see the host; the blocked person does not.
    const mateLobby = mate.at(b.url);
    everyone.push(mateLobby);
    await mateLobby.lobby();
    await mateLobby.until(() => mateLobby.seen(host.userId)?.status === "match", "the host, in the match", LIST_WAIT_MS);
    expect(ids(mateLobby.people)).toEqual([host.userId]);
    await invited.until(() => invited.seen(host.userId) !== undefined, "the inviter", LIST_WAIT_MS);
    expect(invited.seen(host.userId)?.relation).toBe("invited");
    await blocked.until(() => blocked.lists.length > 0, "a list", LIST_WAIT_MS);
    // Every list the stranger and the blocked person ever got: nobody of the others' (they met nobody).
    for (const list of [...stranger.lists, ...blocked.lists]) expect(list).toEqual([]);

    // GET /api/people: the same scoped list, paged, with the counters' total.
    const page = await host.call<PeoplePage>("GET", "/api/people");
    expect(page.status).toBe(200);
    expect(ids(page.body.people)).toEqual(expected);
    expect(page.body.counts).toBeDefined();
    expect(page.body.total).toBe(page.body.counts!.online);
  }, 60_000);

  it(`are capped at ${PEOPLE_SCOPE_MAX} however many contacts are online, and read only that many`, async () => {
    const viewer = await person(a.url, "crowded");
    const health = (await (await fetch(`${b.url}/health`)).json()) as { processId: string };
    // 120 contacts and 5 blocked people, all "online" on process B (alive): the contacts and whereabouts written
    // straight into Redis, where the processes keep them; the blocks through the route.
    const now = Date.now();
    const fake = (i: number): string => `g_${String(i).padStart(8, "0")}-1111-1111-1111-111111111111`;
    const fakes = [...Array(120).keys()].map(fake);
    for (const [i, id] of fakes.entries()) await db.hset(contactsKey(viewer.userId), id, `${String(now - i).padStart(13, "0")}:played`);
    for (const [i, id] of [...fakes, ...[120, 121, 122, 123, 124].map(fake)].entries()) {
      await db.hset(whereKey(id), health.processId, JSON.stringify({ userId: id, name: `fake${i}`, status: "lobby" }));
    }
    for (const i of [120, 121, 122, 123, 124]) expect((await viewer.call("POST", "/api/blocks", { userId: fake(i), name: `fake${i}` })).status).toBe(201);
    // Every whereabouts read Redis runs, as redis-cli's MONITOR prints it (`"hgetall" "arena:where:g_..."`), line
    // buffered; a marker command after the list tells when everything before it has been printed.
    const monitor = spawnTracked("stdbuf", ["-oL", requireBinary("redis-cli"), "-p", String(redis.port), "monitor"]);
    await waitForLine(monitor, (l) => l.trim() === "OK", "redis-cli monitor");
    const read = new Set<string>();
    let marked: () => void = () => undefined;
    const markerSeen = new Promise<void>((resolve) => (marked = resolve));
    let tail = "";
    monitor.stdout!.on("data", (chunk: Buffer) => {
      const lines = (tail + chunk.toString("utf8")).split("\n");
      tail = lines.pop() ?? "";
      for (const line of lines) {
        const id = /"hgetall" "[^"]*(g_\d{8}-1111-1111-1111-111111111111)"/i.exec(line);
        if (id !== null) read.add(id[1]!);
        if (line.includes("scope-read-done")) marked();
      }
    });
    try {
      await viewer.lobby();
      await viewer.until(() => viewer.people.length > 0, "the list", LIST_WAIT_MS);
      await db.echo("scope-read-done");
      await markerSeen;
    } finally {
      monitor.kill("SIGKILL");
    }
    expect(viewer.people).toHaveLength(PEOPLE_SCOPE_MAX);
    // The most recent contacts (contacts come before blocked people); the others are not even read.
    const newest = fakes.slice(0, PEOPLE_SCOPE_MAX).sort();
    expect(viewer.people.map((p) => p.userId).sort()).toEqual(newest);
    expect([...read].sort()).toEqual(newest);
    const huge = await viewer.call<PeoplePage>("GET", "/api/people?limit=1000");
    expect(huge.body.people.length).toBeLessThanOrEqual(PEOPLE_SCOPE_MAX);
    // The total is the counters', not the list's: the 120 written straight into Redis are not people connected anywhere.
    expect(huge.body.total).toBeLessThan(fakes.length);
  }, 60_000);

  it("are only ever the caller's own: no token, a forged one, another's id in the query or a lobby message get nothing of another's", async () => {
    expect((await call(a.url, "GET", "/api/people", undefined)).status).toBe(401);
    const forged = await issueGuestToken(new TextEncoder().encode("not the server's secret"), "host", undefined, host.userId);
    expect((await call(a.url, "GET", "/api/people", forged.token)).status).toBe(401);
    // The stranger names the host in every way a query could: their own (empty) list is what comes back.
    for (const query of [`userId=${host.userId}`, `for=${host.userId}`, `user=${host.userId}&userId=${host.userId}`]) {
      const r = await stranger.call<PeoplePage>("GET", `/api/people?${query}`);
      expect(r.status, query).toBe(200);
      expect(r.body.people, query).toEqual([]);
    }
    // Lobby messages asking for the host's list (no such message exists), in a flood: the stranger's lists
    // stay their own. An invite from the mate then changes the stranger's list: it holds the mate alone.
    const lobby = stranger.rooms.find((r) => r.connection.isOpen)!;
    lobby.onLeave(() => stranger.arrivals.poke());
    for (let i = 0; i < 200; i++) {
      lobby.send("people", { userId: host.userId });
      lobby.send("filter", { userId: host.userId });
    }
    // A message the lobby does not take closes the connection (Colyseus); the stranger comes back to a new one.
    await stranger.until(() => !lobby.connection.isOpen, "the flooding lobby connection closed");
    await stranger.lobby("create");
    const room = mate.rooms.find((r) => r.connection.isOpen && r.roomId !== lobby.roomId && r.name !== "lobby")!;
    expect((await mate.invite(stranger, room.roomId)).status).toBe(201);
    await stranger.until(() => stranger.people.length > 0, "the mate's invite in the list", LIST_WAIT_MS);
    expect(ids(stranger.people)).toEqual([mate.userId]);
    for (const list of stranger.lists) expect(list.every((p) => p.userId === mate.userId)).toBe(true);
  }, 60_000);
});
