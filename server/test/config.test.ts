/** Configuration from the environment: defaults, and one clear error naming each bad variable. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MAX_PLAYERS, PATCH_RATE, TICK_RATE } from "@arena/shared";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";

const SECRET = "a-secret-of-at-least-32-characters!!";

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

describe("configuration", () => {
  it("has a default for every variable when the environment is empty", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 2567,
      host: "0.0.0.0",
      publicAddress: undefined,
      authSecretGenerated: true,
      tickRate: TICK_RATE,
      patchRate: PATCH_RATE,
      maxPlayers: MAX_PLAYERS,
      botFill: 4,
      botMax: 480,
      logLevel: "info",
      corsOrigins: [],
      redis: undefined,
      sseKeepAliveSeconds: 15,
      monitorUser: "admin",
      monitorPassword: undefined,
    });
    expect(config.authSecret).toHaveLength(32);
    // Blank values count as unset.
    expect(loadConfig({ PORT: " ", HOST: " ", AUTH_SECRET: "", MONITOR_PASSWORD: "", PUBLIC_ADDRESS: " ", REDIS_URL: "" }))
      .toMatchObject({ port: 2567, host: "0.0.0.0", authSecretGenerated: true, monitorPassword: undefined, publicAddress: undefined, redis: undefined });
  });

  it("reads every variable it documents", () => {
    const config = loadConfig({
      PORT: "0", HOST: " 127.0.0.1 ", PUBLIC_ADDRESS: " game.example.com/2568 ", AUTH_SECRET: SECRET, TICK_RATE: "60",
      PATCH_RATE: "10", MAX_PLAYERS: "2", LOG_LEVEL: "WARN", CORS_ORIGINS: "https://a.example, ,https://b.example",
      REDIS_URL: "rediss://redis:6380/1", SSE_KEEPALIVE_S: "300", MONITOR_USER: " ops ", MONITOR_PASSWORD: "twelve-chars",
      BOT_FILL: "0", BOT_MAX: "15",
    });
    expect(config).toMatchObject({
      port: 0, host: "127.0.0.1", publicAddress: "game.example.com/2568", authSecretGenerated: false, tickRate: 60,
      patchRate: 10, maxPlayers: 2, logLevel: "warn", corsOrigins: ["https://a.example", "https://b.example"],
      redis: { kind: "single", url: "rediss://redis:6380/1" }, sseKeepAliveSeconds: 300, monitorUser: "ops", monitorPassword: "twelve-chars",
      botFill: 0, botMax: 15,
    });
    expect(new TextDecoder().decode(config.authSecret)).toBe(SECRET);
  });

  it("reads INPUT_PAIRS: on unless set to off (any case), and refuses anything else", () => {
    expect(loadConfig({}).inputPairs).toBe(true);
    expect(loadConfig({ INPUT_PAIRS: " OFF " }).inputPairs).toBe(false);
    expect(loadConfig({ INPUT_PAIRS: " ON " }).inputPairs).toBe(true);
    expect(loadConfig({ INPUT_PAIRS: "off" }).inputPairs).toBe(false);
    expect(errorOf({ INPUT_PAIRS: "yes" })).toContain('INPUT_PAIRS must be "on" or "off", got "yes"');
  });

  it("refuses integers out of range or malformed, naming the variable, its range and the value", () => {
    expect(errorOf({ PORT: "65536" })).toBe('PORT must be an integer from 0 to 65535, got "65536"');
    expect(errorOf({ PORT: "80x" })).toBe('PORT must be an integer from 0 to 65535, got "80x"');
    expect(errorOf({ TICK_RATE: "9" })).toBe('TICK_RATE must be an integer from 10 to 120, got "9"');
    expect(errorOf({ TICK_RATE: "30.5" })).toBe('TICK_RATE must be an integer from 10 to 120, got "30.5"');
    expect(errorOf({ PATCH_RATE: "61" })).toBe('PATCH_RATE must be an integer from 1 to 60, got "61"');
    expect(errorOf({ MAX_PLAYERS: "1" })).toBe('MAX_PLAYERS must be an integer from 2 to 64, got "1"');
    expect(errorOf({ BOT_FILL: "-1" })).toBe('BOT_FILL must be an integer from 0 to 64, got "-1"');
    expect(errorOf({ BOT_FILL: "many" })).toBe('BOT_FILL must be an integer from 0 to 64, got "many"');
    expect(errorOf({ BOT_MAX: "1e9" })).toBe('BOT_MAX must be an integer from 0 to 100000, got "1e9"');
    expect(errorOf({ SSE_KEEPALIVE_S: "NaN" })).toBe('SSE_KEEPALIVE_S must be an integer from 1 to 300, got "NaN"');
  });

  it("refuses short secrets without echoing them", () => {
    expect(errorOf({ AUTH_SECRET: "short-secret" })).toBe("AUTH_SECRET must be at least 32 characters long");
    expect(errorOf({ MONITOR_PASSWORD: "eleven-char" })).toBe("MONITOR_PASSWORD must be at least 12 characters long");
  });

  it("refuses an unknown log level and malformed addresses", () => {
    expect(errorOf({ LOG_LEVEL: "loud" })).toBe('LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"');
    expect(errorOf({ PUBLIC_ADDRESS: "http://host:1" })).toBe('PUBLIC_ADDRESS must look like host:port, got "http://host:1"');
    expect(errorOf({ HOST: "127.0.0.2:2567" })).toBe('HOST must be an IP address (e.g. 0.0.0.0, 10.0.0.2, ::) or a host name, got "127.0.0.2:2567"');
    expect(errorOf({ HOST: "http://10.0.0.2" })).toBe('HOST must be an IP address (e.g. 0.0.0.0, 10.0.0.2, ::) or a host name, got "http://10.0.0.2"');
    expect(loadConfig({ HOST: "127.0.0.2" }).host).toBe("127.0.0.2");
    expect(loadConfig({ HOST: "::1" }).host).toBe("::1");
    expect(loadConfig({ HOST: "game-1.internal" }).host).toBe("game-1.internal");
    expect(errorOf({ REDIS_URL: "localhost:6379" })).toBe('REDIS_URL must look like redis://host:port, got "localhost:6379"');
  });

  // The process stops with exit code 2 on any ConfigError: "stops the process at start …" below.
  it("refuses REDIS_URL without AUTH_SECRET, naming AUTH_SECRET: each process would make its own and refuse the others' tokens", () => {
    expect(errorOf({ REDIS_URL: "redis://redis:6379" })).toMatch(/^AUTH_SECRET must be set when REDIS_URL is: /);
    expect(errorOf({ REDIS_URL: "redis://redis:6379", AUTH_SECRET: "" })).toMatch(/^AUTH_SECRET must be set when REDIS_URL is/);
    expect(loadConfig({ REDIS_URL: "redis://redis:6379", AUTH_SECRET: SECRET }).authSecretGenerated).toBe(false);
    // One process on its own may still make up a secret (with a warning at start).
    expect(loadConfig({}).authSecretGenerated).toBe(true);
  });

  it("reads REDIS_CLUSTER_NODES and REDIS_SENTINELS as node lists, credentials and TLS from any entry", () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: " 10.0.0.5:7000, 10.0.0.6:7001 ,[::1]:7002", AUTH_SECRET: SECRET }).redis).toEqual({
      kind: "cluster", nodes: [{ host: "10.0.0.5", port: 7000 }, { host: "10.0.0.6", port: 7001 }, { host: "::1", port: 7002 }], auth: { tls: false },
    });
    expect(loadConfig({ REDIS_CLUSTER_NODES: "rediss://app:pw%40x@a:7000,b:7000", AUTH_SECRET: SECRET }).redis).toEqual({
      kind: "cluster", nodes: [{ host: "a", port: 7000 }, { host: "b", port: 7000 }], auth: { username: "app", password: "pw@x", tls: true },
    });
    expect(loadConfig({ REDIS_SENTINELS: "s1:26379,s2:26379", REDIS_SENTINEL_MASTER: "arena", AUTH_SECRET: SECRET }).redis).toEqual({
      kind: "sentinel", sentinels: [{ host: "s1", port: 26379 }, { host: "s2", port: 26379 }], master: "arena", auth: { tls: false },
    });
    expect(loadConfig({ REDIS_SENTINELS: "s1:26379", AUTH_SECRET: SECRET }).redis).toMatchObject({ master: "mymaster" });
  });

  it("refuses a malformed node list at start, naming the entry but never its password", () => {
    const shape = "REDIS_CLUSTER_NODES must be a comma-separated list of host:port";
    expect(errorOf({ REDIS_CLUSTER_NODES: "10.0.0.5", AUTH_SECRET: SECRET })).toMatch(new RegExp(`^${shape}.*"10.0.0.5" has no port$`));
    expect(errorOf({ REDIS_CLUSTER_NODES: "a:7000,a:7000", AUTH_SECRET: SECRET })).toMatch(/a:7000 is listed twice$/);
    expect(errorOf({ REDIS_CLUSTER_NODES: "http://a:7000", AUTH_SECRET: SECRET })).toMatch(/has scheme http:$/);
    expect(errorOf({ REDIS_CLUSTER_NODES: "a:99999", AUTH_SECRET: SECRET })).toMatch(/"a:99999" is not$/);
    expect(errorOf({ REDIS_CLUSTER_NODES: "redis://a:7000/2", AUTH_SECRET: SECRET })).toMatch(/names a database/);
    expect(errorOf({ REDIS_CLUSTER_NODES: "redis://:one@a:7000,redis://:two@b:7000", AUTH_SECRET: SECRET })).toBe("REDIS_CLUSTER_NODES must give every node the same password (entries disagree)");
    const secretInBadEntry = errorOf({ REDIS_CLUSTER_NODES: "redis://:hunter2@a", AUTH_SECRET: SECRET });
    expect(secretInBadEntry).toMatch(/"redis:\/\/\*\*\*@a" has no port$/);
    expect(secretInBadEntry).not.toContain("hunter2");
    expect(errorOf({ REDIS_SENTINELS: "s1", AUTH_SECRET: SECRET })).toMatch(/^REDIS_SENTINELS must be a comma-separated list/);
    expect(errorOf({ REDIS_SENTINELS: "s1:26379", REDIS_SENTINEL_MASTER: "my master", AUTH_SECRET: SECRET })).toMatch(/^REDIS_SENTINEL_MASTER must be the name/);
  });

  it("takes one Redis only: REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS exclude each other, and each needs AUTH_SECRET", () => {
    expect(errorOf({ REDIS_URL: "redis://r:6379", REDIS_CLUSTER_NODES: "a:7000", AUTH_SECRET: SECRET }))
      .toBe("REDIS_URL and REDIS_CLUSTER_NODES are set together: set only one of REDIS_URL (one server), REDIS_CLUSTER_NODES (a Redis Cluster) or REDIS_SENTINELS (a primary watched by Sentinel)");
    expect(errorOf({ REDIS_CLUSTER_NODES: "a:7000", REDIS_SENTINELS: "s:26379", AUTH_SECRET: SECRET })).toMatch(/^REDIS_CLUSTER_NODES and REDIS_SENTINELS are set together/);
    expect(errorOf({ REDIS_CLUSTER_NODES: "a:7000" })).toMatch(/^AUTH_SECRET must be set when REDIS_CLUSTER_NODES is: /);
    expect(errorOf({ REDIS_SENTINELS: "s:26379" })).toMatch(/^AUTH_SECRET must be set when REDIS_SENTINELS is: /);
  });

  it("names every bad variable at once, not only the first", () => {
    expect(errorOf({ PORT: "x", LOG_LEVEL: "loud", AUTH_SECRET: "short" })).toBe(
      'PORT must be an integer from 0 to 65535, got "x"; AUTH_SECRET must be at least 32 characters long; '
      + 'LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"',
    );
  });

  it("stops the process at start with exit code 2 and the variable's name", () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const run = spawnSync(process.execPath, ["--import", "tsx", main], {
      env: { ...process.env, TICK_RATE: "fast", PORT: "0" },
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('configuration error: TICK_RATE must be an integer from 10 to 120, got "fast"');
  });
});
