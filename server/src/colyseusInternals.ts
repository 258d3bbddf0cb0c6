/**
 * Every place this server reaches past Colyseus 0.18's public API, in one file.
 *
 * "Public" here means what @colyseus/core, @colyseus/ws-transport and
 * @colyseus/redis-driver declare in their `.d.ts` without `private`,
 * `protected` or `@internal`, used as declared. Everything else the server
 * relies on — private fields, undeclared arguments, objects' identities and
 * the order things happen in inside the framework — goes through a function
 * below, which says what it touches and why we need it. Nothing else in
 * server/src casts a Colyseus object to reach a member it does not declare.
 *
 * Used directly, as declared public: the matchMaker functions the index
 * exports, `matchMaker.controller.getCorsHeaders` and `DEFAULT_CORS_HEADERS`
 * (Colyseus documents overriding the first and merging it over the second;
 * cors.ts replaces both, pinned by server/test/cors.test.ts), and a room
 * class's static `onAuth`.
 *
 * server/test/colyseus-internals.test.ts (and colyseus-takeover.test.ts for
 * the takeover section) checks each of these facts against the installed
 * packages: after an upgrade it fails on the fact that changed, before the
 * feature built on it silently stops working.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import { ClientState, Deferred, Protocol, matchMaker, type AuthContext, type Client, type IRoomCache, type Presence, type Room } from "@colyseus/core";
import { PROTOCOL_CODE_MASK } from "@colyseus/shared-types";
import type { RedisDriver } from "@colyseus/redis-driver";
import type { WebSocketTransport } from "@colyseus/ws-transport";
import type { WebSocketServer } from "ws";
import { Encoder } from "@colyseus/schema";

// ---------------------------------------------------------------------------
// Room seats (Room#_reservedSeats, Room#_reserveSeat)
//
// Colyseus has one capacity, `maxClients`; the arena caps players and
// spectators separately, and no public API says which kind of seat a
// reservation is for, nor tells a room that matchmaking reserved one.
// ---------------------------------------------------------------------------

interface SeatInternals {
  /** Seats reserved and not yet connected; a connected seat's entry is made non-enumerable, a seat held for reconnection stays listed. */
  _reservedSeats: Record<string, unknown>;
  /** What `matchMaker.reserveSeatFor` runs on the room's process (locally or through IPC), on the instance. */
  _reserveSeat(sessionId: string, joinOptions?: unknown, authData?: unknown, ...rest: unknown[]): Promise<boolean>;
}

function seats(room: object): SeatInternals {
  return room as unknown as SeatInternals;
}

/** Session ids whose seat is reserved (not yet connected, or held for a reconnection). Reads `_reservedSeats`. */
export function reservedSessionIds(room: object): string[] {
  return Object.keys(seats(room)._reservedSeats);
}

/** Whether `sessionId` has a reserved (unconnected) seat. Reads `_reservedSeats` (connected seats are non-enumerable). */
export function isReserved(room: object, sessionId: string): boolean {
  return Object.prototype.propertyIsEnumerable.call(seats(room)._reservedSeats, sessionId);
}

/**
 * Reserves a seat in this process's room, as matchmaking would, by calling
 * `_reserveSeat` (spectator seats are reserved through the room, not through
 * matchmaking). `_reserveSeat` asks `hasReachedMaxClients()` synchronously,
 * before its first `await`: `during` is in effect exactly while it runs, so
 * the room's capacity check knows which kind of seat is being asked for.
 */
export function reserveSeat(room: object, sessionId: string, options: unknown, during: { enter(): void; leave(): void }): Promise<boolean> {
  during.enter();
  try {
    return seats(room)._reserveSeat(sessionId, options);
  } finally {
    during.leave();
  }
}

/** Told of each seat a room reserves, and each it refuses because it is full. */
export interface ReservationWatcher {
  seatReserved(sessionId: string): void;
  seatRefused(): void;
}

/**
 * Reports this room's seat reservations to `watcher` (join-phase metrics) by
 * wrapping the instance's `_reserveSeat`, which matchmaking calls for every
 * reservation. The capacity check still runs synchronously inside the call
 * (the wrapper adds no `await` before it), which `reserveSeat` relies on.
 */
