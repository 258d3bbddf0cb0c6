/**
 * Matchmaking on one process (in-memory presence and driver): quick play fills
 * the fullest room and never overfills; private rooms by code; spectators
 * without a seat; the room locks while results show; clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchMaker } from "@colyseus/core";
import { Client } from "@colyseus/sdk";
import { CodeJoinErrors, JoinErrorCodes, ROOM_ARENA, ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { HttpError, createPrivate, joinByCode, quickPlay, signIn, spectate, serverRoom, startTestServer, waitForState, type ArenaRoomClient } from "@arena/testkit";

const MAX = 3;
let server: RunningServer;
const open: ArenaRoomClient[] = [];
const keep = <T extends ArenaRoomClient>(r: T): T => (open.push(r), r);

beforeAll(async () => {
  server = await startTestServer({ MAX_PLAYERS: String(MAX) });
});
afterAll(async () => {
  await Promise.all(open.filter((r) => r.connection.isOpen).map((r) => r.leave().catch(() => undefined)));
  await server.close();
});

async function expectHttpError(p: Promise<unknown>, status: number, error: string): Promise<void> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(HttpError);
  expect((e as HttpError).status).toBe(status);
  expect((e as HttpError).body.error).toBe(error);
}

async function listing(roomId: string) {
  return (await matchMaker.query({ roomId }))[0];
}

describe("quick play", () => {
  it("fills the fullest open room first and never past the player cap", async () => {
    // Room X with two players, room Y with one.
    const x1 = keep(await quickPlay(server.url, "x1"));
    const x2 = keep(await quickPlay(server.url, "x2"));
    expect(x2.roomId).toBe(x1.roomId);
    const { client } = await signIn(server.url, "y1");
    const y1 = keep((await client.create(ROOM_ARENA, { name: "y1" })) as ArenaRoomClient);
    expect(y1.roomId).not.toBe(x1.roomId);

    // The fullest (X) gets the next player, which fills it...
    const c = keep(await quickPlay(server.url, "c"));
    expect(c.roomId).toBe(x1.roomId);
    expect((await listing(x1.roomId))?.locked).toBe(true);
    // ...so the one after goes to Y, not past the cap of X.
    const d = keep(await quickPlay(server.url, "d"));
    expect(d.roomId).toBe(y1.roomId);
    expect(serverRoom(x1).state.players.size).toBe(MAX);
  });

  it("refuses malformed options with a clear error", async () => {
    const { client } = await signIn(server.url, "bad");
    await expect(client.joinOrCreate(ROOM_ARENA, { mode: 42 })).rejects.toThrow(/invalid options: mode/);
    await expect(client.joinOrCreate(ROOM_ARENA, { mode: "ctf" })).rejects.toMatchObject({ code: JoinErrorCodes.INVALID_OPTIONS });
    await expect(client.create(ROOM_ARENA, { private: "yes" })).rejects.toThrow(/invalid options: private/);
  });
});

describe("private rooms", () => {
  it("get a readable code that is the roomId, stay out of quick play, and join by code", async () => {
    const host = keep(await createPrivate(server.url, "host"));
    expect(host.roomId).toHaveLength(ROOM_CODE_LENGTH);
    for (const ch of host.roomId) expect(ROOM_CODE_ALPHABET).toContain(ch);
    expect((await listing(host.roomId))?.private).toBe(true);

    // Typed in lower case with a dash, as people do.
    const typed = `${host.roomId.slice(0, 3).toLowerCase()}-${host.roomId.slice(3).toLowerCase()}`;
    const guest = keep(await joinByCode(server.url, "guest", { code: typed }));
    expect(guest.roomId).toBe(host.roomId);
    await waitForState(host, (s) => s.players.has(guest.sessionId), 3000, "guest in host's state");

    // Quick play never lands in a private room.
    const q = keep(await quickPlay(server.url, "q"));
    expect(q.roomId).not.toBe(host.roomId);
  });

  it("answers unknown, malformed and unauthenticated code joins with clear errors", async () => {
    await expectHttpError(joinByCode(server.url, "u", { code: "ZZZZZZ" }), 404, CodeJoinErrors.UNKNOWN_CODE);
    await expectHttpError(joinByCode(server.url, "u", { code: "O0I1L!" }), 400, CodeJoinErrors.INVALID_REQUEST);
    await expectHttpError(joinByCode(server.url, "u", { code: 123 as unknown as string }), 400, CodeJoinErrors.INVALID_REQUEST);
    const res = await fetch(`${server.url}/api/matchmake/code`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: "ABCDEF" }) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe(CodeJoinErrors.AUTH_FAILED);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it("refuses a player when full, but admits a spectator who holds no player seat", async () => {
    const host = keep(await createPrivate(server.url, "full-host"));
    for (let i = 1; i < MAX; i++) keep(await joinByCode(server.url, `p${i}`, { code: host.roomId }));
    await expectHttpError(joinByCode(server.url, "late", { code: host.roomId }), 409, CodeJoinErrors.ROOM_FULL);

    const watcher = keep(await joinByCode(server.url, "watcher", { code: host.roomId, spectate: true }));
    await waitForState(watcher, (s) => s.players.size === MAX, 3000, "spectator sees the players");
    expect(watcher.state.players.has(watcher.sessionId)).toBe(false);
    expect(serverRoom(host).state.players.size).toBe(MAX);
    // Still full (and locked for quick play) after the spectator came and went.
    await watcher.leave();
    await waitForState(host, () => serverRoom(host).clients.length === MAX, 3000, "spectator gone");
    expect((await listing(host.roomId))?.locked).toBe(true);
    await expectHttpError(joinByCode(server.url, "late2", { code: host.roomId }), 409, CodeJoinErrors.ROOM_FULL);
  });

  it("lets anyone watch a public room by id, even a full one", async () => {
    const { client } = await signIn(server.url, "pub");
    const pub = keep((await client.create(ROOM_ARENA, { name: "pub" })) as ArenaRoomClient);
    const w = keep(await spectate(server.url, "w", pub.roomId));
    expect(w.roomId).toBe(pub.roomId);
    await waitForState(w, (s) => s.players.has(pub.sessionId), 3000, "spectator state");
    expect(serverRoom(pub).state.players.size).toBe(1);
    expect((await listing(pub.roomId))?.metadata).toMatchObject({ players: 1, spectators: 1 });
  });
});

describe("locking while the match ends", () => {
  it("locks the room during results and unlocks it for the next warm-up", async () => {
    const host = keep(await createPrivate(server.url, "lock-host"));
    const state = serverRoom(host).state;
    // Enter the results phase and hold it (the phase machine itself is tested in match.test.ts).
    state.phase = "results";
    state.phaseEndsAt = state.tick + 10_000;
    await waitForState(host, (s) => s.phase === "results");
    await expect.poll(async () => (await listing(host.roomId))?.locked, { timeout: 3000 }).toBe(true);
    await expectHttpError(joinByCode(server.url, "early", { code: host.roomId }), 423, CodeJoinErrors.ROOM_LOCKED);
    // Watching is still fine.
    keep(await joinByCode(server.url, "watch-results", { code: host.roomId, spectate: true }));

    state.phaseEndsAt = state.tick + 1;
    await waitForState(host, (s) => s.phase === "warmup");
    await expect.poll(async () => (await listing(host.roomId))?.locked, { timeout: 3000 }).toBe(false);
    const after = keep(await joinByCode(server.url, "after", { code: host.roomId }));
    expect(after.roomId).toBe(host.roomId);
  });
});

describe("codes after the room ends", () => {
  it("an ended room's code is unknown", async () => {
    const host = await createPrivate(server.url, "ephemeral");
    const code = host.roomId;
    await host.leave();
    await expect.poll(async () => (await listing(code)) === undefined, { timeout: 5000 }).toBe(true);
    await expectHttpError(joinByCode(server.url, "x", { code }), 404, CodeJoinErrors.UNKNOWN_CODE);
    void Client;
  });
});
