/**
 * The people routes on one process, from a hostile client's side too: no
 * token, forged tokens, garbage bodies, blocks, invite floods and stream
 * tickets, each refused with a clear error and delivering nothing, while
 * others go on; plus token refresh, invite expiry, SSE replay and leaderboard
 * passes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { PEOPLE_PAGE_MAX, type Notification, type PeoplePage } from "@arena/shared";
import { issueGuestToken } from "../src/auth.ts";
import { SseReader, TEST_SECRET, startTestServer, type RunningServer, type SseEvent } from "@arena/testkit";
import { Person, call, userIdOf } from "./peopleClients.ts";

const INVITE_TTL_S = 2;
let server: RunningServer;
let url: string;
const everyone: Person[] = [];
const person = async (name: string, lobby = true): Promise<Person> => {
  const p = await Person.signIn(url, name);
  everyone.push(p);
  if (lobby) await p.lobby();
  return p;
};

beforeAll(async () => {
  server = await startTestServer({
    RATE_LIMITS: "on",
    RATE_LIMIT_SIGNIN: "off", RATE_LIMIT_MATCHMAKE: "off", RATE_LIMIT_PEOPLE: "off", RATE_LIMIT_SSE_CONNECT: "off",
    RATE_LIMIT_INVITE: "3/60",
    INVITE_TTL_S: String(INVITE_TTL_S),
  });
  url = server.url;
});

afterAll(async () => {
  await Promise.all(everyone.map((p) => p.leaveAll()));
  await server?.close();
});

const ROUTES: [string, string, unknown?][] = [
  ["POST", "/api/auth/refresh"],
  ["GET", "/api/people"],
  ["GET", "/api/notifications"],
  ["POST", "/api/notifications/read", { upTo: 1 }],
  ["POST", "/api/notifications/ticket"],
  ["POST", "/api/invites", { to: "g_00000000-0000-0000-0000-000000000000", roomId: "x" }],
  ["POST", "/api/invites/00000000-0000-0000-0000-000000000000/answer", { accept: true }],
  ["GET", "/api/blocks"],
  ["POST", "/api/blocks", { userId: "g_00000000-0000-0000-0000-000000000000" }],
  ["DELETE", "/api/blocks/g_00000000-0000-0000-0000-000000000000"],
];

/** Resolves at the first snapshot the board's listeners get that lists `userId` (ask before the credit). */
function boardShows(userId: string): Promise<void> {
  return new Promise((resolve) => {
    const off = server.backend.leaderboard.subscribe((snapshot) => {
      if (!snapshot.allTime.some((e) => e.userId === userId)) return;
      off();
      resolve();
    });
  });
}