export function watchReservations(room: object, watcher: ReservationWatcher): void {
  const r = seats(room);
  const reserve = r._reserveSeat;
  r._reserveSeat = async function (this: SeatInternals, sessionId: string, ...rest: unknown[]): Promise<boolean> {
    const ok = await reserve.call(this, sessionId, ...rest);
    if (ok) watcher.seatReserved(sessionId);
    else watcher.seatRefused();
    return ok;
  };
}

// ---------------------------------------------------------------------------
// Room listing (Room#_listing, Room#lock(internal))
// ---------------------------------------------------------------------------

interface ListingInternals {
  /** The room's own copy of its listing: what `recordRoom` writes at creation and every later update changes. */
  _listing: IRoomCache;
  /** `lock(true)` is an internal lock: it does not mark the lock explicit, nor write a listing not recorded yet. */
  lock(internal?: boolean): Promise<void>;
}

/**
 * Called in onCreate: the listing Colyseus is about to record says locked
 * (sets `_listing.locked` and takes an internal `lock(true)`), so no process
 * reserves a seat before the room listens on its IPC channel
 * (scale/listedOnceListening.ts says why). A later `unlock()` opens it.
 */
export function listLockedBeforeRecorded(room: Room): void {
  const r = room as unknown as ListingInternals;
  r._listing.locked = true;
  void r.lock(true);
}

/**
 * The room's own, up-to-date copy of its listing (`_listing`): after a Redis
 * outage it holds every change that could not be written, and is written
 * back as it is (scale/restoreAfterOutage.ts).
 */
export function roomListing(room: Room): IRoomCache {
  return (room as unknown as ListingInternals)._listing;
}

// ---------------------------------------------------------------------------
// Reconnection (Room#allowReconnection's return value)
// ---------------------------------------------------------------------------

/**
 * What `allowReconnection` actually returned. It is declared to return a
 * Deferred, but for a client that never fully joined, or in a disposing room
 * (SIGTERM), it returns a plain rejected Promise: nothing is held, and the
 * rejection must be caught or it ends the process. Returns the Deferred when
 * a seat is held, undefined (rejection handled) when none is.
 */
export function heldSeat<T>(held: Deferred<T>): Deferred<T> | undefined {
  if (held instanceof Deferred) return held;
  (held as unknown as Promise<unknown>).catch(() => undefined);
  return undefined;
}

// ---------------------------------------------------------------------------
// WebSocket transport (WebSocketTransport#wss, #server; Client#ref)
// ---------------------------------------------------------------------------

/**
 * The transport's `ws` server (declared protected): metrics count frames and
 * the frame guards refuse oversized or malformed frames on each of its sockets.
 */
export function transportSocketServer(transport: WebSocketTransport): WebSocketServer {
  return (transport as unknown as { wss: WebSocketServer }).wss;
}

/** The HTTP server the transport listens on (set by `listen`, not declared), which also answers `/matchmake`. */
export function transportHttpServer(transport: WebSocketTransport): HttpServer {
  return (transport as unknown as { server: HttpServer }).server;
}

/**
 * The `ws` socket behind a room client: `client.ref` is declared an
 * EventEmitter, and with @colyseus/ws-transport it is the very socket the
 * `ws` server emitted on "connection" (what frameLimit.ts and metrics.ts key
 * their per-socket facts by).
 */
export function clientSocket(client: { ref?: unknown }): object | undefined {
  const ref = client.ref;
  return typeof ref === "object" && ref !== null ? ref : undefined;
}

// ---------------------------------------------------------------------------
// Input frames (Room#_inputController, RoomInput#allocate, Client#_input, #_inputDecoder, #_inputBuffer,
// #_reckonBaseline, Room#_timelineMode)
//
// Colyseus gives each client a generic schema decoder for its input frames (RoomInput#allocate, on every
// join and reconnection) and, for each reliable input frame, runs Room#_onMessage → RoomInput#decodeReliable
// → #capture: the frame's TIMED stamp added to the client's running `_reckonBaseline`, the body decoded into
// `client._input`, the room's sanitizer, and a clone pushed on `client._inputBuffer` with the stamp as its
// render time (or reckon time, for a rewind in reckon mode). The arena decodes the four-field input itself and
// takes each input frame straight from the socket into that buffer (rooms/arena/inputWire.ts);
// server/test/input-wire.test.ts checks that the buffer then holds what Colyseus' own path puts there.
// ---------------------------------------------------------------------------

