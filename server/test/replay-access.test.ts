/**
 * Who may have a replay (docs/PROTOCOL.md, "Replays"): a private room's only those who played in it, by
 * their guest token; strangers get 401 (no token, a forged one) or 403 (a valid token of someone else, a
 * spectator of that very room), and never see it listed; every replay route is rate limited per address.
 * Real server (one process, DATA_DIR), real SDK clients.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplayErrors, ReplayReader, type ReplayListOut } from "@arena/shared/replay";
import { ROOM_ARENA } from "@arena/shared";
import { JoinClient } from "@arena/shared/sdk";
import { guestToken, signIn, startTestServer, waitForOwnPlayer, waitForState, type ArenaRoomClient, type RunningServer } from "@arena/testkit";
import { issueGuestToken } from "../src/auth.ts";

const REPLAY_LIMIT = 40;

let server: RunningServer;
let dir: string;
const rooms: ArenaRoomClient[] = [];
let carol: Person;
let dave: Person;
let watcher: Person;
let eve: { token: string };
let replayId: string;

interface Person {
  readonly token: string;
  readonly userId: string;
  readonly room: ArenaRoomClient;
}

async function get(path: string, token?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

/** Signs in as `name` and takes a seat (a player's, or a watcher's) in the private room `code`, as the page does. */
async function codeJoin(name: string, code: string, spectate = false): Promise<Person> {
  const signed = (await (await fetch(`${server.url}/api/auth/guest`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }),
  })).json()) as { token: string; userId: string };
  const client = new JoinClient(server.url);
  client.auth.token = signed.token;
  const res = await fetch(`${server.url}/api/matchmake/code`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${signed.token}` }, body: JSON.stringify({ code, name, spectate }),
  });
  expect(res.status).toBe(200);
  const room = (await client.consumeSeatReservation((await res.json()) as never)) as ArenaRoomClient;
  rooms.push(room);
  return { token: signed.token, userId: signed.userId, room };
}

/** A token signed with another secret, claiming `userId`. */
async function forgedFor(userId: string, name: string): Promise<string> {
  return (await issueGuestToken(new TextEncoder().encode("not-the-server-secret-not-the-server-secret"), name, undefined, userId)).token;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "replay-access-"));
  server = await startTestServer(
    { DATA_DIR: dir, RATE_LIMITS: "on", RATE_LIMIT_REPLAYS: `${REPLAY_LIMIT}/60` },
    { match: { warmupSeconds: 0.2, matchSeconds: 2, resultsSeconds: 0.5 } },
  );
  // Carol's private room, Dave joins by its code, a spectator watches it; Eve plays elsewhere.
  const c = await signIn(server.url, "carol");
  const carolRoom = (await c.client.create(ROOM_ARENA, { name: "carol", private: true })) as ArenaRoomClient;
  rooms.push(carolRoom);
  await waitForOwnPlayer(carolRoom);
  // The token's subject is the user id (a JWT's payload is readable by its holder).
  const carolId = (JSON.parse(Buffer.from(c.token.split(".")[1]!, "base64url").toString()) as { sub: string }).sub;
  carol = { token: c.token, userId: carolId, room: carolRoom };
  const stored = new Promise<string>((resolve) => server.replays!.onRecorded((meta) => resolve(meta.id)));
  dave = await codeJoin("dave", carolRoom.roomId);
  watcher = await codeJoin("watcher", carolRoom.roomId, true);
  eve = { token: await guestToken(server.url, "eve") };
  await waitForState(carolRoom, (s) => s.phase === "results", 8000, "the private match's results");
  await waitForState(carolRoom, (s) => s.phase === "warmup", 4000, "warm-up after the results");
  replayId = await stored;
}, 20_000);
afterAll(async () => {
  await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a private room's replay", () => {
  it("is served, listed and summarised for each player of the room, with their own token", async () => {
    for (const who of [carol, dave]) {
      const list = (await (await get("/api/replays?mine=1", who.token)).json()) as ReplayListOut;
      expect(list.replays.map((r) => r.id)).toEqual([replayId]);
      expect(list.replays[0]).toMatchObject({ private: true, roomId: carol.room.roomId });
      const res = await get(`/api/replays/${replayId}`, who.token);
      expect(res.status).toBe(200);
      const reader = ReplayReader.open(new Uint8Array(await res.arrayBuffer()));
      expect(reader.header.private).toBe(true);
      expect(reader.verify()).toBeGreaterThan(0);
      expect((await get(`/api/replays/${replayId}/summary`, who.token)).status).toBe(200);
    }
  });

  it("is refused without a token (401), with a forged one (401), to another player (403) and to a spectator of that room (403)", async () => {
    const forged = await forgedFor(carol.userId, "carol");
    const cases: Array<[string, string | undefined, number, string]> = [
      ["no token", undefined, 401, ReplayErrors.AUTH_FAILED],
      ["garbage token", "garbage", 401, ReplayErrors.AUTH_FAILED],
      ["forged token with carol's user id", forged, 401, ReplayErrors.AUTH_FAILED],
      ["eve, who did not play in it", eve.token, 403, ReplayErrors.FORBIDDEN],
      ["a spectator of the room", watcher.token, 403, ReplayErrors.FORBIDDEN],
    ];
    for (const [who, token, status, error] of cases) {
      for (const path of [`/api/replays/${replayId}`, `/api/replays/${replayId}/summary`]) {
        const res = await get(path, token);
        expect(res.status, `${who} ${path}`).toBe(status);
        expect(await res.json(), `${who} ${path}`).toMatchObject({ error });
      }
    }
  });

  it("is in nobody else's list: not the public one, not by its room, not a stranger's own", async () => {
    const lists = [await get("/api/replays"), await get(`/api/replays?room=${carol.room.roomId}`), await get("/api/replays?mine=1", eve.token), await get("/api/replays?mine=1", watcher.token)];
    for (const res of lists) {
      expect(res.status).toBe(200);
      expect(((await res.json()) as ReplayListOut).replays.map((r) => r.id)).not.toContain(replayId);
    }
    expect((await get("/api/replays?mine=1", await forgedFor(carol.userId, "carol"))).status).toBe(401);
  });
});

describe("the replay routes' rate limit", () => {
  it(`refuses a flood from one address with 429 and Retry-After after ${REPLAY_LIMIT} requests a minute, other routes unaffected`, async () => {
    let refused: Response | undefined;
    let sent = 0;
    while (refused === undefined && sent <= REPLAY_LIMIT) {
      const res = await get(sent % 2 === 0 ? "/api/replays" : `/api/replays/${replayId}`, carol.token);
      sent++;
      if (res.status === 429) refused = res;
      else await res.arrayBuffer();
    }
    expect(refused, `no 429 within ${sent} requests`).toBeDefined();
    expect(refused!.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await refused!.json()).toMatchObject({ error: "rate_limited", message: expect.stringContaining("replay") });
    expect((await get(`/api/replays/${replayId}/summary`, carol.token)).status).toBe(429);
    expect((await get("/api/leaderboard")).status).toBe(200);
  });
});
