/** Configuration from the environment (all optional), checked once at start. */
import { randomBytes } from "node:crypto";
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
}

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
  };
}
