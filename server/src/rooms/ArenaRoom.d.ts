/**
 * The arena room: a fixed-step authoritative loop over the shared simulation.
 * Inputs arrive through `defineInput` (bounded buffer, one per player per
 * step); hits are lag-compensated with `allowRewindState`; everything else a
 * client sends is validated, rate-limited, and a violation disconnects only the
 * sender.
 */
import { Room, type AuthContext, type Client } from "@colyseus/core";
import { ArenaState, PlayerInput, type MatchSettings } from "@arena/shared";
import { type GuestIdentity } from "../auth.ts";
import type { Logger } from "../log.ts";
import { RateLimiter } from "./RateLimiter.ts";
/** Settings the process gives every arena room (never taken from client options). */
export interface ArenaSettings {
    readonly tickRate: number;
    readonly patchRate: number;
    readonly maxPlayers: number;
    readonly authSecret: Uint8Array;
    readonly log: Logger;
    /** Rewind other players to what the shooter saw (on by default; off only to measure its effect). */
    readonly lagCompensation: boolean;
    /** Match length, kill limit and phase durations; the shared constants by default. */
    readonly match?: Partial<MatchSettings>;
    /** Seconds a dropped player's seat is held; RECONNECT_GRACE_S by default. */
    readonly reconnectGraceSeconds?: number;
}
interface SessionData {
    chat: RateLimiter;
    typing: boolean;
    /** Set when the server disconnects this client for breaking the protocol. */
    kicked: boolean;
}
export type ArenaClient = Client<{
    userData: SessionData;
    auth: GuestIdentity;
}>;
/** Inputs buffered per player: ~330 ms at 30 Hz; older ones are dropped if a client floods. */
export declare const MAX_BUFFERED_INPUTS = 10;
/** Messages per second per client before it is disconnected: 30 inputs, chat, typing and pings. */
export declare const MAX_MESSAGES_PER_SECOND = 60;
export declare abstract class ArenaRoom extends Room<{
    state: ArenaState;
    client: ArenaClient;
    input: PlayerInput;
}> {
    protected abstract readonly settings: ArenaSettings;
    inputs: import("@colyseus/core").InputAPI<{
        mx: number;
        my: number;
        aim: number;
        fire: boolean;
    } & {} & import("@colyseus/schema").Schema<any> & import("@colyseus/schema").Schema<unknown>, false>;
    private world;
    private rules;
    private log;
    private nextColor;
    onCreate(): void;
    onAuth(_client: ArenaClient, _options: unknown, context: AuthContext): Promise<GuestIdentity>;
    onJoin(client: ArenaClient, options: unknown): void;
    onDrop(client: ArenaClient, code?: number): void;
    onReconnect(client: ArenaClient): void;
    onLeave(client: ArenaClient, code?: number): void;
    onDispose(): void;
    onUncaughtException(error: Error, methodName: string): void;
    /** Disconnects a client that broke the protocol; nobody else is affected. */
    private protocolError;
    private notice;
    private onChat;
    private onTyping;
    /** Tells the others when a client starts or stops typing (only on change). */
    private setTyping;
    /** Turns simulation events into messages and logs. */
    private dispatch;
}
/** An arena room class bound to this process's settings. */
export declare function arenaRoom(settings: ArenaSettings): new () => ArenaRoom;
export {};
