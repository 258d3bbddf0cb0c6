/**
 * No token, no seat: every matchmaking route refuses a missing, forged,
 * tampered, expired or garbage token before a room is created or a seat
 * reserved. Plain HTTP (what an attacker sends), counted on the fixture.server.
 */
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { matchMaker } from "@colyseus/core";
import { JoinErrorCodes, ROOM_ARENA, ROOM_LOBBY } from "@arena/shared";
import { ROOM_EDITOR } from "@arena/shared/editor";
import { issueGuestToken } from "../src/auth.ts";
import { reservedSessionIds } from "../src/colyseusInternals.ts";
import { TEST_SECRET, joinArena } from "@arena/testkit";
import { useServerWithHost } from "@arena/testkit/fixtures";

const fixture = useServerWithHost("host");

/** Tokens an attacker can send: none, empty, garbage, forged, tampered, expired, unsigned. */
async function badTokens(): Promise<Array<string | undefined>> {
  const secret = new TextEncoder().encode(TEST_SECRET);
  const real = await issueGuestToken(secret, "real");
  const [h, sig] = real.token.split(".");
  const payload = Buffer.from(JSON.stringify({ sub: "g_someone-else", name: "x", iss: "arena", aud: "arena:guest", exp: 9_999_999_999 })).toString("base64url");
  const forged = await new SignJWT({ name: "f" }).setProtectedHeader({ alg: "HS256" }).setSubject("g_f").setIssuer("arena")
    .setAudience("arena:guest").setExpirationTime("1h").sign(new TextEncoder().encode("another-secret-0123456789-0123456789"));
  const expired = await issueGuestToken(secret, "old", -10);
  const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload}.`;
  return [undefined, "", "garbage", forged, `${h}.${payload}.${sig}`, expired.token, unsigned];
}

function routes(roomId: string): string[] {
  return [
    `/matchmake/joinOrCreate/${ROOM_ARENA}`,
    `/matchmake/create/${ROOM_ARENA}`,
    `/matchmake/join/${ROOM_ARENA}`,
    `/matchmake/joinById/${roomId}`,
    `/matchmake/joinOrCreate/${ROOM_LOBBY}`,
    `/matchmake/create/${ROOM_LOBBY}`,
    `/matchmake/joinOrCreate/${ROOM_EDITOR}`,
    `/matchmake/create/${ROOM_EDITOR}`,
  ];
}

async function post(path: string, token: string | undefined, body: unknown = { name: "x" }): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${fixture.server.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** Rooms in the shared listing, and seats reserved but not connected in each room of this process. */
async function roomsAndReservations(): Promise<{ rooms: number; reserved: number; local: number }> {
  const listed = await matchMaker.query({});
  let reserved = 0;
  for (const r of listed) {
    const room = matchMaker.getLocalRoomById(r.roomId);
    if (room !== undefined) reserved += reservedSessionIds(room).length;
  }
  return { rooms: listed.length, reserved, local: matchMaker.stats.local.roomCount };
}

describe("matchmaking refuses requests without a valid token", () => {
  it("answers 500 token-less and forged requests on every route with 525 and creates no room and reserves no seat, while a real player joins at once", async () => {
    const before = await roomsAndReservations();
    expect(before).toEqual({ rooms: 1, reserved: 0, local: 1 });
    const tokens = await badTokens();
    const paths = routes(fixture.host.roomId);
    const requests = Array.from({ length: 500 }, (_, i) => ({ path: paths[i % paths.length]!, token: tokens[i % tokens.length] }));
    const statuses = new Map<number, number>();
    let player: Promise<number> | undefined;
    for (let i = 0; i < requests.length; i += 50) {
      const batch = await Promise.all(requests.slice(i, i + 50).map((r) => post(r.path, r.token)));
      for (const r of batch) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect(r.body).toMatchObject({ code: JoinErrorCodes.AUTH_FAILED });
      }
      // Halfway through the storm, a real player joins the host's room.
      if (i === 250) {
        const startedAt = performance.now();
        player = joinArena(fixture.server.url, "real").then(async ({ room }) => {
          const ms = performance.now() - startedAt;
          expect(room.roomId).toBe(fixture.host.roomId);
          await room.leave();
          return ms;
        });
      }
    }
    expect([...statuses]).toEqual([[JoinErrorCodes.AUTH_FAILED, 500]]);
    // ~1.1 s measured under the storm on a busy shared 2-core machine (sign-in, matchmaking, connect, first patch).
    expect(await player).toBeLessThan(3000);
    const after = await roomsAndReservations();
    expect(after).toEqual({ rooms: 1, reserved: 0, local: 1 });
  });

  it("says which check failed, in a JSON body", async () => {
    const tokens = await badTokens();
    const messages = await Promise.all(tokens.map(async (t) => ((await post(`/matchmake/create/${ROOM_ARENA}`, t)).body as { error: string }).error));
    expect(messages).toEqual(["missing token", "missing token", "invalid token", "invalid token", "invalid token", "token expired", "invalid token"]);
  });

  it("still checks the token when the socket connects (a seat reservation alone is not enough)", async () => {
    const secret = new TextEncoder().encode(TEST_SECRET);
    const { token } = await issueGuestToken(secret, "legit");
    const res = await post(`/matchmake/joinById/${fixture.host.roomId}`, token);
    expect(res.status).toBe(200);
    const reservation = res.body as { sessionId: string; roomId: string; processId: string };
    // Connect with the reservation but without a token, as someone who got hold of it would.
    const { Client } = await import("@colyseus/sdk");
    const thief = new Client(fixture.server.url);
    const refused = await thief.consumeSeatReservation(reservation as never).then(() => undefined, (e: unknown) => e);
    expect(refused).toMatchObject({ code: JoinErrorCodes.AUTH_FAILED });
  });
});
