/**
 * Join and sign-in failures in words a player understands. The errors come
 * from a real server through the real SDK and the page's own sign-in and join
 * functions wherever the server can be made to produce them; the rest of the
 * codes are checked one by one against the SDK's exported ErrorCode/CloseCode.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode, ErrorCode, MatchMakeError, ServerError } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { matchMaker } from "@colyseus/core";
import { CloseCodes, CodeJoinErrors, HttpErrors, ROOM_ARENA } from "@arena/shared";
import { freePort, startTestServer, type RunningServer } from "@arena/testkit";
import { joinRoom, signIn } from "../src/net/connect.ts";
import { HttpRefused, describeJoinError } from "../src/net/joinErrors.ts";

let server: RunningServer;
let token: string;
const rooms: { leave(): Promise<unknown> }[] = [];

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMITS: "on", RATE_LIMIT_SIGNIN: "3/60" });
  token = (await signIn(server.url, "host")).token;
});
afterAll(async () => {
  await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
  await server?.close();
});

/** What the page shows for whatever `attempt` throws. */
async function shown(attempt: () => Promise<unknown>): Promise<string> {
  try {
    const r = await attempt();
    rooms.push(r as { leave(): Promise<unknown> });
  } catch (e) {
    return describeJoinError(e);
  }
  throw new Error("the attempt succeeded");
}

describe("join errors from a real server", () => {
  it("says a locked room is not taking players, not that it does not exist", async () => {
    // A public room, joined by its id from the lobby list (Colyseus' joinById).
    const host = await joinRoom(server.url, token, "host", { kind: "quick" });
    rooms.push(host);
    await matchMaker.getLocalRoomById(host.roomId)!.lock();
    const message = await shown(() => joinRoom(server.url, token, "guest", { kind: "code", code: host.roomId }));
    expect(message).toMatch(/not taking players/);
    expect(message).not.toMatch(/does not exist/);
  });

  it("says a room that is gone does not exist any more", async () => {
    expect(await shown(() => joinRoom(server.url, token, "guest", { kind: "code", code: "no-such-room-id" }))).toBe("That room does not exist any more.");
  });

  it("says invalid join options were not accepted (521 is not 'full')", async () => {
    const client = new JoinClient(server.url);
    client.auth.token = token;
    const message = await shown(() => client.joinOrCreate(ROOM_ARENA, { mode: { $gt: "" } }));
    expect(message).toMatch(/^The server refused these room settings: mode: /);
    expect(message).not.toMatch(/full/);
  });

  it("says which practice setting was refused", async () => {
    expect(await shown(() => joinRoom(server.url, token, "trainee", { kind: "practice", bots: 40, difficulty: "hard" })))
      .toBe("The server refused these room settings: bots: bots must be a whole number from 1 to 15.");
    expect(await shown(() => joinRoom(server.url, token, "trainee", { kind: "practice", bots: 3, difficulty: "godlike" })))
      .toBe("The server refused these room settings: difficulty: difficulty must be one of easy, normal, hard.");
  });

  it("says which map cannot be played when a room is created on one never published (528)", async () => {
    const client = new JoinClient(server.url);
    client.auth.token = token;
    expect(await shown(() => client.create(ROOM_ARENA, { map: { id: "mnosuchmap0000", version: 2 } })))
      .toBe("That map cannot be played: no published version 2 of map mnosuchmap0000.");
  });

  it("says a full private room can be watched instead", async () => {
    const host = await joinRoom(server.url, token, "host", { kind: "create" });
    rooms.push(host);
    await matchMaker.getLocalRoomById(host.roomId)!.lock();
    expect(await shown(() => joinRoom(server.url, token, "guest", { kind: "code", code: host.roomId }))).toMatch(/full; you can watch it/);
  });

  it("says an unknown invite code matches no room", async () => {
    expect(await shown(() => joinRoom(server.url, token, "guest", { kind: "code", code: "ZZZZZZ" }))).toMatch(/^No room has that code/);
  });

  it("says a refused token means signing in again", async () => {
    const message = await shown(() => joinRoom(server.url, "forged.token.value", "guest", { kind: "code", code: "ZZZZZZ" }));
    expect(message).toMatch(/sign-in has expired/);
  });

  it("says a forged token is refused at matchmaking (525)", async () => {
    const client = new JoinClient(server.url);
    client.auth.token = "forged.token.value";
    expect(await shown(() => client.joinOrCreate(ROOM_ARENA, { name: "mallory" }))).toMatch(/sign-in was refused or has expired/);
  });

  it("says how long to wait when sign-in is rate limited", async () => {
    let caught: unknown;
    for (let i = 0; i < 5 && caught === undefined; i++) {
      await signIn(server.url, `n${i}`).catch((e: unknown) => (caught = e));
    }
    expect(caught).toBeInstanceOf(HttpRefused);
    expect((caught as HttpRefused).error).toBe(HttpErrors.RATE_LIMITED);
    expect(describeJoinError(caught)).toMatch(/^Too many attempts from your network; wait \d+ s and try again\.$/);
  });

  it("says the server cannot be reached when nothing listens", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    expect(await shown(() => signIn(url, "ada"))).toMatch(/^Cannot reach the game server/);
    expect(await shown(() => joinRoom(url, token, "ada", { kind: "quick" }))).toMatch(/^Cannot reach the game server/);
  });
});

describe("every code the SDK exports", () => {
  it("has its own sentence for each matchmaking ErrorCode", () => {
    const sentences = new Map<number, string>();
    for (const code of Object.values(ErrorCode)) {
      const s = describeJoinError(new MatchMakeError("detail", code));
      expect(s, `code ${code}`).not.toMatch(/^Could not join/);
      sentences.set(code, s);
    }
    expect(new Set(sentences.values()).size).toBe(sentences.size);
    expect(sentences.get(ErrorCode.MATCHMAKE_INVALID_ROOM_ID)).toBe("That room does not exist any more.");
    expect(describeJoinError(new MatchMakeError('room "abc" is locked', ErrorCode.MATCHMAKE_INVALID_ROOM_ID))).toMatch(/not taking players/);
  });

  it("explains a connection closed while joining by its CloseCode", () => {
    expect(describeJoinError(new ServerError(CloseCode.SERVER_SHUTDOWN, ""))).toBe("The server is shutting down.");
    expect(describeJoinError(new ServerError(CloseCode.WITH_ERROR, ""))).toMatch(/too many messages/);
    expect(describeJoinError(new ServerError(CloseCodes.PROTOCOL_ERROR, "bad"))).toMatch(/protocol error: bad/);
    expect(describeJoinError(new ServerError(CloseCode.ABNORMAL_CLOSURE, ""))).toMatch(/code 1006/);
  });

  it("has a sentence for each error name of our routes", () => {
    // One name may be shared ("unavailable" is both a code join's and any route's 503): one sentence per distinct name.
    const names = [...new Set<string>([...Object.values(CodeJoinErrors), ...Object.values(HttpErrors)])];
    const sentences = names.map((n) => describeJoinError(new HttpRefused(400, n, "detail", 7)));
    for (const s of sentences) expect(s).not.toMatch(/^The server refused/);
    expect(new Set(sentences).size).toBe(names.length);
    expect(describeJoinError(new HttpRefused(429, HttpErrors.RATE_LIMITED, "x", 7))).toMatch(/wait 7 s/);
  });
});
