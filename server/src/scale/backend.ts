/**
 * What processes share: with REDIS_URL, Colyseus' Redis presence (pub/sub,
 * online counts, IPC) and Redis driver (room listings), and the Redis
 * leaderboard; without it, the in-memory defaults of a single process.
 *
 * With Redis, `redis` follows this process's connections: while it is down
 * matchmaking is refused at once (ResilientRedisDriver), presence calls never
 * hang or crash (ResilientRedisPresence) and credits wait in a queue
 * (RedisLeaderboard); when it is back, restoreAfterOutage puts back what
 * Redis lost. docs/OPERATIONS.md has the timeline.
 */
import { matchMaker, type MatchMakerDriver, type Presence } from "@colyseus/core";
import type { Config } from "../config.ts";
import type { Leaderboard } from "../leaderboard/Leaderboard.ts";
import { MemoryLeaderboard } from "../leaderboard/MemoryLeaderboard.ts";
import { RedisLeaderboard } from "../leaderboard/RedisLeaderboard.ts";
import type { Logger } from "../log.ts";
import type { Redis } from "ioredis";
import { createRedisClient } from "./redisClient.ts";
import { renameLegacyKeys } from "./keyNames.ts";
import { MemoryRatings, RedisRatings, type RatingStore } from "../people/Ratings.ts";
import { RedisHealth, onceEach } from "./redisHealth.ts";
import { redisUnavailable } from "./ResilientRedisDriver.ts";
import { IndexedRedisDriver } from "../matchmaking/IndexedRedisDriver.ts";
import { OpenRoomIndex } from "../matchmaking/OpenRoomIndex.ts";
import { ResilientRedisPresence } from "./ResilientRedisPresence.ts";
import { restoreAfterOutage } from "./restoreAfterOutage.ts";

export interface Backend {
  readonly kind: "memory" | "redis";
  /** Undefined: Colyseus' in-memory default. */
  readonly presence: Presence | undefined;
  readonly driver: MatchMakerDriver | undefined;
  readonly leaderboard: Leaderboard;
  /** People's ratings: in Redis beside the leaderboard, else in memory kept in DATA_DIR. */
  readonly ratings: RatingStore;
  /** Reachability of Redis; undefined without Redis. */
  readonly redis: RedisHealth | undefined;
}

export async function createBackend(config: Config, log: Logger): Promise<Backend> {
  const target = config.redis;
  if (target === undefined) {
    return { kind: "memory", presence: undefined, driver: undefined, leaderboard: new MemoryLeaderboard(), ratings: new MemoryRatings(config.dataDir, log), redis: undefined };
  }
  const leaderboard = await RedisLeaderboard.connect(target, log);
  if (target.kind !== "cluster") await renameLegacyKeysOnce(leaderboard.connection as Redis, log);
  const health = new RedisHealth(log);
  const presence = new ResilientRedisPresence(createRedisClient(target), log);
  const driver = new IndexedRedisDriver(createRedisClient(target), () => health.up, log, onceEach(log, "room listing connection error"), new OpenRoomIndex(presence.commands));
  health.watch("presence", presence.connections.publisher);
  health.watch("presence-subscriber", presence.connections.subscriber);
  health.watch("leaderboard", leaderboard.connection);
  health.probe("presence", () => presence.ping());
  // Marked restoring at once (listeners run as the outage ends), so no join slips in before the listings are back.
  health.onRecovered(() => {
    // The restore re-persists every listing of this process: the index entries are written again with them.
    driver.openRooms.forgetWritten();
    void health.whileRestoring(() => restoreWhileUp(presence, health, log));
  });
  return { kind: "redis", presence, driver, leaderboard, ratings: new RedisRatings(leaderboard.connection), redis: health };
}

/** Keys from before the hash tags (keyNames.ts); a failure is logged and tried again at the next start. */
async function renameLegacyKeysOnce(redis: Redis, log: Logger): Promise<void> {
  try {
    await renameLegacyKeys(redis, log);
  } catch (error) {
    log.warn("renaming redis keys to their hash-tagged names failed; the next start tries again", { error });
  }
}

/**
 * Colyseus' `selectProcessIdToCreateRoom`: new rooms live on the process that took the request (the load
 * balancer already spreads requests, and it saves an IPC round trip per creation; Colyseus' default picks
 * the process with the fewest rooms). While Redis is down no room is created at all: Colyseus would run
 * the room's onCreate, fail to list it, and leave it running with nobody able to join.
 */
export function createRoomsHere(backend: Backend): () => Promise<string> {
  return async () => {
    if (backend.redis !== undefined && !backend.redis.usable) throw redisUnavailable();
    return matchMaker.processId;
  };
}

/** Attempts at restoring after one outage (the driver's own connection may come back a moment after the others). */
const RESTORE_ATTEMPTS = 5;
const RESTORE_RETRY_MS = 1000;

async function restoreWhileUp(presence: ResilientRedisPresence, health: RedisHealth, log: Logger): Promise<void> {
  for (let attempt = 1; attempt <= RESTORE_ATTEMPTS && health.up; attempt++) {
    try {
      await restoreAfterOutage(presence, log);
      return;
    } catch (error) {
      log.warn("restoring state in redis after outage failed", { error, attempt });
      await new Promise((r) => setTimeout(r, RESTORE_RETRY_MS).unref());
    }
  }
}
