/** Builds and starts one game-server process: Colyseus, the websocket transport and the HTTP routes. */
import "./node-compat.ts";
import type { AddressInfo } from "node:net";
import { LocalPresence, Server, matchMaker } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { MAX_FRAME_BYTES, ROOM_ARENA, ROOM_LOBBY, type MatchSettings } from "@arena/shared";
import type { Config } from "./config.ts";
import { fileURLToPath } from "node:url";
import { mountClient, mountHttp } from "./http.ts";
import { guardFrames, watchFrameSize } from "./frameLimit.ts";
import { writeWholeFrames } from "./wholeFrames.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { colyseusLogger } from "./colyseusLog.ts";
import { transportHttpServer, transportSocketServer } from "./colyseusInternals.ts";
import { createLogger, type Logger } from "./log.ts";
import { RateLimits } from "./limits/RateLimits.ts";
import { arenaRoom } from "./rooms/arena/ArenaRoom.ts";
import { BotBudget } from "./rooms/arena/botBudget.ts";
import { arenaLobbyRoom } from "./rooms/ArenaLobbyRoom.ts";
import { editorRoom } from "./rooms/editor/EditorRoom.ts";
import { EditorHandover } from "./rooms/editor/handover.ts";
import { RedisMapStore, createMapStore } from "./rooms/editor/store.ts";
import { EditorQuotas } from "./rooms/editor/quotas.ts";
import { mountMapRoutes } from "./rooms/editor/routes.ts";
import { createReplays, type Replays } from "./replay/Replays.ts";
import { mountReplayRoutes } from "./replay/routes.ts";
import { ROOM_EDITOR } from "@arena/shared/editor";
import { createBackend, createRoomsHere, type Backend } from "./scale/backend.ts";
import { People, RESTART_NOTICE } from "./people/People.ts";
import { StatusFeed } from "./status/StatusFeed.ts";
import { startGhostSweeper } from "./scale/ghostSweeper.ts";
import { installQuickPlay } from "./matchmaking/quickPlay.ts";
import { ticketMatchmakeAnswers } from "./matchmaking/joinTickets.ts";
import { installCorsPolicy } from "./cors.ts";
import { openOnceListening } from "./scale/listedOnceListening.ts";
import { MatchCustody } from "./scale/matchCustody.ts";
import { MatchKeeping } from "./rooms/arena/keeper.ts";
import type { ArenaRoom } from "./rooms/arena/ArenaRoom.ts";


export interface StartOptions {
  log?: Logger;
  /** Lag compensation on hits; on unless turned off to measure it. */
  lagCompensation?: boolean;
  /** Match settings for every room of this process (shorter matches for tests and demos). */
  match?: Partial<MatchSettings>;
  /** Seconds a dropped player's seat is held (RECONNECT_GRACE_S by default). */
  reconnectGraceSeconds?: number;
  /** Source of candidate invite codes (random by default; tests force collisions). */
  randomRoomCode?: () => string;
  /** Directory of the built client to serve; client/dist by default, `false` for none. */
  clientDir?: string | false;
}

/** Where `npm run build` puts the browser client. */
export const DEFAULT_CLIENT_DIR = fileURLToPath(new URL("../../client/dist", import.meta.url));

