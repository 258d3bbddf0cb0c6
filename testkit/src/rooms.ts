/** SDK clients in arena rooms: quick play, private rooms, codes, spectating, inputs, and ways to misbehave. */
import type { Client, Room } from "@colyseus/sdk";
import {
  ClientMessage, PlayerInput, ROOM_ARENA, ServerMessage,
  type ArenaState, type CodeJoinRequest, type InputCommand, type JoinOptions, type PingOut,
} from "@arena/shared";
import { signIn } from "./auth.ts";
import { waitForState } from "./waits.ts";

export type ArenaRoomClient = Room<any, ArenaState>;

/** Resolves once the room's state holds this client's own player. */
export function waitForOwnPlayer(room: ArenaRoomClient, timeoutMs = 5000): Promise<void> {
  return waitForState(room, (s) => s.players?.get(room.sessionId) !== undefined, timeoutMs, "own player in state");
}

/** Signs in and joins (or creates) an arena room; resolves once the client sees its own player. */
export async function joinArena(url: string, name: string, options: JoinOptions = {}): Promise<{ client: Client; room: ArenaRoomClient }> {
  const { client } = await signIn(url, name);
  const room = (await client.joinOrCreate(ROOM_ARENA, { name, ...options })) as ArenaRoomClient;
  // Messages a test does not listen for (kill feed, hits…) are expected: no "not registered" warnings.
  room.onMessage("*", () => {});
  await waitForOwnPlayer(room);
  return { client, room };
}

/** Answers the server's round-trip probes as the game client does (the server bounds a shooter's rewind by them). */
export function answerPings(room: ArenaRoomClient): void {
  room.onMessage(ServerMessage.Ping, (p: PingOut) => room.send(ClientMessage.Pong, { n: p.n }));
}

/** Quick play: the fullest open public room of the mode, or a new one. */
export async function quickPlay(url: string, name: string): Promise<ArenaRoomClient> {
  const { client } = await signIn(url, name);
  const room = (await client.joinOrCreate(ROOM_ARENA, { name, mode: "ffa" })) as ArenaRoomClient;
  await waitForOwnPlayer(room);
  return room;
}

/** Creates a private room (joinable by its code only). */
export async function createPrivate(url: string, name: string): Promise<ArenaRoomClient> {
  const { client } = await signIn(url, name);
  const room = (await client.create(ROOM_ARENA, { name, private: true })) as ArenaRoomClient;
  await waitForOwnPlayer(room);
  return room;
}

/** A refused HTTP request to one of our routes, with its JSON body. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly body: { error?: string; message?: string }) {
    super(`${status} ${body.error}: ${body.message}`);
  }
}

async function reserve(url: string, token: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: string; message?: string };
  if (!res.ok) throw new HttpError(res.status, json);
  return json;
}

/** Joins a private room by its code (or watches it with `spectate`) through the process at `url`. */
export async function joinByCode(url: string, name: string, req: Omit<CodeJoinRequest, "name">): Promise<ArenaRoomClient> {
  const { client, token } = await signIn(url, name);
  const reservation = await reserve(url, token, "/api/matchmake/code", { ...req, name });
  return (await client.consumeSeatReservation(reservation as never)) as ArenaRoomClient;
}

/** Watches the room `roomId` as a spectator. */
export async function spectate(url: string, name: string, roomId: string): Promise<ArenaRoomClient> {
  const { client, token } = await signIn(url, name);
  const reservation = await reserve(url, token, "/api/matchmake/spectate", { roomId, name });
  return (await client.consumeSeatReservation(reservation as never)) as ArenaRoomClient;
}

/** Sends `cmd()` through the room's input handle at `hz` until the returned stop() is called. */
export function holdInput(room: ArenaRoomClient, cmd: () => Partial<InputCommand>, hz = 30): () => void {
  const input = room.input({ type: PlayerInput });
  const timer = setInterval(() => {
    if (!room.connection.isOpen) return;
    const c = cmd();
    input.data.mx = c.mx ?? 0;
    input.data.my = c.my ?? 0;
    input.data.aim = c.aim ?? 0;
    input.data.fire = c.fire ?? false;
    input.send();
  }, 1000 / hz);
  return () => clearInterval(timer);
}

/** Drops the client's socket without a close handshake, as a network failure would. */
export function dropSocket(room: Room): void {
  const ws = (room.connection.transport as unknown as { ws: { terminate?: () => void; close: (code?: number) => void } }).ws;
  if (typeof ws.terminate === "function") ws.terminate();
  else ws.close(4999);
}

/** Sends raw bytes on the client's websocket, bypassing the SDK's encoders. */
export function sendRaw(room: Room, bytes: Uint8Array): void {
  room.connection.send(bytes);
}

/** `POST /matchmake/create/arena` with a guest token, as the page's "Play this map" does: the seat reservation (not yet taken). */
export async function createArenaOverHttp(url: string, token: string, options: object): Promise<{ roomId: string; sessionId: string }> {
  const res = await fetch(`${url}/matchmake/create/${ROOM_ARENA}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(options),
  });
  if (res.status !== 200) throw new Error(`create ${ROOM_ARENA}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { roomId: string; sessionId: string };
}
