/**
 * How every Redis connection of a game process behaves when Redis goes away:
 * commands give up after REDIS_COMMAND_TIMEOUT_MS instead of ioredis' default
 * of 20 reconnection attempts (~10 s), and reconnection is attempted at least
 * every RECONNECT_MAX_DELAY_MS, so a restarted Redis is in use again within
 * about a second.
 *
 * The URL is parsed here into plain options; redisClient.ts makes every
 * connection from them (and the same timeouts for a Cluster's or Sentinel's
 * nodes).
 */

/** A command (matchmaking read, presence call) waits at most this long for Redis. */
export const REDIS_COMMAND_TIMEOUT_MS = 1500;
/** Longest pause between two reconnection attempts. */
export const RECONNECT_MAX_DELAY_MS = 1000;
/** A connection attempt to a host that does not answer is abandoned after this long. */
export const CONNECT_TIMEOUT_MS = 2000;

export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: { servername: string };
  connectTimeout: number;
  commandTimeout?: number | undefined;
  autoResendUnfulfilledCommands?: boolean;
  /** Commands queued while disconnected are failed after this many reconnection attempts. */
  maxRetriesPerRequest: number;
  enableOfflineQueue?: boolean;
  retryStrategy: (times: number) => number;
}

/** Options for one connection to `url` (redis:// or rediss://, with optional user, password and /db). */
export function redisOptions(url: string, extra: Partial<RedisConnectionOptions> = {}): RedisConnectionOptions {
  const u = new URL(url);
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new Error(`REDIS_URL must start with redis:// or rediss://, got ${u.protocol}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`REDIS_URL database must be a whole number, got ${u.pathname.slice(1)}`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port === "" ? 6379 : Number(u.port),
    ...(u.username !== "" ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== "" ? { password: decodeURIComponent(u.password) } : {}),
    db,
    ...(u.protocol === "rediss:" ? { tls: { servername: u.hostname } } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, RECONNECT_MAX_DELAY_MS),
    ...extra,
  };
}
