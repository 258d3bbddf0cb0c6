/** Test helpers: a real server on a free port, real SDK clients, and event-driven waits. */
import { Client, type Room } from "@colyseus/sdk";
import { PlayerInput, ROOM_ARENA, type ArenaState, type JoinOptions } from "@arena/shared";
import { matchMaker } from "@colyseus/core";
import { startServer, type RunningServer, type StartOptions } from "../src/app.ts";
import type { ArenaRoom } from "../src/rooms/arena/ArenaRoom.ts";
import { loadConfig } from "../src/config.ts";

export const TEST_SECRET = "test-secret-0123456789-0123456789-abcdef";

/** Starts a server on a free port with a known secret; logs are silent unless TEST_LOG is set. */
export async function startTestServer(env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    AUTH_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG ?? "silent",
    // Tests make many requests from one address; the limits' own tests turn them on.
    RATE_LIMITS: "off",
    ...env,
  });
  return startServer(config, options);
}

/** Signs in as a guest through the HTTP API. */
export async function guestToken(url: string, name: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/guest`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (!res.ok) throw new Error(`guest sign-in failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string };
  return body.token;
}

export type ArenaRoomClient = Room<any, ArenaState>;

/** Signs in and joins (or creates) an arena room with the real SDK. */
export async function joinArena(url: string, name: string, options: JoinOptions = {}): Promise<{ client: Client; room: ArenaRoomClient }> {
  const client = new Client(url);
  client.auth.token = await guestToken(url, name);
  const room = (await client.joinOrCreate(ROOM_ARENA, { name, ...options })) as ArenaRoomClient;
  // Messages a test does not listen for (kill feed, hits…) are expected: no "not registered" warnings.
  room.onMessage("*", () => {});
  await waitForState(room, (s) => s.players?.get(room.sessionId) !== undefined);
  return { client, room };
}

/** Resolves when `predicate` holds on the room's state, checked on every patch. */
export function waitForState(room: ArenaRoomClient, predicate: (state: ArenaState) => boolean, timeoutMs = 5000, what = "state condition"): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      try {
        return room.state !== undefined && predicate(room.state);
      } catch {
        return false;
      }
    };
    if (check()) return resolve();
    const onChange = (): void => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    };
    // Removal is deferred: the SDK's signal must not be changed while it is being invoked.
    const off = (): void => queueMicrotask(() => room.onStateChange.remove(onChange));
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    room.onStateChange(onChange);
  });
}

/** Resolves with the next message of `type`, or rejects after `timeoutMs`. */
export function waitForMessage<T = unknown>(room: ArenaRoomClient, type: string, timeoutMs = 5000, filter: (m: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for message "${type}"`));
    }, timeoutMs);
    const off = room.onMessage(type, (m: T) => {
      if (!filter(m)) return;
      clearTimeout(timer);
      off();
      resolve(m);
    });
  });
}

/** Resolves with the close code when the room connection ends. */
export function waitForLeave(room: ArenaRoomClient, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for leave`)), timeoutMs);
    const onLeave = (code: number): void => {
      clearTimeout(timer);
      queueMicrotask(() => room.onLeave.remove(onLeave));
      resolve(code);
    };
    room.onLeave(onLeave);
  });
}

/** Counts state patches received over `ms` milliseconds (a timed measurement, not a wait). */
export async function countPatches(room: ArenaRoomClient, ms: number): Promise<number> {
  let n = 0;
  const onChange = (): void => {
    n++;
  };
  room.onStateChange(onChange);
  await new Promise((r) => setTimeout(r, ms));
  room.onStateChange.remove(onChange);
  return n;
}

/** The server-side room instance behind a client's room (same process), for test setup and checks. */
export function serverRoom(room: ArenaRoomClient): ServerArenaRoom {
  const r = matchMaker.getLocalRoomById(room.roomId);
  if (r === undefined) throw new Error(`room ${room.roomId} is not in this process`);
  return r as unknown as ServerArenaRoom;
}

export type ServerArenaRoom = ArenaRoom & { state: ArenaState };

/** Drops the client's socket without a close handshake, as a network failure would. */
export function dropSocket(room: ArenaRoomClient): void {
  const ws = (room.connection.transport as unknown as { ws: { terminate?: () => void; close: (code?: number) => void } }).ws;
  if (typeof ws.terminate === "function") ws.terminate();
  else ws.close(4999);
}

/** Sends raw bytes on the client's websocket, bypassing the SDK's encoders. */
export function sendRaw(room: ArenaRoomClient, bytes: Uint8Array): void {
  room.connection.send(bytes);
}

/** Sends `cmd` through the room's input handle at `hz` until the returned stop() is called. */
export function holdInput(room: ArenaRoomClient, cmd: () => { mx?: number; my?: number; aim?: number; fire?: boolean }, hz = 30): () => void {
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
