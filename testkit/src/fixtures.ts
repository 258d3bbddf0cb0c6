/**
 * Per-file fixtures for vitest: one in-process server and a first player (the "host") seated in an arena
 * room for the whole file, closed after it. Many server tests need a room that already has someone in it.
 */
import { afterAll, beforeAll } from "vitest";
import type { RunningServer, StartOptions } from "./server.ts";
import { startTestServer } from "./server.ts";
import { joinArena, type ArenaRoomClient } from "./rooms.ts";

export interface ServerWithHost {
  /** The file's server; read inside tests (it exists once beforeAll ran). */
  readonly server: RunningServer;
  /** A player seated in an arena room on it, under `hostName`. */
  readonly host: ArenaRoomClient;
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
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is read before beforeAll ran`);
    return value;
  };
  return {
    get server() { return ready(server, "the server"); },
    get host() { return ready(host, "the host player"); },
  };
}