interface InputSlots {
  state?: unknown;
  _input?: unknown;
  _inputDecoder?: unknown;
  _inputBuffer?: { push(snapshot: unknown, renderTime?: number, reckonTime?: number): void };
  _reckonBaseline?: number;
}

/** A client's input slots as RoomInput#allocate leaves them: what taking an input frame reads and writes. */
export interface ClientInputSlots {
  /** The client's state (ClientState); an input of a LEAVING client is dropped. */
  readonly state: unknown;
  /** The running sum of the TIMED stamps' deltas: a stamp is `_reckonBaseline += delta`. */
  _reckonBaseline: number;
  /** Where the room's fixed step takes the client's inputs from, one per step. */
  readonly _inputBuffer: { push(snapshot: unknown, renderTime: number, reckonTime: number): void };
}

/**
 * Gives each client of `room` the decoder `make` returns for its input instance, in place of the generic
 * one, from the next allocation on (call it after `defineInput`, before anyone joins); `make` also gets the
 * client and its input slots, set by then.
 */
export function replaceInputDecoders<D>(room: Room, make: (instance: never, generic: never, client: Client, slots: ClientInputSlots) => D): void {
  const controller = (room as unknown as { _inputController?: { allocate(client: InputSlots): void } })._inputController;
  if (controller === undefined || typeof controller.allocate !== "function") throw new Error("@colyseus/core changed: a room with defineInput has no _inputController.allocate; review server/src/colyseusInternals.ts");
  const allocate = controller.allocate;
  controller.allocate = function (this: unknown, client: InputSlots): void {
    allocate.call(this, client);
    if (client._input === undefined || client._inputDecoder === undefined) throw new Error("@colyseus/core changed: RoomInput#allocate set no _input/_inputDecoder; review server/src/colyseusInternals.ts");
    if (typeof client._inputBuffer?.push !== "function" || typeof client._reckonBaseline !== "number") throw new Error("@colyseus/core changed: RoomInput#allocate set no _inputBuffer/_reckonBaseline (is bufferMaxSize set?); review server/src/colyseusInternals.ts");
    client._inputDecoder = make(client._input as never, client._inputDecoder as never, client as unknown as Client, client as unknown as ClientInputSlots);
  };
}

/**
 * Whether a reliable input's TIMED stamp is its render time, as RoomInput#decodeReliable reads it: yes unless
 * the room's rewind has a group in reckon mode (`Room#_timelineMode`, undefined without a rewind). Asked once
 * the rewind is attached.
 */
export function stampIsRenderTime(room: Room): boolean {
  const mode = (room as unknown as { _timelineMode?: () => { reckon: boolean } | undefined })._timelineMode;
  if (typeof mode !== "function") throw new Error("@colyseus/core changed: a room has no _timelineMode; review server/src/colyseusInternals.ts");
  return mode.call(room)?.reckon !== true;
}

// ---------------------------------------------------------------------------
// Join acknowledgement (Room#_onMessage's JOIN_ROOM branch, Room#sendFullState, Client#_enqueuedMessages,
// #_joinedAt, #_lastMessageTime)
//
// When a client acknowledges its join (a JOIN_ROOM frame while JOINING), Room#_onMessage marks it JOINED,
// stamps `_joinedAt`, sends it the full state, flushes what was queued for it meanwhile, and `delete`s
// `client._enqueuedMessages`. Deleting a field that is not an object's newest turns the object into a
// dictionary in V8: every later read of any field of that client (`state`, `ref`, its input buffer: in
// Colyseus' patch loop, its input path and ours, dozens a frame) is then a hash lookup instead of a fixed
// offset. Everywhere else Colyseus compares the field with undefined (Room#allowReconnection,
// enqueueClientRaw), so the branch runs here the same way with the field set to undefined instead.
// server/test/colyseus-internals.test.ts checks the branch's effects and that the field is still there.
// ---------------------------------------------------------------------------

interface JoiningClient {
  state: ClientState;
  _enqueuedMessages?: Uint8Array[];
  _joinedAt?: number;
  _lastMessageTime?: number;
  raw(data: Uint8Array): void;
}

interface JoinInternals {
  _onMessage(client: JoiningClient, buffer: Uint8Array): void;
  sendFullState(client: JoiningClient): void;
  readonly clock: { readonly currentTime: number; readonly elapsedTime: number };
  readonly state: unknown;
}

