/** Configuration from the environment (all optional), checked once at start. */
import { randomBytes } from "node:crypto";
import proxyaddr from "proxy-addr";
import { MAX_PLAYERS, PATCH_RATE, TICK_RATE } from "@arena/shared";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

export interface Config {
  readonly port: number;
  readonly host: string;
  /** host:port clients use to reach this process; needed when several processes share matchmaking. */
  readonly publicAddress: string | undefined;
  readonly authSecret: Uint8Array;
  /** True when AUTH_SECRET was not set and a random one was made (tokens die with the process). */
  readonly authSecretGenerated: boolean;
  readonly tickRate: number;
  readonly patchRate: number;
  readonly maxPlayers: number;
  readonly logLevel: LogLevel;
  /** Origins allowed to call the HTTP API from a browser; empty means any. */
  readonly corsOrigins: readonly string[];
  /** Redis for presence, room listings and the leaderboard across processes; unset: in memory, one process. */
  readonly redisUrl: string | undefined;
  /** Seconds between keep-alive comments on the leaderboard event stream. */
  readonly sseKeepAliveSeconds: number;
  /** Basic-auth user and password of the monitor panel at /colyseus; no password, no panel. */
  readonly monitorUser: string;
  readonly monitorPassword: string | undefined;
  /** Per-address request limits of each route (undefined: that route is unlimited). */
  readonly rateLimits: Readonly<Record<LimitedRoute, RateLimit | undefined>>;
  readonly trustProxy: TrustProxy;
  /** Open leaderboard streams allowed per client address, and per process. */
  readonly sseMaxPerAddress: number;
  readonly sseMaxStreams: number;
  /** Seconds a stream may go without its reader taking data before it is dropped. */
  readonly sseStallSeconds: number;
}

/** Routes with a per-address request limit. */
export type LimitedRoute = "signIn" | "codeJoin" | "spectate" | "leaderboard" | "sseConnect" | "matchmake";

/** At most `points` requests per `seconds` from one client address. */
export interface RateLimit {
  readonly points: number;
  readonly seconds: number;
}

/** The variable and default of each limit: `N/S` is N requests per S seconds, `off` turns one off. */
export const RATE_LIMIT_VARIABLES: Readonly<Record<LimitedRoute, readonly [string, string]>> = {
  signIn: ["RATE_LIMIT_SIGNIN", "20/60"],
  codeJoin: ["RATE_LIMIT_CODE_JOIN", "20/60"],
  spectate: ["RATE_LIMIT_SPECTATE", "30/60"],
  leaderboard: ["RATE_LIMIT_LEADERBOARD", "120/60"],
  sseConnect: ["RATE_LIMIT_SSE_CONNECT", "30/60"],
  matchmake: ["RATE_LIMIT_MATCHMAKE", "60/60"],
};

/**
 * Which peers may name the client address in X-Forwarded-For: none (the
 * socket address is the client), the first `hops` proxies, or proxies at
 * these addresses/subnets (proxy-addr syntax, e.g. "loopback" or "10.0.0.0/8").
 */
export type TrustProxy = { readonly kind: "none" } | { readonly kind: "hops"; readonly hops: number } | { readonly kind: "addresses"; readonly addresses: readonly string[] };

export class ConfigError extends Error {
  override name = "ConfigError";
}

