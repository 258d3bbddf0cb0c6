/**
 * Per-file fixtures for vitest, started before a file's tests and stopped after them: one in-process server
 * (alone, or with a first player, the "host", seated in an arena room), or several server processes on one real Redis.
 */
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll } from "vitest";
import type { RunningServer, StartOptions } from "./server.ts";
import { startTestServer } from "./server.ts";
import { joinArena, type ArenaRoomClient } from "./rooms.ts";
import { spawnServer, type GameServerProcess } from "./processes.ts";
import { startRedis, type RedisProcess } from "./redis.ts";

export interface ServerWithHost {
  /** The file's server; read inside tests (it exists once beforeAll ran). */
  readonly server: RunningServer;
  /** A player seated in an arena room on it, under `hostName`. */
  readonly host: ArenaRoomClient;
}

/** How long the rooms a file opened get to leave before its processes are stopped. */
const LEAVE_WAIT_MS = 5000;

const ready = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} is read before beforeAll ran`);
  return value;
};

/** One in-process server for a file's tests: `.server`, read inside tests (it exists once beforeAll ran). */
export function useServer(env: Record<string, string> = {}, options: StartOptions = {}): { readonly server: RunningServer } {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(env, options);
  });
  afterAll(async () => {
    await server?.close();
  });
  return { get server() { return ready(server, "the server"); } };
}

export function useServerWithHost(hostName: string, env: Record<string, string> = {}, options: StartOptions = {}): ServerWithHost {
  let server: RunningServer | undefined;
  let host: ArenaRoomClient | undefined;
  beforeAll(async () => {
    server = await startTestServer(env, options);
    ({ room: host } = await joinArena(server.url, hostName));
  });
  afterAll(async () => {
    await host?.leave().catch(() => undefined);
    await server?.close();
  });
  return {
    get server() { return ready(server, "the server"); },
    get host() { return ready(host, "the host player"); },
  };
}

export interface ProcessesOnRedis<R extends { leave(): Promise<unknown> }> {
  readonly redis: RedisProcess;
  /** Game server processes sharing `redis` (their own PUBLIC_ADDRESS each, one AUTH_SECRET). */
  readonly servers: readonly GameServerProcess[];
  /** Rooms a test joined: left before the processes stop, so they close as players leave. */
  readonly rooms: R[];
}

export function useProcessesOnRedis<R extends { leave(): Promise<unknown> } = ArenaRoomClient>(count = 2, env: Record<string, string> = {}): ProcessesOnRedis<R> {
  let redis: RedisProcess | undefined;
  let servers: GameServerProcess[] | undefined;
  const rooms: R[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    const url = redis.url;
    servers = await Promise.all(Array.from({ length: count }, () => spawnServer({ REDIS_URL: url, ...env })));
  }, 60_000);
  afterAll(async () => {
    // A leave waits for the server's answer, which a failed test's stalled room may never send: the processes are
    // stopped after LEAVE_WAIT_MS whatever the rooms did (a run once left both, and redis-server, running for minutes).
    await Promise.race([Promise.all(rooms.map((r) => r.leave().catch(() => undefined))), delay(LEAVE_WAIT_MS, undefined, { ref: false })]);
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await redis?.stop();
  }, 30_000);
  return {
    get redis() { return ready(redis, "redis"); },
    get servers() { return ready(servers, "the server processes"); },
    rooms,
  };
}

/**
 * Trusts self-signed certificates (NODE_TLS_REJECT_UNAUTHORIZED=0) during this file's tests only, for the
 * certificates nginxPrefix makes: the setting is restored after them, because the cluster tier's files share one
 * worker process and the next file must not inherit it.
 */
export function trustSelfSignedCertificates(): void {
  let before: string | undefined;
  beforeAll(() => {
    before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  });
  afterAll(() => {
    if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
  });
}
