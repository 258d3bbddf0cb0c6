/**
 * Join tickets: no long-lived token in any URL. Every URL the real SDK opens during each kind of join (quick
 * play, private room, code join, spectating, the lobby, the editor) is captured on the server as it arrives;
 * none holds a guest token, and each websocket carries a join ticket instead. Hostile connects (a used ticket
 * replayed, an expired one, one for another room or another seat, a guest token or a stream ticket in the
 * URL, garbage) are refused while a player plays on.
 */
import type { IncomingMessage } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Client, ErrorCode } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { JoinErrorCodes, ROOM_ARENA, ROOM_LOBBY } from "@arena/shared";
import { ROOM_EDITOR } from "@arena/shared/editor";
import {
  LobbyWatcher, TEST_SECRET, countPatches, createPrivate, joinByCode, joinEditor, newMapId, quickPlay, signIn, spectate,
  startTestServer, type ArenaRoomClient, type RunningServer,
} from "@arena/testkit";
import { issueTicket, TICKET_TTL_S } from "../src/tickets.ts";

const secret = new TextEncoder().encode(TEST_SECRET);
let server: RunningServer;
/** Every request line's URL that reached the server, HTTP and websocket upgrades alike. */
const urls: { kind: "http" | "upgrade"; url: string }[] = [];
/** Guest tokens of the players this file signed in. */
const tokens = new Set<string>();
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const http = server.gameServer.transport.server!;
  // Prepended, so the URL is seen before Colyseus or Express act on the request.
  http.prependListener("request", (req: IncomingMessage) => urls.push({ kind: "http", url: req.url ?? "" }));
  http.prependListener("upgrade", (req: IncomingMessage) => urls.push({ kind: "upgrade", url: req.url ?? "" }));
});

afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f().catch(() => undefined)));
});

afterAll(async () => {
  await server?.close();
});

async function player(name: string): Promise<{ client: JoinClient; token: string }> {
  const { client, token } = await signIn(server.url, name);
  tokens.add(token);
  return { client: client as JoinClient, token };
}

function tracked<R extends { leave(): Promise<unknown> }>(room: R): R {
  cleanup.push(() => room.leave());
  return room;
}

