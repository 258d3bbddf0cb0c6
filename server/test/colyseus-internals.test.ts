/**
 * What server/src/colyseusInternals.ts relies on in the installed Colyseus
 * packages, one fact a test. If an upgrade changes one of them, this fails on
 * that fact, before the feature built on it (spectator caps, join metrics,
 * listings after an outage, quick play, rate limits, the ghost sweeper,
 * matchmaking after a Redis outage, the rooms' shared beats) silently stops
 * working.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Server as HttpServer } from "node:http";
import { Redis } from "ioredis";
import { WebSocket, WebSocketServer } from "ws";
import { ClientState, Room, matchMaker, subscribeLobby, updateLobby, type Client } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { ROOM_ARENA, ServerMessage } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import {
  LOBBY_CHANNEL, announceRoomGone, clientSocket, guardRequests, heldSeat, interceptMatchmaking, isReserved, isSeatReservationError, listLockedBeforeRecorded, lobbyNoticeRoom, matchMakerReady,
  processesListening, roomListening, redisDriverInternals, reserveSeat, reservedSessionIds, roomListing, staticOnAuth, takeInterval, transportHttpServer,
  transportSocketServer, watchReservations,
} from "../src/colyseusInternals.ts";
import { dropSocket, guestToken, joinArena, serverRoom, signIn, startTestServer, waitForState, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
let host: ArenaRoomClient;
beforeAll(async () => {
  server = await startTestServer({}, { reconnectGraceSeconds: 30 });
  ({ room: host } = await joinArena(server.url, "host"));
});
afterAll(async () => {
  await host.leave().catch(() => undefined);
  await server.close();
});

const post = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}", signal: AbortSignal.timeout(5000) });

describe("Room seats: _reserveSeat and _reservedSeats", () => {
  it("_reserveSeat asks hasReachedMaxClients before it returns, then records the seat in _reservedSeats", async () => {
    const room = serverRoom(host);
    let inside = false;
    const asked: boolean[] = [];
    const original = room.hasReachedMaxClients;
    room.hasReachedMaxClients = function (this: typeof room): boolean {
      asked.push(inside);
      return original.call(this);
    };
    let reserving: Promise<boolean>;
    try {
      reserving = reserveSeat(room, "probe-seat", {}, { enter: () => (inside = true), leave: () => (inside = false) });
    } finally {
      room.hasReachedMaxClients = original;
    }
    expect(asked[0]).toBe(true);
    expect(await reserving).toBe(true);
    expect(reservedSessionIds(room)).toContain("probe-seat");
    expect(isReserved(room, "probe-seat")).toBe(true);
  });

  it("_reserveSeat refuses without recording when hasReachedMaxClients says full", async () => {
    const room = serverRoom(host);
    const original = room.hasReachedMaxClients;
    room.hasReachedMaxClients = () => true;
    let reserving: Promise<boolean>;
    try {
      reserving = reserveSeat(room, "refused-seat", {}, { enter: () => undefined, leave: () => undefined });
    } finally {
      room.hasReachedMaxClients = original;
    }
    expect(await reserving).toBe(false);
    expect(reservedSessionIds(room)).not.toContain("refused-seat");
  });

  it("a connected client's seat is not listed in _reservedSeats; a seat held for reconnection is", async () => {
    const room = serverRoom(host);
    const { room: guest } = await joinArena(server.url, "guest");
    expect(reservedSessionIds(room)).not.toContain(guest.sessionId);
    expect(isReserved(room, guest.sessionId)).toBe(false);
    guest.reconnection.enabled = false;
    dropSocket(guest);
    await waitForState(host, (s) => s.players.get(guest.sessionId)?.connected === false, 3000, "seat held");
    expect(reservedSessionIds(room)).toContain(guest.sessionId);
  });

  it("matchmaking reserves through the room instance's _reserveSeat, so a per-room wrapper sees each seat", async () => {
    const room = serverRoom(host);
    const seen: string[] = [];
    watchReservations(room, { seatReserved: (id) => seen.push(id), seatRefused: () => seen.push("refused") });
    const reservation = await matchMaker.reserveSeatFor((await matchMaker.getRoomById(room.roomId))!, {});
    expect(seen).toEqual([reservation.sessionId]);
  });

  it("reserveSeatFor throws SeatReservationError (recognized by its class name) for a room that is full", async () => {
    const room = serverRoom(host);
    const original = room.hasReachedMaxClients;
    room.hasReachedMaxClients = () => true;
    try {
      const refusal = await matchMaker.reserveSeatFor((await matchMaker.getRoomById(room.roomId))!, {}).then(() => undefined, (e: unknown) => e);
      expect(isSeatReservationError(refusal)).toBe(true);
    } finally {
      room.hasReachedMaxClients = original;
    }
    expect(isSeatReservationError(new Error("other"))).toBe(false);
  });
});

describe("Room listing: _listing and lock(internal)", () => {
  it("lock(true) locks the room and its own listing copy without writing the listing nor locking explicitly; unlock() writes that same object", async () => {
    const room = serverRoom(host);
    await room.unlock();
    const update = vi.spyOn(matchMaker.driver, "update");
    try {
      listLockedBeforeRecorded(room);
      expect(room.locked).toBe(true);
      expect(roomListing(room).locked).toBe(true);
      expect(update).not.toHaveBeenCalled();
      expect((room as unknown as { _lockedExplicitly: boolean })._lockedExplicitly).toBe(false);
      await room.unlock();
      expect(update).toHaveBeenCalledWith(roomListing(room), { $set: { locked: false } });
      expect(roomListing(room).locked).toBe(false);
    } finally {
      update.mockRestore();
    }
  });

  it("_listing is the room's own listing: it carries the room's id and every metadata change", async () => {
    const room = serverRoom(host);
    expect(roomListing(room).roomId).toBe(room.roomId);
    await room.setMetadata({ probe: 7 } as never);
    expect((roomListing(room).metadata as { probe?: number }).probe).toBe(7);
  });
});

describe("Reconnection: what allowReconnection returns", () => {
  it("for a client that never fully joined, a plain rejected Promise rather than a Deferred: heldSeat says nothing is held and handles the rejection", async () => {
    const room = serverRoom(host);
    const notJoined = { sessionId: "never-joined", reconnectionToken: "t", _enqueuedMessages: [] } as unknown as Client;
    const returned = room.allowReconnection(notJoined, 1);
    expect(returned).toBeInstanceOf(Promise);
    // An unhandled rejection would fail this file; heldSeat must have caught it.
    expect(heldSeat(returned)).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
  });
});

describe("Join acknowledgement: Room#_onMessage's JOIN_ROOM branch", () => {
  it("marks the client joined, sends the full state and then what was queued for it, and leaves _enqueuedMessages in place as undefined (a delete makes the client a slow dictionary)", async () => {
    const { client } = await signIn(server.url, "acknowledged");
    const room = (await client.joinOrCreate(ROOM_ARENA, { name: "acknowledged" })) as ArenaRoomClient;
    try {
      // VoiceConfig is sent in onJoin, while the client is still JOINING: it waits in the queue until the acknowledgement.
      const queued = new Promise<unknown>((resolve) => room.onMessage(ServerMessage.VoiceConfig, resolve));
      room.onMessage("*", () => {});
      await waitForState(room, (s) => s.players.has(room.sessionId), 5000, "the full state");
      await queued;
      const joined = serverRoom(room).clients.getById(room.sessionId) as unknown as { state: number; _joinedAt: unknown };
      expect(joined.state).toBe(ClientState.JOINED);
      expect(typeof joined._joinedAt).toBe("number");
      expect(Object.getOwnPropertyDescriptor(joined, "_enqueuedMessages")).toMatchObject({ value: undefined });
    } finally {
      await room.leave();
    }
  });
});

describe("A room's own timers: setFixedTimestep and the patchRate setter", () => {
  /** A room as matchmaking makes it before onCreate (`__init` turns patchRate into the accessor that starts the timer). */
  const initialized = (onPatch: () => void): Room => {
    const room = new (class extends Room {
      override broadcastPatch(): boolean {
        onPatch();
        return true;
      }
    })();
    (room as unknown as { __init(): void }).__init();
    return room;
  };

  it("each starts exactly one setInterval(callback, ms), which takeInterval hands over unstarted: the callback steps on the room's clock and broadcasts", async () => {
    let patches = 0;
    const room = initialized(() => patches++);
    let steps = 0;
    const stepping = takeInterval(() => room.setFixedTimestep(() => steps++, 30));
    expect(stepping.periodMs).toBe(1000 / 30);
    const patching = takeInterval(() => {
      room.patchRate = 50;
    });
    expect(patching.periodMs).toBe(50);
    expect(room.patchRate).toBe(50);
    // Nothing runs on its own: no timer was started.
    await new Promise((r) => setTimeout(r, 120));
    expect({ steps, patches }).toEqual({ steps: 0, patches: 0 });
    // The fixed timestep's accumulator runs the steps due on the room's clock (at least the three of 100 ms).
    stepping.run();
    expect(steps).toBeGreaterThanOrEqual(3);
    patching.run();
    expect(patches).toBe(1);
    // What the room keeps is not a timer, and its disposal's clearInterval takes it without complaint.
    const kept = (room as unknown as { _simulationInterval: { hasRef?: unknown } })._simulationInterval;
    expect(kept).toBeDefined();
    expect(kept.hasRef).toBeUndefined();
    expect(() => clearInterval(kept as unknown as NodeJS.Timeout)).not.toThrow();
    room.clock.stop();
  });

  it("a call that starts no timer is refused, and the global setInterval is Node's again afterwards", () => {
    const node = globalThis.setInterval;
    expect(() => takeInterval(() => undefined)).toThrow(/expected one setInterval/);
    expect(() => takeInterval(() => {
      throw new Error("inside");
    })).toThrow("inside");
    expect(globalThis.setInterval).toBe(node);
  });
});