describe("people routes", () => {
  it("refuse a missing, forged or expired token with 401 auth_failed on every route", async () => {
    const forged = (await issueGuestToken(new TextEncoder().encode("another-secret-0123456789-0123456789"), "x")).token;
    const expired = (await issueGuestToken(new TextEncoder().encode(TEST_SECRET), "x", -10)).token;
    for (const [method, path, body] of ROUTES) {
      for (const token of [undefined, "garbage", forged, expired]) {
        const r = await call(url, method, path, token, body);
        expect(r.status, `${method} ${path} with ${token?.slice(0, 8)}`).toBe(401);
        expect(r.body.error).toBe("auth_failed");
      }
    }
  });

  it("refuse garbage bodies with 400 invalid_request and deliver nothing", async () => {
    const from = await person("garbler");
    const to = await person("target");
    const room = await from.play();
    for (const body of [{}, { to: to.userId }, { to: "not-a-user", roomId: room.roomId }, { to: to.userId, roomId: room.roomId, extra: 1 }, "{not json", [1, 2]]) {
      const r = await from.call("POST", "/api/invites", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(typeof r.body.message).toBe("string");
    }
    expect((await from.call("POST", "/api/invites/not-an-id/answer", { accept: true })).status).toBe(400);
    expect((await from.call("POST", "/api/notifications/read", { upTo: -1 })).status).toBe(400);
    expect((await from.call("POST", "/api/blocks", { userId: from.userId })).status).toBe(400);
    expect((await from.invite(from, room.roomId)).status).toBe(400);
    expect((await from.call("POST", "/api/invites", { to: to.userId, roomId: "NOROOM" })).status).toBe(404);
    expect((await to.call<{ items: unknown[] }>("GET", "/api/notifications")).body.items).toHaveLength(0);
  });

  it("page GET /api/people: a huge limit gets at most PEOPLE_PAGE_MAX, a garbage limit or cursor 400, and `next` walks one's people once", async () => {
    const crowd = await Promise.all(["pa", "pb", "pc", "pd", "pe"].map((n) => person(`pager-${n}`)));
    const watcher = crowd[0]!;
    // The list is the watcher's people: the crowd plays in the watcher's room.
    const room = await watcher.play();
    for (const p of crowd.slice(1)) await p.play(room.roomId);
    const others = crowd.slice(1);
    await watcher.until(() => others.every((p) => watcher.seen(p.userId) !== undefined), "the crowd in the watcher's list", 10_000);
    const huge = await watcher.call<PeoplePage>("GET", "/api/people?limit=999999999999");
    expect(huge.status).toBe(200);
    expect(huge.body.people.length).toBeLessThanOrEqual(PEOPLE_PAGE_MAX);
    expect(huge.body.people.map((p) => p.userId).sort()).toEqual(others.map((p) => p.userId).sort());
    // The total is everyone online (the counters), not the list's length.
    expect(huge.body.total).toBe(huge.body.counts?.online);
    expect(huge.body.total).toBeGreaterThanOrEqual(crowd.length);
    for (const query of ["limit=-1", "limit=0", "limit=abc", "limit=1&limit=2", "after=garbage", "after=", `after=${"A".repeat(600)}`, "after=W1sxXV0"]) {
      const r = await watcher.call("GET", `/api/people?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error).toBe("invalid_request");
    }
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const r = await watcher.call<PeoplePage>("GET", `/api/people?limit=2${after === undefined ? "" : `&after=${after}`}`);
      expect(r.status).toBe(200);
      expect(r.body.people.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.people.map((p) => p.userId));
      after = r.body.next;
    } while (after !== undefined);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(others.map((p) => p.userId).sort());
  });

  it("refuse an invite from someone the invitee blocked with 403, delivering nothing, until unblocked", async () => {
    const pest = await person("pest");
    const victim = await person("victim");
    const room = await pest.play();
    const blocked = await victim.call<{ userId: string }[]>("POST", "/api/blocks", { userId: pest.userId, name: "pest" });
    expect(blocked.status).toBe(201);
    expect(blocked.body).toEqual([{ userId: pest.userId, name: "pest" }]);
    const r = await pest.invite(victim, room.roomId);
    expect(r.status).toBe(403);
    expect(r.body.error).toBe("blocked");
    // Someone else still reaches the victim; the pest's invite never arrived.
    const friend = await person("friend");
    expect((await friend.invite(victim, room.roomId)).status).toBe(201);
    await victim.until(() => victim.notes.length === 1, "the friend's invite");
    expect(victim.notes.map((n) => n.kind === "invite" && n.from.userId)).toEqual([friend.userId]);
    expect((await victim.call("DELETE", `/api/blocks/${pest.userId}`)).body).toEqual([]);
    expect((await pest.invite(victim, room.roomId)).status).toBe(201);
  });

  it("rate limits invites per person with 429 and Retry-After, delivering nothing, while others still invite", async () => {
    const spammer = await person("spammer");
    const room = await spammer.play();
    const targets = await Promise.all([1, 2, 3, 4].map((i) => person(`t${i}`)));
    for (const t of targets.slice(0, 3)) expect((await spammer.invite(t, room.roomId)).status).toBe(201);
    const res = await fetch(`${url}/api/invites`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${spammer.token}` }, body: JSON.stringify({ to: targets[3]!.userId, roomId: room.roomId }) });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await res.json()) as { error: string; message: string })).toMatchObject({ error: "rate_limited", message: expect.stringContaining("too many invite requests from you") });
    const other = await person("other");
    expect((await other.invite(targets[3]!, room.roomId)).status).toBe(201);
    await targets[3]!.until(() => targets[3]!.notes.length === 1, "the other's invite");
    expect(targets[3]!.notes.every((n) => n.kind === "invite" && n.from.userId === other.userId)).toBe(true);
  });

  it(`expires an unanswered invite after INVITE_TTL_S (${INVITE_TTL_S} s): Join answers 410 and the pair may invite again`, async () => {
    const host = await person("slow-host");
    const friend = await person("slow-friend");
    const room = await host.play();
    expect((await host.invite(friend, room.roomId)).status).toBe(201);
    await friend.until(() => friend.notes.length === 1, "the invite");
    const note = friend.notes[0]!;
    if (note.kind !== "invite") throw new Error("not an invite");
    expect(note.expiresAt - note.at).toBe(INVITE_TTL_S * 1000);
    // The clock is what is under test here.
    await new Promise((r) => setTimeout(r, INVITE_TTL_S * 1000 + 300));
    const late = await friend.answer(note.inviteId, true);
    expect(late.status).toBe(410);
    expect(late.body.error).toBe("invite_expired");
    expect((await host.invite(friend, room.roomId)).status).toBe(201);
  });

  it("refreshes a token for the same person with a later expiry", async () => {
    const p = await person("refresher", false);
    const r = await p.call<{ token: string; userId: string; expiresAt: number }>("POST", "/api/auth/refresh");
    expect(r.status).toBe(200);
    expect(r.body.userId).toBe(p.userId);
    expect(userIdOf(r.body.token)).toBe(p.userId);
    expect(r.body.expiresAt).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
  });

  it("opens the notification stream only with a valid ticket, and replays from Last-Event-ID", async () => {
    const p = await person("streamer", false);
    const sender = await person("sender", false);
    const room = await sender.play();
    for (const ticket of ["", "?ticket=", "?ticket=garbage", `?ticket=${p.token}`,
      `?ticket=${await new SignJWT({ name: "x" }).setProtectedHeader({ alg: "HS256" }).setSubject(p.userId).setIssuer("arena").setAudience("arena:stream").setExpirationTime("1m").sign(new TextEncoder().encode("wrong-secret-0123456789-0123456789"))}`]) {
      const res = await fetch(`${url}/api/notifications/stream${ticket}`);
      expect(res.status, ticket.slice(0, 20)).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe("auth_failed");
    }
    const ticket = async (): Promise<string> => (await p.call<{ ticket: string }>("POST", "/api/notifications/ticket")).body.ticket;
    const stream = await SseReader.open(`${url}/api/notifications/stream?ticket=${encodeURIComponent(await ticket())}`);
    expect(stream.response.status).toBe(200);
    await stream.until(() => stream.events.some((e: SseEvent) => e.event === "inbox"), "the inbox summary");
    expect((await sender.invite(p, room.roomId)).status).toBe(201);
    await stream.until(() => stream.events.some((e: SseEvent) => e.event === "notification"), "the live invite");
    const first = stream.events.find((e: SseEvent) => e.event === "notification")!;
    expect(first.id).toBe("1");
    stream.close();
    // Two more while away: the stream resumed after id 1 replays exactly those.
    await p.call("POST", "/api/blocks", { userId: "g_00000000-0000-0000-0000-000000000001" });
    const host2 = await person("sender2", false);
    const room2 = await host2.play();
    expect((await host2.invite(p, room2.roomId)).status).toBe(201);
    const host3 = await person("sender3", false);
    expect((await host3.invite(p, room2.roomId)).status).toBe(201);
    const resumed = await SseReader.open(`${url}/api/notifications/stream?ticket=${encodeURIComponent(await ticket())}`, { "last-event-id": "1" });
    await resumed.until(() => resumed.events.filter((e: SseEvent) => e.event === "notification").length === 2, "the replay");
    const replayed = resumed.events.filter((e: SseEvent) => e.event === "notification").map((e: SseEvent) => JSON.parse(e.data) as Notification);
    expect(replayed.map((n: Notification) => n.id)).toEqual([2, 3]);
    expect(replayed.map((n: Notification) => n.kind === "invite" && n.from.name)).toEqual(["sender2", "sender3"]);
    resumed.close();
  });

  it("caps open status streams per address with 429 apart from notification streams (each kind has its own cap), and takes new ones once some close", async () => {
    const open = await Promise.all(Array.from({ length: 8 }, () => SseReader.open(`${url}/api/status/stream`)));
    expect(open.map((r) => r.response.status)).toEqual(Array(8).fill(200));
    const refused = await fetch(`${url}/api/status/stream`);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { message: string }).message).toContain("too many open status streams from your address");
    const p = await person("capped", false);
    const { ticket } = (await p.call<{ ticket: string }>("POST", "/api/notifications/ticket")).body;
    const notes = await SseReader.open(`${url}/api/notifications/stream?ticket=${encodeURIComponent(ticket)}`);
    expect(notes.response.status).toBe(200);
    notes.close();
    for (const r of open) r.close();
    // The server frees a slot when it sees the socket close, a moment after ours: ask again until then.
    let again = await SseReader.open(`${url}/api/status/stream`);
    for (let i = 0; again.response.status === 429 && i < 50; i++) {
      again.close();
      await new Promise((r) => setTimeout(r, 20));
      again = await SseReader.open(`${url}/api/status/stream`);
    }
    expect(again.response.status).toBe(200);
    again.close();
  });

  it("tells a person who was passed on the leaderboard, and by whom", async () => {
    const leader = await person("leader");
    const chaser = await person("chaser");
    // Credited apart by a snapshot (the board's listeners get one at most every 200 ms), so the leader was on it first.
    const leaderOnBoard = boardShows(leader.userId);
    await server.backend.leaderboard.credit([{ userId: leader.userId, name: "leader", points: 1_000_000 }]);
    await leaderOnBoard;
    await server.backend.leaderboard.credit([{ userId: chaser.userId, name: "chaser", points: 2_000_000 }]);
    await leader.until(() => leader.notes.some((n) => n.kind === "passed"), "the pass");
    expect(leader.notes.find((n) => n.kind === "passed")).toMatchObject({ kind: "passed", by: { userId: chaser.userId, name: "chaser" }, board: "allTime", rank: 2 });
    expect(chaser.notes.some((n) => n.kind === "passed")).toBe(false);
  });

  it("tells nothing about someone you blocked: no pass, no answer to an old invite", async () => {
    const proud = await person("proud");
    const rival = await person("rival");
    expect((await proud.call("POST", "/api/blocks", { userId: rival.userId })).status).toBe(201);
    const room = await proud.play();
    expect((await proud.invite(rival, room.roomId)).status).toBe(201);
    await rival.until(() => rival.notes.some((n) => n.kind === "invite"), "the invite");
    const invite = rival.notes.find((n) => n.kind === "invite")!;
    if (invite.kind !== "invite") throw new Error("not an invite");
    expect((await rival.answer(invite.inviteId, false)).status).toBe(200);
    // The board's listeners (the pass watcher among them) get a snapshot at most every 200 ms: each credit comes after a
    // snapshot that has the one before it on the board, or both would enter it at once and nobody would pass anyone
    // (the rival's pass is what the block must hold back).
    const proudOnBoard = boardShows(proud.userId);
    await server.backend.leaderboard.credit([{ userId: proud.userId, name: "proud", points: 3_000_000 }]);
    await proudOnBoard;
    const rivalOnBoard = boardShows(rival.userId);
    await server.backend.leaderboard.credit([{ userId: rival.userId, name: "rival", points: 4_000_000 }]);
    await rivalOnBoard;
    // A third person's pass of proud arrives; the rival's pass and answer never did (they came first).
    const third = await person("third", false);
    await server.backend.leaderboard.credit([{ userId: third.userId, name: "third", points: 5_000_000 }]);
    await proud.until(() => proud.notes.some((n) => n.kind === "passed" && n.by.userId === third.userId), "third's pass");
    expect(proud.notes.filter((n) => n.kind !== "passed" || n.by.userId !== third.userId)).toEqual([]);
  });
});