function int(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function rateLimits(env: NodeJS.ProcessEnv): Record<LimitedRoute, RateLimit | undefined> {
  const master = (env.RATE_LIMITS ?? "on").trim().toLowerCase();
  if (master !== "on" && master !== "off" && master !== "") throw new ConfigError(`RATE_LIMITS must be "on" or "off", got "${env.RATE_LIMITS}"`);
  const out = {} as Record<LimitedRoute, RateLimit | undefined>;
  for (const [route, [key, fallback]] of Object.entries(RATE_LIMIT_VARIABLES) as [LimitedRoute, readonly [string, string]][]) {
    const raw = (env[key] ?? "").trim() || fallback;
    if (raw.toLowerCase() === "off") {
      out[route] = undefined;
      continue;
    }
    const m = /^(\d+)\s*\/\s*(\d+)$/.exec(raw);
    const points = Number(m?.[1]);
    const seconds = Number(m?.[2]);
    if (m === null || points < 1 || points > 1_000_000 || seconds < 1 || seconds > 86_400) {
      throw new ConfigError(`${key} must be "N/S" (N requests per S seconds from one address, N 1-1000000, S 1-86400) or "off", got "${raw}"`);
    }
    out[route] = master === "off" ? undefined : { points, seconds };
  }
  return out;
}

function trustProxy(env: NodeJS.ProcessEnv): TrustProxy {
  const raw = env.TRUST_PROXY?.trim() ?? "";
  if (raw === "" || raw === "false") return { kind: "none" };
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10) throw new ConfigError(`TRUST_PROXY as a hop count must be 1 to 10, got "${raw}"`);
    return { kind: "hops", hops };
  }
  if (raw === "true" || raw === "*") {
    // Trusting every peer would let any client pick its own address with the header.
    throw new ConfigError(`TRUST_PROXY must name the proxies (addresses, subnets, "loopback") or a hop count, not "${raw}"`);
  }
  const addresses = raw.split(",").map((s) => s.trim()).filter(Boolean);
  try {
    proxyaddr.compile(addresses);
  } catch (e) {
    throw new ConfigError(`TRUST_PROXY must be a hop count or a comma-separated list of addresses, subnets or loopback/linklocal/uniquelocal: ${(e as Error).message}`);
  }
  return { kind: "addresses", addresses };
}

/** Reads the configuration; throws a ConfigError naming the variable when one is invalid. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const secret = env.AUTH_SECRET;
  if (secret !== undefined && secret !== "" && secret.length < 32) {
    throw new ConfigError("AUTH_SECRET must be at least 32 characters long");
  }
  const level = (env.LOG_LEVEL ?? "info").toLowerCase();
  if (!LOG_LEVELS.includes(level as LogLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${env.LOG_LEVEL}"`);
  }
  const monitorPassword = env.MONITOR_PASSWORD || undefined;
  if (monitorPassword !== undefined && monitorPassword.length < 12) {
    throw new ConfigError("MONITOR_PASSWORD must be at least 12 characters long");
  }
  const publicAddress = env.PUBLIC_ADDRESS?.trim() || undefined;
  if (publicAddress !== undefined && !/^[\w.-]+(:\d+)?(\/[\w./-]*)?$/.test(publicAddress)) {
    throw new ConfigError(`PUBLIC_ADDRESS must look like host:port, got "${publicAddress}"`);
  }
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(redisUrl)) {
    throw new ConfigError(`REDIS_URL must look like redis://host:port, got "${redisUrl}"`);
  }
  return {
    port: int(env, "PORT", 2567, 0, 65535),
    host: env.HOST?.trim() || "0.0.0.0",
    publicAddress,
    authSecret: secret ? new TextEncoder().encode(secret) : randomBytes(32),
    authSecretGenerated: !secret,
    tickRate: int(env, "TICK_RATE", TICK_RATE, 10, 120),
    patchRate: int(env, "PATCH_RATE", PATCH_RATE, 1, 60),
    maxPlayers: int(env, "MAX_PLAYERS", MAX_PLAYERS, 2, 64),
    logLevel: level as LogLevel,
    corsOrigins: (env.CORS_ORIGINS ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    redisUrl,
    sseKeepAliveSeconds: int(env, "SSE_KEEPALIVE_S", 15, 1, 300),
    monitorUser: env.MONITOR_USER?.trim() || "admin",
    monitorPassword,
    rateLimits: rateLimits(env),
    trustProxy: trustProxy(env),
    sseMaxPerAddress: int(env, "SSE_MAX_PER_ADDRESS", 8, 1, 10_000),
    sseMaxStreams: int(env, "SSE_MAX_STREAMS", 2000, 1, 1_000_000),
    sseStallSeconds: int(env, "SSE_STALL_S", 30, 1, 3600),
  };
}