describe("WebSocket transport: wss, server, client.ref", () => {
  it("a WebSocketTransport keeps a ws server in wss, and after listen() its HTTP server in server", async () => {
    const transport = new WebSocketTransport();
    expect(transportSocketServer(transport)).toBeInstanceOf(WebSocketServer);
    await new Promise<void>((resolve) => transport.listen(0, "127.0.0.1", undefined, resolve));
    try {
      const http = transportHttpServer(transport);
      expect(http).toBeInstanceOf(HttpServer);
      expect(http.listening).toBe(true);
    } finally {
      transport.shutdown();
    }
  });

  it("a room client's ref is the ws socket the transport's ws server emitted on connection", async () => {
    const wss = transportSocketServer(server.gameServer.transport as WebSocketTransport);
    const client = serverRoom(host).clients.getById(host.sessionId);
    const socket = clientSocket(client!);
    expect(socket).toBeInstanceOf(WebSocket);
    expect(wss.clients.has(socket as WebSocket)).toBe(true);
  });
});

describe("Matchmaking: controller.invokeMethod, the 'request' listener, static onAuth", () => {
  it("the /matchmake route calls controller.invokeMethod at each request, so an interception sees (and can pass on) every call", async () => {
    const seen: [string, string][] = [];
    const uninstall = interceptMatchmaking((original, method, roomName, ...rest) => {
      seen.push([method, roomName]);
      return original(method, roomName, ...rest);
    });
    try {
      const res = await post("/matchmake/join/no_such_room");
      expect(res.status).toBeGreaterThanOrEqual(400);
    } finally {
      uninstall();
    }
    expect(seen).toEqual([["join", "no_such_room"]]);
    await post("/matchmake/join/no_such_room");
    expect(seen).toHaveLength(1);
  });

  it("Colyseus answers /matchmake from a 'request' listener of the transport's HTTP server, which a guard put in front of them all sees first", async () => {
    const http = transportHttpServer(server.gameServer.transport as WebSocketTransport);
    guardRequests(http, (req, res, pass) => {
      if (req.headers["x-probe"] === "refuse") {
        res.writeHead(418).end();
        return;
      }
      pass();
    });
    expect((await post("/matchmake/join/no_such_room", { "x-probe": "refuse" })).status).toBe(418);
    const passed = await post("/matchmake/join/no_such_room");
    expect(passed.status).not.toBe(418);
    expect(passed.status).toBeGreaterThanOrEqual(400);
  });

  it("a room class's static onAuth is found by its room name and refuses a forged token, admits a real one", async () => {
    const onAuth = staticOnAuth(ROOM_ARENA);
    expect(onAuth).toBeTypeOf("function");
    const context = { token: "forged", headers: new Headers(), ip: "127.0.0.1" };
    await expect(Promise.resolve().then(() => onAuth!("forged", {}, context))).rejects.toThrow();
    const token = await guestToken(server.url, "auth-probe");
    expect(await onAuth!(token, {}, { ...context, token })).toBeTruthy();
  });
});