/** Makes `room` acknowledge joins without deleting the client's queue (call in onCreate, before anyone joins). */
export function acknowledgeJoinsInPlace(room: Room): void {
  const r = room as unknown as JoinInternals;
  const onMessage = r._onMessage;
  if (typeof onMessage !== "function" || typeof r.sendFullState !== "function") throw new Error("@colyseus/core changed: a room has no _onMessage/sendFullState; review server/src/colyseusInternals.ts");
  r._onMessage = function (this: JoinInternals, client: JoiningClient, buffer: Uint8Array): void {
    if (buffer !== undefined && buffer.length > 0 && (buffer[0]! & PROTOCOL_CODE_MASK) === Protocol.JOIN_ROOM && client.state === ClientState.JOINING) {
      client._lastMessageTime = this.clock.currentTime;
      client.state = ClientState.JOINED;
      client._joinedAt = this.clock.elapsedTime;
      if (this.state) this.sendFullState(client);
      const queued = client._enqueuedMessages;
      if (queued !== undefined) for (const frame of queued) client.raw(frame);
      client._enqueuedMessages = undefined;
      return;
    }
    onMessage.call(this, client, buffer);
  };
}

// ---------------------------------------------------------------------------
// A room's own timers (Room#setFixedTimestep, the patchRate setter, Room#_simulationInterval, #_patchInterval)
//
// `setFixedTimestep` and the `patchRate` setter each start one interval timer with the global `setInterval`,
// synchronously, and keep what it returned to `clearInterval` at disposal (`_simulationInterval`, the private
// `#_patchInterval`). No API starts them without a timer of their own; rooms/beats.ts runs every room's on one
// shared timer, so the callback is taken as Colyseus starts it, and Colyseus keeps a stand-in that its
// `clearInterval` ignores (Node's clearInterval does nothing with an object that is not one of its timers). The
// room keeps everything else: `patchRate`'s value (the rewind's record interval, the input options sent to
// clients), `_simulationInterval` set (so broadcastPatch does not tick the clock a second time).
// server/test/colyseus-internals.test.ts checks both calls start exactly one timer and run from the callback.
// ---------------------------------------------------------------------------

/** What Colyseus keeps in place of the timer it would have started: inert for `clearInterval`. */
const TAKEN_TIMER: object = Object.freeze({ takenBy: "rooms/beats.ts" });

/**
 * Runs `start` (a call that starts one interval timer: `room.setFixedTimestep(...)`, `room.patchRate = ms`) with
 * the global `setInterval` standing in for Node's while it runs, and returns the callback and period that timer
 * would have had, not started. Throws when `start` starts no timer or more than one, or with arguments.
 */
export function takeInterval(start: () => void): { run: () => void; periodMs: number } {
  const realSetInterval = globalThis.setInterval;
  const taken: Array<{ run: () => void; periodMs: number; args: number }> = [];
  const stand = (run: () => void, periodMs?: number, ...args: unknown[]): object => {
    taken.push({ run, periodMs: Number(periodMs), args: args.length });
    return TAKEN_TIMER;
  };
  globalThis.setInterval = stand as unknown as typeof setInterval;
  try {
    start();
  } finally {
    globalThis.setInterval = realSetInterval;
  }
  const [one] = taken;
  if (taken.length !== 1 || one === undefined || typeof one.run !== "function" || one.args > 0 || !(one.periodMs > 0)) {
    throw new Error(`@colyseus/core changed: expected one setInterval(callback, ms), got ${taken.length}; review takeInterval in server/src/colyseusInternals.ts`);
  }
  return { run: one.run, periodMs: one.periodMs };
}

// ---------------------------------------------------------------------------
// Matchmaking (controller.invokeMethod, the 'request' listener, SeatReservationError, static onAuth)
// ---------------------------------------------------------------------------

type InvokeMethod = typeof matchMaker.controller.invokeMethod;

/**
 * Routes the matchmaking calls of the `POST /matchmake/<method>/<room>` route
 * through `intercept`, which may answer or hand over to Colyseus (`original`).
 * Relies on the route calling `matchMaker.controller.invokeMethod(method,
 * roomName, options, authContext)` through the exported object at each request
 * (router/default_routes). Returns a function that puts the original back.
 */
