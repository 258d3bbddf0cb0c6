/**
 * What processes share: with REDIS_URL, Colyseus' Redis presence (pub/sub,
 * online counts, IPC) and Redis driver (room listings), and the Redis
 * leaderboard; without it, the in-memory defaults of a single process.
 */
import type { MatchMakerDriver, Presence } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import type { Config } from "../config.ts";
import type { Leaderboard } from "../leaderboard/Leaderboard.ts";
import { MemoryLeaderboard } from "../leaderboard/MemoryLeaderboard.ts";
import { RedisLeaderboard } from "../leaderboard/RedisLeaderboard.ts";
import type { Logger } from "../log.ts";

export interface Backend {
  readonly kind: "memory" | "redis";
  /** Undefined: Colyseus' in-memory default. */
  readonly presence: Presence | undefined;
  readonly driver: MatchMakerDriver | undefined;
  readonly leaderboard: Leaderboard;
}

export async function createBackend(config: Config, log: Logger): Promise<Backend> {
  const url = config.redisUrl;
  if (url === undefined) {
    return { kind: "memory", presence: undefined, driver: undefined, leaderboard: new MemoryLeaderboard() };
  }
  return {
    kind: "redis",
    presence: new RedisPresence(url),
    driver: new RedisDriver(url),
    leaderboard: await RedisLeaderboard.connect(url, log),
  };
}