describe("This process's matchmaker: matchMaker.state", () => {
  it("is READY while the server runs, one of MatchMakerState's values, SHUTTING_DOWN among them", () => {
    expect(matchMaker.MatchMakerState).toMatchObject({ READY: expect.anything(), SHUTTING_DOWN: expect.anything() });
    expect(matchMaker.state).toBe(matchMaker.MatchMakerState.READY);
    expect(matchMakerReady()).toBe(true);
  });
});

describe("Lobby notices: the $lobby channel", () => {
  it("Colyseus' own updateLobby publishes '<roomId>,0' there, and subscribeLobby takes announceRoomGone's notice as a removal", async () => {
    const heard: string[] = [];
    const listen = (message: unknown): void => void heard.push(String(message));
    await matchMaker.presence.subscribe(LOBBY_CHANNEL, listen);
    const removed: [string, unknown][] = [];
    const stop = await subscribeLobby((roomId, listing) => void removed.push([roomId, listing]));
    try {
      const room = serverRoom(host);
      updateLobby(room);
      await vi.waitFor(() => expect(heard).toContain(`${room.roomId},0`));
      expect(lobbyNoticeRoom(`${room.roomId},0`)).toBe(room.roomId);
      await announceRoomGone(matchMaker.presence, "gone-room");
      await vi.waitFor(() => expect(removed).toContainEqual(["gone-room", null]));
    } finally {
      await matchMaker.presence.unsubscribe(LOBBY_CHANNEL, listen);
      await stop();
    }
  });
});