export function interceptMatchmaking(
  intercept: (original: InvokeMethod, ...args: Parameters<InvokeMethod>) => ReturnType<InvokeMethod>,
): () => void {
  const controller = matchMaker.controller;
  const original = controller.invokeMethod;
  const bound = original.bind(controller) as InvokeMethod;
  controller.invokeMethod = function (this: typeof controller, ...args: Parameters<InvokeMethod>) {
    return intercept(bound, ...args);
  } as InvokeMethod;
  return () => void (controller.invokeMethod = original);
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts `guard` in front of every 'request' listener of `server`, Colyseus'
 * matchmaking route included: Colyseus answers `POST /matchmake/*` from its
 * own 'request' listener, bound by `Server.listen()` ahead of Express, so a
 * guard added through Express would never see those requests. `guard` calls
 * `pass()` to let a request through. Call after `listen()`.
 */
export function guardRequests(server: HttpServer, guard: (req: IncomingMessage, res: ServerResponse, pass: () => void) => void): void {
  const listeners = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    guard(req, res, () => {
      for (const l of listeners) l.call(server, req, res);
    });
  });
}

/**
 * Whether `e` is Colyseus' SeatReservationError (thrown by `reserveSeatFor`
 * for a room that is full since its listing was read), which @colyseus/core's
 * index does not export: recognized by its class name.
 */
export function isSeatReservationError(e: unknown): boolean {
  return e instanceof Error && e.constructor.name === "SeatReservationError";
}

/** A room class's static `onAuth(token, options, context)`, run at matchmaking before any seat. */
export type StaticOnAuth = (token: string | undefined, options: Record<string, unknown>, context: AuthContext) => unknown;

/**
 * The static `onAuth` of the room class defined as `roomName`, for a
 * matchmaking path of our own that must authorize as Colyseus' does
 * (`getRoomClass` is typed as a bare constructor, without the static).
 */
export function staticOnAuth(roomName: string): StaticOnAuth | undefined {
  const onAuth = (matchMaker.getRoomClass(roomName) as unknown as { onAuth?: StaticOnAuth }).onAuth;
  return typeof onAuth === "function" ? onAuth : undefined;
}

// ---------------------------------------------------------------------------
// This process's matchmaker (matchMaker.state)
// ---------------------------------------------------------------------------

/**
 * Whether this process's matchmaker takes rooms and seats: `matchMaker.state`
 * is READY, not SHUTTING_DOWN (a graceful stop has begun). `state` is
 * exported, but documented as the MatchMaker's internal state.
 */
export function matchMakerReady(): boolean {
  return matchMaker.state === matchMaker.MatchMakerState.READY;
}

// ---------------------------------------------------------------------------
// Lobby notices (the $lobby channel and its "<roomId>,<removed>" messages)
//
// Colyseus' LobbyRoom on every process hears of listings through one presence
// channel (matchmaker/Lobby.ts, LOBBY_CHANNEL, not exported); `updateLobby`
// publishes there, but needs the Room object, which a dead process's rooms and
// rooms that ended during a Redis outage no longer have.
// ---------------------------------------------------------------------------

/** The presence channel every LobbyRoom listens to. */
export const LOBBY_CHANNEL = "$lobby";

/** Tells every lobby, on every process, that `roomId` is gone (updateLobby's `<roomId>,1`). */
export async function announceRoomGone(presence: Presence, roomId: string): Promise<void> {
  await presence.publish(LOBBY_CHANNEL, `${roomId},1`);
}

/** The room a lobby notice is about (the text before its comma). */
export function lobbyNoticeRoom(notice: string): string {
  return notice.split(",")[0] ?? notice;
}

// ---------------------------------------------------------------------------
// Processes (the IPC channel name)
// ---------------------------------------------------------------------------

/** Colyseus' IPC channel of a process is `p:<processId>` (MatchMaker's getProcessChannel, not exported). */
const PROCESS_CHANNEL_PREFIX = "p:";

/**
 * The ids of the processes subscribed to their IPC channel right now (Redis
 * drops a dead connection's subscriptions at once): the ghost sweeper's first
 * sign that a process is gone. Colyseus' own health check reads the same.
 */
export async function processesListening(presence: Presence): Promise<Set<string>> {
  const channels = await presence.channels(`${PROCESS_CHANNEL_PREFIX}*`);
  return new Set(channels.map((c) => c.slice(PROCESS_CHANNEL_PREFIX.length)));
}

