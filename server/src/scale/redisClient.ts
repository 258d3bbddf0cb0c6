/**
 * The one place a game process opens a Redis connection: every part that
 * talks to Redis (presence, room listing, leaderboard, match custody, editor
 * maps, rate limits) gets its client here, so a single server (REDIS_URL), a
 * Redis Cluster (REDIS_CLUSTER_NODES) or a Sentinel-watched primary
 * (REDIS_SENTINELS) is a matter of configuration, not of code.
 *
 * On a cluster every command that names several keys must name keys of one
 * slot: the key names that need it carry a hash tag (`{...}`), see
 * docs/OPERATIONS.md "Redis Cluster". Pub/sub needs nothing: a cluster
 * forwards every PUBLISH to every node, so a subscriber on any node hears it.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { CONNECT_TIMEOUT_MS, RECONNECT_MAX_DELAY_MS, redisOptions, type RedisConnectionOptions } from "./redisOptions.ts";
import type { RedisAuth, RedisTarget } from "./redisTarget.ts";
import { installRedisTimeoutGrace } from "./redisTimeoutGrace.ts";

// Every connection's command timeout waits for one poll phase after its timer (redisTimeoutGrace.ts).
installRedisTimeoutGrace();

export type RedisClient = Redis | Cluster;

/**
 * How long a command waits between two tries while a cluster moves a slot or promotes a replica
 * (connection closed, CLUSTERDOWN, TRYAGAIN); ioredis tries up to `maxRedirections` (16) times.
 */
const CLUSTER_RETRY_DELAY_MS = 100;

/** A new connection to `target`, with the same timeouts and retry pacing as redisOptions for every kind. */
export function createRedisClient(target: RedisTarget, extra: Partial<RedisConnectionOptions> = {}): RedisClient {
  switch (target.kind) {
    case "single":
      return new Redis(redisOptions(target.url, extra));
    case "cluster":
      return new Cluster(target.nodes.map((n) => ({ host: n.host, port: n.port })), clusterOptions(target.auth, extra));
    case "sentinel":
      return new Redis(sentinelOptions(target, extra));
  }
}

/** Options for a new Cluster (also what a Cluster's `duplicate` starts from). */
function clusterOptions(auth: RedisAuth, extra: Partial<RedisConnectionOptions>): ClusterOptions {
  const { enableOfflineQueue, retryStrategy: _perNode, host: _h, port: _p, db: _db, tls: _tls, ...perNode } = { ...nodeDefaults(), ...extra };
  return {
    enableOfflineQueue: enableOfflineQueue ?? true,
    // Reconnection of the whole cluster (every seed unreachable) at the same pace as a single server's.
    clusterRetryStrategy: (times) => Math.min(times * 100, RECONNECT_MAX_DELAY_MS),
    retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
    slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
    redisOptions: { ...perNode, ...credentials(auth) },
  };
}

function sentinelOptions(target: Extract<RedisTarget, { kind: "sentinel" }>, extra: Partial<RedisConnectionOptions>): RedisOptions {
  const { host: _h, port: _p, ...options } = { ...nodeDefaults(), ...extra };
  return {
    ...options,
    ...credentials(target.auth),
    sentinels: target.sentinels.map((n) => ({ host: n.host, port: n.port })),
    name: target.master,
    // Asking the sentinels again for the primary, at the same pace as reconnecting to a single server.
    sentinelRetryStrategy: (times) => Math.min(times * 100, RECONNECT_MAX_DELAY_MS),
  };
}

/** redisOptions' defaults, without a URL's host, port and credentials. */
function nodeDefaults(): RedisConnectionOptions {
  return redisOptions("redis://127.0.0.1");
}

function credentials(auth: RedisAuth): Pick<RedisOptions, "username" | "password" | "tls"> {
  return {
    ...(auth.username !== undefined && { username: auth.username }),
    ...(auth.password !== undefined && { password: auth.password }),
    ...(auth.tls && { tls: {} }),
  };
}