/** A seat in `roomId` reserved for `token` at matchmaking (the part an attacker can do with their own token). */
async function reserve(roomId: string, token: string): Promise<{ roomId: string; sessionId: string; ticket: string }> {
  const res = await fetch(`${server.url}/matchmake/joinById/${roomId}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: "someone" }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { roomId: string; sessionId: string; ticket: string };
}

/** Connects to a reservation with `ticket` in the URL instead of the one it came with; resolves to the refusal. */
async function connectWith(reservation: object, ticket: string | undefined): Promise<{ code?: number; message?: string } | "joined"> {
  const client = new JoinClient(server.url);
  return client.consumeSeatReservation({ ...reservation, ticket } as never).then(
    (room) => {
      tracked(room);
      return "joined" as const;
    },
    (e: unknown) => e as { code?: number; message?: string },
  );
}

function ticketIn(url: string): string | null {
  return new URL(url, "ws://x").searchParams.get("_authToken");
}

describe("join tickets", () => {
  it("puts no guest token in any URL the real SDK opens, for every kind of join: each websocket carries a join ticket", async () => {
    const from = urls.length;
    const host = tracked(await createPrivate(server.url, "host"));
    const quick = tracked(await quickPlay(server.url, "quick"));
    const guest = tracked(await joinByCode(server.url, "guest", { code: host.roomId }));
    const watcher = tracked(await spectate(server.url, "watcher", quick.roomId));
    const lobby = await LobbyWatcher.open(server.url);
    cleanup.push(() => lobby.room.leave());
    const editor = await joinEditor(server.url, "editor", { mapId: newMapId(), create: true });
    cleanup.push(() => editor.room.leave());
    expect([guest.roomId, watcher.roomId]).toEqual([host.roomId, quick.roomId]);

    // The testkit's sign-ins above keep their tokens to themselves: one more join with a token this test holds.
    const { client, token } = await player("known");
    tracked(await client.joinOrCreate(ROOM_ARENA, { name: "known" }));

    const seen = urls.slice(from);
    const upgrades = seen.filter((u) => u.kind === "upgrade");
    // host, quick, guest, watcher, lobby, editor, known.
    expect(upgrades.length).toBeGreaterThanOrEqual(7);
    for (const { url } of upgrades) {
      const ticket = ticketIn(url);
      expect(ticket, url).not.toBeNull();
      // A join ticket is not a JWT (a guest token is three dot-separated parts).
      expect(ticket!.split(".")).toHaveLength(2);
    }
    for (const { url } of seen) {
      expect(url).not.toContain(token);
      for (const t of tokens) expect(url).not.toContain(t);
      // No URL holds anything shaped like a JWT (header.payload.signature, base64url), whoever's it is.
      expect(url).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    }
    expect(seen.some((u) => u.kind === "http" && u.url.startsWith(`/matchmake/joinOrCreate/${ROOM_LOBBY}`))).toBe(true);
    expect(seen.some((u) => u.kind === "http" && u.url.startsWith(`/matchmake/joinOrCreate/${ROOM_EDITOR}`))).toBe(true);
  });

  describe("hostile connects, while a player plays on", () => {
    let host: ArenaRoomClient;
    let victimRoom: { leave(): Promise<unknown> };
    let victimSeat: { roomId: string; sessionId: string; ticket: string };
    let attackerToken: string;
    let victimToken: string;

    beforeAll(async () => {
      host = await createPrivate(server.url, "host");
      host.onMessage("*", () => {});
      const victim = await player("victim");
      victimToken = victim.token;
      victimSeat = await reserve(host.roomId, victim.token);
      const room = await victim.client.consumeSeatReservation(victimSeat as never);
      room.onMessage("*", () => {});
      victimRoom = room;
      attackerToken = (await player("attacker")).token;
    });

    afterAll(async () => {
      await Promise.all([host?.leave(), victimRoom?.leave()].map((p) => p?.catch(() => undefined)));
    });

    it("refuses a used ticket replayed on its own seat (consumed) and on the attacker's fresh seat (another seat)", async () => {
      expect(await connectWith(victimSeat, victimSeat.ticket)).toMatchObject({ code: ErrorCode.MATCHMAKE_EXPIRED });
      const own = await reserve(host.roomId, attackerToken);
      expect(await connectWith(own, victimSeat.ticket)).toMatchObject({ code: JoinErrorCodes.AUTH_FAILED, message: "this join ticket is for another seat" });
      expect(await countPatches(host, 300)).toBeGreaterThan(0);
    });

    it("refuses an expired ticket for exactly the right seat", async () => {
      const own = await reserve(host.roomId, attackerToken);
      const now = Date.now();
      const spy = vi.spyOn(Date, "now").mockReturnValue(now - (TICKET_TTL_S.join + 1) * 1000);
      const { ticket } = issueTicket(secret, { userId: "g_attacker", name: "attacker" }, "join", own);
      spy.mockRestore();
      expect(await connectWith(own, ticket)).toMatchObject({ code: JoinErrorCodes.AUTH_FAILED, message: expect.stringMatching(/valid join ticket/) });
      // The same ticket, fresh, is accepted: only its age was wrong.
      const fresh = await reserve(host.roomId, attackerToken);
      expect(await connectWith(fresh, issueTicket(secret, { userId: "g_attacker", name: "attacker" }, "join", fresh).ticket)).toBe("joined");
    });

    // A refused connect also drops its reservation (Colyseus), so each attempt below is on a fresh seat of the attacker's.
    it("refuses a ticket for another room, or for another person's seat in this room", async () => {
      const own = await reserve(host.roomId, attackerToken);
      const otherRoom = issueTicket(secret, { userId: "g_attacker", name: "attacker" }, "join", { roomId: "someOtherRoom", sessionId: own.sessionId }).ticket;
      expect(await connectWith(own, otherRoom)).toMatchObject({ code: JoinErrorCodes.AUTH_FAILED, message: "this join ticket is for another seat" });
      // Another person's fresh seat in the same room (the victim joining again), and its ticket on the attacker's seat.
      const theirs = await reserve(host.roomId, victimToken);
      const mine = await reserve(host.roomId, attackerToken);
      expect(await connectWith(mine, theirs.ticket)).toMatchObject({ code: JoinErrorCodes.AUTH_FAILED, message: "this join ticket is for another seat" });
    });

    it("refuses a guest token in the URL (the stock SDK's way), a stream ticket, a forged ticket and garbage", async () => {
      // The stock SDK client puts auth.token in the websocket URL: the server takes only a join ticket there.
      const stock = new Client(server.url);
      stock.auth.token = attackerToken;
      const refused = await stock.joinById(host.roomId, { name: "stock" }).then((r) => tracked(r), (e: unknown) => e);
      expect(refused).toMatchObject({ code: JoinErrorCodes.AUTH_FAILED });
      const stream = issueTicket(secret, { userId: "g_attacker", name: "attacker" }, "stream").ticket;
      const other = new TextEncoder().encode("another-secret-of-at-least-32-characters");
      const attempts: [string, (seat: { roomId: string; sessionId: string }) => string | undefined][] = [
        ["guest token", () => attackerToken],
        ["stream ticket", () => stream],
        ["signed with another secret", (seat) => issueTicket(other, { userId: "g_x", name: "x" }, "join", seat).ticket],
        ["garbage", () => "not.a-ticket"],
        ["none", () => undefined],
      ];
      for (const [what, ticketFor] of attempts) {
        const own = await reserve(host.roomId, attackerToken);
        expect(await connectWith(own, ticketFor(own)), what).toMatchObject({ code: JoinErrorCodes.AUTH_FAILED });
      }
      expect(await countPatches(host, 300)).toBeGreaterThan(0);
    });
  });
});
