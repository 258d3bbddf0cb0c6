/** Test helpers: a real server on a free port, real SDK clients, and event-driven waits. */
import { Client, type Room } from "@colyseus/sdk";
import { type ArenaState, type JoinOptions } from "@arena/shared";
import { type RunningServer, type StartOptions } from "../src/app.ts";
import type { ArenaRoom } from "../src/rooms/ArenaRoom.ts";
export declare const TEST_SECRET = "test-secret-0123456789-0123456789-abcdef";
/** Starts a server on a free port with a known secret; logs are silent unless TEST_LOG is set. */
export declare function startTestServer(env?: Record<string, string>, options?: StartOptions): Promise<RunningServer>;
/** Signs in as a guest through the HTTP API. */
export declare function guestToken(url: string, name: string): Promise<string>;
export type ArenaRoomClient = Room<any, ArenaState>;
/** Signs in and joins (or creates) an arena room with the real SDK. */
export declare function joinArena(url: string, name: string, options?: JoinOptions): Promise<{
    client: Client;
    room: ArenaRoomClient;
}>;
/** Resolves when `predicate` holds on the room's state, checked on every patch. */
export declare function waitForState(room: ArenaRoomClient, predicate: (state: ArenaState) => boolean, timeoutMs?: number, what?: string): Promise<void>;
/** Resolves with the next message of `type`, or rejects after `timeoutMs`. */
export declare function waitForMessage<T = unknown>(room: ArenaRoomClient, type: string, timeoutMs?: number, filter?: (m: T) => boolean): Promise<T>;
/** Resolves with the close code when the room connection ends. */
export declare function waitForLeave(room: ArenaRoomClient, timeoutMs?: number): Promise<number>;
/** Counts state patches received over `ms` milliseconds (a timed measurement, not a wait). */
export declare function countPatches(room: ArenaRoomClient, ms: number): Promise<number>;
/** The server-side room instance behind a client's room (same process), for test setup and checks. */
export declare function serverRoom(room: ArenaRoomClient): ServerArenaRoom;
export type ServerArenaRoom = ArenaRoom & {
    state: ArenaState;
};
/** Drops the client's socket without a close handshake, as a network failure would. */
export declare function dropSocket(room: ArenaRoomClient): void;
/** Sends raw bytes on the client's websocket, bypassing the SDK's encoders. */
export declare function sendRaw(room: ArenaRoomClient, bytes: Uint8Array): void;
/** Sends `cmd` through the room's input handle at `hz` until the returned stop() is called. */
export declare function holdInput(room: ArenaRoomClient, cmd: () => {
    mx?: number;
    my?: number;
    aim?: number;
    fire?: boolean;
}, hz?: number): () => void;