/** A room's IPC channel (MatchMaker's getRoomChannel). */
const roomChannel = (roomId: string): string => `$${roomId}`;

/**
 * Whether the room `roomId` answers remote calls yet: Colyseus lists a room (recordRoom) before it
 * subscribes the room's IPC channel (createRoomReferences), and a remote call made in between waits out
 * REMOTE_ROOM_SHORT_TIMEOUT (2 s). A reconnection to a match being restored on another process waits for this.
 */
export async function roomListening(presence: Presence, roomId: string): Promise<boolean> {
  return (await presence.channels(roomChannel(roomId))).length > 0;
}

// ---------------------------------------------------------------------------
// Redis room listing (RedisDriver#_client, #_concurrentRoomCacheRequest, #_roomCacheRequestByName)
// ---------------------------------------------------------------------------

interface DriverInternals {
  _concurrentRoomCacheRequest?: Promise<unknown>;
  _roomCacheRequestByName: Record<string, Promise<unknown>>;
  _client: { on(event: "error", listener: (error: Error) => void): unknown; disconnect(): void };
}

/** What ResilientRedisDriver needs of RedisDriver's private parts. */
export interface RedisDriverInternals {
  /** Listens to the driver's connection errors (RedisDriver listens to none; ioredis would print each). */
  onConnectionError(listener: (error: Error) => void): void;
  /**
   * Forgets the HGETALL shared between concurrent readers
   * (`_concurrentRoomCacheRequest`, `_roomCacheRequestByName`): RedisDriver
   * clears it only when it succeeds, so one read failed during an outage
   * would answer every later read with the same rejection, forever.
   */
  forgetSharedReads(): void;
  /** Drops the connection at once, also while Redis is down (QUIT would wait for it). */
  disconnect(): void;
}

/**
 * The private parts of a RedisDriver (call from its constructor, after
 * `super`). Throws if they are not there: forgetting the shared read would
 * otherwise silently do nothing after an upgrade.
 */
export function redisDriverInternals(driver: RedisDriver): RedisDriverInternals {
  const d = driver as unknown as DriverInternals;
  if (typeof d._roomCacheRequestByName !== "object" || typeof d._client?.on !== "function" || typeof d._client.disconnect !== "function") {
    throw new Error("@colyseus/redis-driver changed: _roomCacheRequestByName or _client not found; review server/src/colyseusInternals.ts");
  }
  return {
    onConnectionError: (listener) => void d._client.on("error", listener),
    forgetSharedReads: () => {
      d._concurrentRoomCacheRequest = undefined;
      d._roomCacheRequestByName = {};
    },
    disconnect: () => d._client.disconnect(),
  };
}

// ---------------------------------------------------------------------------
// Match takeover (MatchMaker.handleCreateRoom's preset id, Room#_reserveSeat with a token,
// Room#_reconnections, Room#_listing.roomId)
//
// The shape follows devMode's `reloadFromCache` (@colyseus/core utils/DevMode.ts): a room recreated
// under its old id, a seat held for each cached reconnection token. rooms/arena/keeper.ts uses it
// to take a match over from a process that died or stopped.
// ---------------------------------------------------------------------------

interface TakeoverInternals {
  _listing: { roomId: string | undefined };
  _reservedSeats: Record<string, unknown>;
  _reconnections: Record<string, [string, { then(ok: (client: Client) => void, failed: () => void): unknown }]>;
  _reserveSeat(sessionId: string, joinOptions: unknown, authData: unknown, seconds: number, allowReconnection: boolean, token: string): Promise<boolean>;
}

/**
 * Creates a `roomName` room under `roomId` on this process and lists it (its onCreate runs first).
 * `handleCreateRoom`'s fourth argument (`presetRoomId`) is declared, but only devMode passes it.
 */
export async function createRoomWithId(roomName: string, roomId: string): Promise<void> {
  await matchMaker.handleCreateRoom(roomName, {}, undefined, roomId);
}

