/** Builds and starts one game-server process: Colyseus, the websocket transport and the HTTP routes. */
import "./node-compat.ts";
import type { AddressInfo } from "node:net";
import type { Server as HttpServer } from "node:http";
import type { WebSocketServer } from "ws";
import { Server } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { ROOM_ARENA, type MatchSettings } from "@arena/shared";
import type { Config } from "./config.ts";
import { mountHttp } from "./http.ts";
import { watchFrameSize } from "./frameLimit.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { createLogger, type Logger } from "./log.ts";
import { arenaRoom } from "./rooms/ArenaRoom.ts";

/** Largest websocket frame accepted from a client; a bigger one closes that connection (1009). */
export const MAX_FRAME_BYTES = 16 * 1024;

export interface StartOptions {
  log?: Logger;
  /** Lag compensation on hits; on unless turned off to measure it. */
  lagCompensation?: boolean;
  /** Match settings for every room of this process (shorter matches for tests and demos). */
  match?: Partial<MatchSettings>;
  /** Seconds a dropped player's seat is held (RECONNECT_GRACE_S by default). */
  reconnectGraceSeconds?: number;
}

export interface RunningServer {
  readonly config: Config;
  readonly port: number;
  /** http://host:port of this process, for clients and tests. */
  readonly url: string;
  readonly gameServer: Server;
  readonly metrics: Metrics;
  /** Disconnects everyone, disposes rooms and stops listening. */
  close(): Promise<void>;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  const startedAt = Date.now();
  const metrics = createMetrics();
  const transport = new WebSocketTransport({ maxPayload: MAX_FRAME_BYTES });
  // The transport keeps its ws server protected; metrics count frames on each of its sockets.
  const wss = (transport as unknown as { wss: WebSocketServer }).wss;
  metrics.attachTo(wss);
  watchFrameSize(wss);
  const gameServer = new Server({
    transport,
    greet: false,
    gracefullyShutdown: false,
    publicAddress: config.publicAddress,
    express: (app) => mountHttp(app, { config, log, startedAt, metrics }),
  });
  gameServer.define(ROOM_ARENA, arenaRoom({
    tickRate: config.tickRate,
    patchRate: config.patchRate,
    maxPlayers: config.maxPlayers,
    authSecret: config.authSecret,
    log,
    metrics,
    lagCompensation: options.lagCompensation ?? true,
    match: options.match,
    reconnectGraceSeconds: options.reconnectGraceSeconds,
  }));
  await gameServer.listen(config.port, config.host);
  const http = (transport as unknown as { server: HttpServer }).server;
  const port = (http.address() as AddressInfo).port;
  const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
  if (config.authSecretGenerated) log.warn("AUTH_SECRET not set: using a random secret; tokens end with this process");
  log.info("listening", { port, host: config.host, publicAddress: config.publicAddress });
  let closed: Promise<void> | undefined;
  return {
    config,
    port,
    url: `http://${host}:${port}`,
    gameServer,
    metrics,
    close: () => (closed ??= gameServer.gracefullyShutdown(false).finally(() => metrics.close())),
  };
}