export interface RunningServer {
  readonly config: Config;
  readonly port: number;
  /** http://host:port of this process, for clients and tests. */
  readonly url: string;
  readonly gameServer: Server;
  readonly backend: Backend;
  readonly metrics: Metrics;
  /** Match recordings (replay/Replays.ts); undefined when REPLAY_KEEP is 0. */
  readonly replays: Replays | undefined;
  /** Disconnects everyone, disposes rooms and stops listening. */
  close(): Promise<void>;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  const startedAt = Date.now();
  const backend = await createBackend(config, log);
  if (backend.kind === "redis" && config.publicAddress === undefined) {
    // Seat reservations would point at whatever host the client used for matchmaking, not at this process.
    log.warn("Redis set without PUBLIC_ADDRESS: joins routed to this process from another one will fail");
  }
  let servingClient = false;
  const metrics = createMetrics();
  const limits = RateLimits.create(config, log, (route) => metrics.rateLimited(route));
  // People need the presence before rooms are defined; the in-memory one is made here rather than by Colyseus.
  const presence = backend.presence ?? new LocalPresence();
  const mapStore = createMapStore(config);
  const replays = createReplays(config, log);
  const people = new People(presence, log, config.inviteTtlSeconds, () => backend.redis?.up ?? true);
  people.measure(metrics.registry);
  const status = new StatusFeed(presence, metrics.registry, people.directory, log);
  // With Redis, matches are checkpointed and taken over by another process when theirs dies or stops.
  const keeping = backend.presence !== undefined && config.redis !== undefined
    ? new MatchKeeping(new MatchCustody(config.redis, () => matchMaker.processId, log), backend.presence, log)
    : undefined;
  await keeping?.custody.ready();
  const transport = new WebSocketTransport({ maxPayload: MAX_FRAME_BYTES });
  // Metrics count frames on each of the transport's sockets; the frame guards refuse bad ones.
  const wss = transportSocketServer(transport);
  metrics.attachTo(wss);
  // After the metrics' wrapper, so it runs first and the wrapper calls it.
  writeWholeFrames(wss);
  metrics.watchBackend(backend);
  watchFrameSize(wss);
  guardFrames(wss);
  const gameServer = new Server({
    transport,
    greet: false,
    logger: colyseusLogger(log),
    gracefullyShutdown: false,
    publicAddress: config.publicAddress,
    presence,
    driver: backend.driver,
    selectProcessIdToCreateRoom: createRoomsHere(backend),
    express: (app) => {
      mountHttp(app, { config, log, startedAt, leaderboard: backend.leaderboard, metrics, limits, redis: backend.redis, people, status });
      mountMapRoutes(app, mapStore, limits);
      if (replays !== undefined) mountReplayRoutes(app, replays.store, { authSecret: config.authSecret, limits }, log);
      const clientDir = options.clientDir ?? DEFAULT_CLIENT_DIR;
      if (clientDir !== false) servingClient = mountClient(app, clientDir);
    },
  });
  gameServer.define(ROOM_LOBBY, arenaLobbyRoom({ leaderboard: backend.leaderboard, log, authSecret: config.authSecret, people, status }));
  const arenaHandler = gameServer.define(ROOM_ARENA, arenaRoom({
    tickRate: config.tickRate,
    patchRate: config.patchRate,
    maxPlayers: config.maxPlayers,
    botFill: config.botFill,
    botBudget: new BotBudget(config.botMax),
    authSecret: config.authSecret,
    log,
    metrics,
    lagCompensation: options.lagCompensation ?? true,
    // A test's own match settings over the configured warm-up.
    match: { warmupSeconds: config.warmupSeconds, ...options.match },
    reconnectGraceSeconds: options.reconnectGraceSeconds,
    leaderboard: backend.leaderboard,
    ratings: backend.ratings,
    randomRoomCode: options.randomRoomCode,
    people,
    iceServers: config.iceServers,
    maps: mapStore,
    keeping,
    replays,
    mapRoomWaitSeconds: config.mapRoomWaitSeconds,
    inputPairs: config.inputPairs,
  }))
    // Quick play: same mode, the room with the most people first (bots do not count: they give way);
    // Colyseus skips locked (full or ending) and private rooms.
    .filterBy(["mode"])
    .sortBy({ players: -1 })
    .enableRealtimeListing();
  openOnceListening(arenaHandler, log);
  const quickPlay = config.quickPlay === "arena" ? installQuickPlay(ROOM_ARENA) : undefined;
  // After quick play: both wrap the matchmaking route's call, and every answer, quick play's too, needs its ticket.
  const stopJoinTickets = ticketMatchmakeAnswers(config.authSecret);
  const stopCors = installCorsPolicy(config.corsOrigins);
  const editorQuotas = new EditorQuotas(config.editor, mapStore instanceof RedisMapStore ? mapStore.redis : undefined);
  gameServer.define(ROOM_EDITOR, editorRoom({ authSecret: config.authSecret, log, store: mapStore, quotas: editorQuotas, people })).filterBy(["mapId"]);
  await gameServer.listen(config.port, config.host);
  const http = transportHttpServer(transport);
  // Colyseus bound its matchmaking routes in listen(); count those requests before they reach it.
  limits.guardMatchmaking(http);
  metrics.timeMatchmaking(http);
  const port = (http.address() as AddressInfo).port;
  const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
  if (config.authSecretGenerated) log.warn("AUTH_SECRET not set: using a random secret; tokens end with this process");
  people.start(backend.leaderboard);
  status.start();
  const sweeper = backend.presence !== undefined ? startGhostSweeper(backend.presence, log, backend.redis) : undefined;
  keeping?.start();
  // With the match custody (Redis), editor rooms hand their maps over on SIGTERM too (rooms/editor/handover.ts).
  const editorHandover = keeping !== undefined && backend.presence !== undefined ? new EditorHandover(backend.presence, log) : undefined;
  editorHandover?.start();
  log.info("listening", { port, host: config.host, publicAddress: config.publicAddress, processId: matchMaker.processId, backend: backend.kind, client: servingClient });
  let closed: Promise<void> | undefined;
  return {
    config,
    port,
    url: `http://${host}:${port}`,
    gameServer,
    backend,
    metrics,
    replays,
    close: () => (closed ??= (async () => {
      // First, while everything still runs: hand each match to another process if one is there.
      if (keeping !== undefined) {
        keeping.stop();
        editorHandover?.stop();
        if (await keeping.othersAlive()) {
          await handOverMatches(log);
          await editorHandover?.handOverAll();
        }
      }
      sweeper?.stop();
      await people.restarting(RESTART_NOTICE).catch(() => undefined);
      await people.stop();
      status.stop();
      backend.redis?.stop();
      // Locks every room, tells players (onBeforeShutdown), removes the listings, then disconnects.
      await gameServer.gracefullyShutdown(false);
      // Colyseus' shutdown runs once per process: while the matchmaker is shutting down it returns at once. So of two
      // servers in one process (tests start two), the second would keep listening; close this one's own transport.
      if (http.listening) transport.shutdown();
      stopJoinTickets();
      stopCors();
      quickPlay?.uninstall();
      keeping?.close();
      await backend.leaderboard.close();
      await backend.ratings.close();
      await limits.close();
      mapStore.close();
      replays?.close();
      metrics.close();
    })()),
  };
}

/** SIGTERM with other processes running: every arena match of this process goes to one of them (keeper.ts). */
async function handOverMatches(log: Logger): Promise<void> {
  const listed = await matchMaker.query({ processId: matchMaker.processId, name: ROOM_ARENA }).catch(() => []);
  const results = await Promise.all(listed.map(async (l) => {
    const room = matchMaker.getLocalRoomById(l.roomId) as ArenaRoom | undefined;
    return room === undefined ? false : room.handOver().catch((error: unknown) => {
      log.warn("handing a match over failed", { room: l.roomId, error });
      return false;
    });
  }));
  log.info("matches handed over", { rooms: listed.length, handedOver: results.filter(Boolean).length });
}