/**
 * Holds `sessionId`'s seat for `seconds`, for the client holding `token` only: `_reserveSeat`'s
 * undeclared sixth argument records the token in `_reconnections`, so `checkReconnectionToken`
 * (matchmaking's reconnect) and the transport accept it, and `_onJoin` resolves the Deferred there
 * before calling the room's onReconnect. `back` runs then (set the client's auth and data); the
 * entries are removed as allowReconnection's own cleanup does. A client that does not come back:
 * Colyseus calls the room's onLeave with `{ sessionId }` only.
 */
export async function holdSeatForToken(room: Room, sessionId: string, token: string, seconds: number, back: (client: Client) => void): Promise<void> {
  const r = room as unknown as TakeoverInternals;
  await r._reserveSeat(sessionId, {}, undefined, seconds, true, token);
  const held = r._reconnections[token];
  if (held === undefined) throw new Error("@colyseus/core changed: _reserveSeat with a token no longer records _reconnections; review server/src/colyseusInternals.ts");
  held[1].then((client) => {
    back(client);
    delete r._reconnections[token];
    delete r._reservedSeats[sessionId];
  }, () => undefined);
}

/**
 * Keeps this room's disposal and listing writes off the shared listing row, which another process
 * holds by now: `_dispose` and `disconnect` remove `_listing.roomId` only when it is set (Colyseus'
 * `recordRoom` clears it the same way for a duplicate room).
 */
export function detachListing(room: Room): void {
  (room as unknown as TakeoverInternals)._listing.roomId = undefined;
}

// ---------------------------------------------------------------------------
// The state's patch stream (Room#_serializer, SchemaSerializer#encoder, Encoder#encode)
//
// Replays record the patches a room broadcasts (server/src/replay/recorder.ts). Colyseus has no hook that
// sees a patch's bytes: SchemaSerializer.applyPatches calls `encoder.encode({ offset: 1 })` once per
// broadcast with changes and at least one client (its first byte is the protocol's ROOM_STATE_PATCH), sends
// what it returns, then `discardChanges()`; with no client at all in `room.clients` it discards the changes
// without encoding them (a client still joining counts: the patch is encoded and sent to nobody).
// server/test/replay-record.test.ts fails if the tap stops seeing every patch (playback no longer matches),
// replay-pause.test.ts if a broadcast's dropped changes go unnoticed (a keyframe's hash no longer matches).
// ---------------------------------------------------------------------------

/** The room's schema encoder, and the last patch it encoded for a broadcast. */
export interface PatchTap {
  /** The encoder the room's serializer made for its current state (`encodeAll` gives a keyframe). */
  readonly encoder: Encoder;
  /**
   * What the encoder returned for the last patch broadcast (set by each one; the reader clears it): the
   * schema bytes are `patch.subarray(patchFrom)`. A view into the encoder's buffer, good until its next
   * encode, which is the next broadcast's: read it right after `broadcastPatch` returns.
   */
  patch: Uint8Array | undefined;
  /** Where the schema bytes start in `patch` (after the protocol byte). */
  patchFrom: number;
  /** Stops taking patches. */
  remove(): void;
}

/**
 * Keeps each patch the room broadcasts on the returned tap (no copy, no call out: the recorder reads it
 * after the broadcast, once per patch, where its time is counted). Set after the room's state: the
 * serializer makes a new encoder for each state assigned.
 */
export function tapPatches(room: Room): PatchTap {
  const serializer = (room as unknown as { _serializer?: { encoder?: Encoder } })._serializer;
  const encoder = serializer?.encoder;
  if (!(encoder instanceof Encoder)) throw new Error("@colyseus/core changed: a room with a schema state has no _serializer.encoder; review server/src/colyseusInternals.ts");
  const original = encoder.encode;
  let on = true;
  const tap: PatchTap = {
    encoder,
    patch: undefined,
    patchFrom: 0,
    remove: () => {
      on = false;
      tap.patch = undefined;
    },
  };
  encoder.encode = function (this: Encoder, it = { offset: 0 }, view, buffer, initialOffset = it.offset) {
    const out = original.call(this, it, view, buffer, initialOffset);
    if (on && view === undefined) {
      tap.patch = out;
      tap.patchFrom = initialOffset;
    }
    return out;
  };
  return tap;
}

/**
 * Whether the room's next patch broadcast drops the state's changes unencoded (SchemaSerializer.applyPatches
 * with no client at all in `room.clients`: nobody connected, or every seat held for a reconnection).
 */
export function broadcastDropsChanges(room: Room): boolean {
  return room.clients.length === 0;
}
