/** A real game server in this process, on a free port, and the server-side room behind an SDK client. */
import { matchMaker, type Room } from "@colyseus/core";
import type { ArenaState } from "@arena/shared";
import { DEFAULT_CLIENT_DIR, startServer, type RunningServer, type StartOptions } from "@arena/server/app";
import { loadConfig } from "@arena/server/config";
import { TEST_SECRET } from "./secret.ts";

export { DEFAULT_CLIENT_DIR, type RunningServer, type StartOptions };

/** Starts a server on a free loopback port with TEST_SECRET; logs are silent unless TEST_LOG is set. */
export async function startTestServer(env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    AUTH_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG ?? "silent",
    // Tests make many requests from one address; the limits' own tests turn them on.
    RATE_LIMITS: "off",
    // Most tests count players and wait for a second person; the bot tests turn filling on.
    BOT_FILL: "0",
    ...env,
  });
  return startServer(config, options);
}

/** A room of this process as the server holds it, typed by its state. */
export type ServerRoom = Room<{ state: ArenaState }> & { state: ArenaState };

/** The server-side room with `roomId` (this process only), for test setup and checks. */
export function serverRoom(room: { roomId: string } | string): ServerRoom {
  const roomId = typeof room === "string" ? room : room.roomId;
  const r = matchMaker.getLocalRoomById(roomId);
  if (r === undefined) throw new Error(`room ${roomId} is not in this process`);
  return r as unknown as ServerRoom;
}