describe("Processes: the IPC channel", () => {
  it("a process's IPC channel is p:<processId>, listed by presence.channels", async () => {
    expect(await processesListening(matchMaker.presence)).toContain(matchMaker.processId);
  });

  it("a room's IPC channel is $<roomId>, listed by presence.channels while the room lives", async () => {
    expect(await roomListening(matchMaker.presence, host.roomId)).toBe(true);
    expect(await roomListening(matchMaker.presence, "no-such-room")).toBe(false);
  });
});

describe("Redis listing: RedisDriver's _client and shared reads", () => {
  it("a failed read stays shared until forgotten; forgetSharedReads makes the next read ask Redis again", async () => {
    const redis = new Redis({ lazyConnect: true });
    let failing = true;
    let calls = 0;
    // Stands in for Redis: an HGETALL that fails during an "outage", then answers.
    redis.hgetall = (() => {
      calls++;
      return failing ? Promise.reject(new Error("outage")) : Promise.resolve({});
    }) as unknown as Redis["hgetall"];
    const driver = new RedisDriver(redis);
    const internals = redisDriverInternals(driver);
    await expect(driver.query({})).rejects.toThrow("outage");
    failing = false;
    // Colyseus' own behaviour, the reason for forgetSharedReads: the failed read is handed out again.
    await expect(driver.query({})).rejects.toThrow("outage");
    expect(calls).toBe(1);
    internals.forgetSharedReads();
    await expect(driver.query({})).resolves.toEqual([]);
    expect(calls).toBe(2);

    const before = redis.listenerCount("error");
    internals.onConnectionError(() => undefined);
    expect(redis.listenerCount("error")).toBe(before + 1);
    internals.disconnect();
    expect(redis.status).toBe("end");
  });

  it("a driver without the expected private parts is refused at once", () => {
    expect(() => redisDriverInternals({} as RedisDriver)).toThrow(/redis-driver changed/);
  });
});
