/** Builds and starts one game-server process: Colyseus, the websocket transport and the HTTP routes. */
import "./node-compat.ts";
import { Server } from "@colyseus/core";
import { type MatchSettings } from "@arena/shared";
import type { Config } from "./config.ts";
import { type Logger } from "./log.ts";
/** Largest websocket frame accepted from a client; a bigger one closes that connection (1009). */
export declare const MAX_FRAME_BYTES: number;
export interface StartOptions {
    log?: Logger;
    /** Lag compensation on hits; on unless turned off to measure it. */
    lagCompensation?: boolean;
    /** Match settings for every room of this process (shorter matches for tests and demos). */
    match?: Partial<MatchSettings>;
    /** Seconds a dropped player's seat is held (RECONNECT_GRACE_S by default). */
    reconnectGraceSeconds?: number;
    /** Directory of the built client to serve; client/dist by default, `false` for none. */
    clientDir?: string | false;
}
/** Where `npm run build` puts the browser client. */
export declare const DEFAULT_CLIENT_DIR: string;
export interface RunningServer {
    readonly config: Config;
    readonly port: number;
    /** http://host:port of this process, for clients and tests. */
    readonly url: string;
    readonly gameServer: Server;
    /** Disconnects everyone, disposes rooms and stops listening. */
    close(): Promise<void>;
}
export declare function startServer(config: Config, options?: StartOptions): Promise<RunningServer>;
