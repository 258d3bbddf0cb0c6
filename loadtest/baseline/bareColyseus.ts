/**
 * Baseline "bare": Colyseus 0.18 as its getting-started page sets it up, for
 * the join benchmark. One room type (`bare`) with an empty Schema state, no
 * auth, default matchmaking (`joinOrCreate` fills a room to 16 seats, then
 * opens the next) and Colyseus' default of placing a new room on the process
 * with the fewest rooms. In memory; with REDIS_URL, Colyseus' Redis presence
 * and driver, and PUBLIC_ADDRESS naming this process in seat reservations
 * (like ours, see server/src/scale/backend.ts). What it costs to seat a
 * player is what Colyseus itself costs on this machine.
 */
import type { AddressInfo } from "node:net";
import type { Server as HttpServer } from "node:http";
import { Room, Server, matchMaker } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { RedisPresence } from "@colyseus/redis-presence";
import { RedisDriver } from "@colyseus/redis-driver";
import { schema, type SchemaType } from "@colyseus/schema";

/** The one room type (the join benchmark asks for it by this name). */
const ROOM_BARE = "bare";
const SEATS = 16;

const EmptyState = schema({}, "EmptyState");
type EmptyState = SchemaType<typeof EmptyState>;

class BareRoom extends Room<{ state: EmptyState }> {
  override maxClients = SEATS;
  override state = new EmptyState();
}

const redisUrl = process.env.REDIS_URL;
const publicAddress = process.env.PUBLIC_ADDRESS;
if (redisUrl !== undefined && publicAddress === undefined) throw new Error("bareColyseus: REDIS_URL needs PUBLIC_ADDRESS (host:port of this process)");

const transport = new WebSocketTransport();
const gameServer = new Server({
  transport,
  greet: false,
  gracefullyShutdown: false,
  publicAddress,
  presence: redisUrl !== undefined ? new RedisPresence(redisUrl) : undefined,
  driver: redisUrl !== undefined ? new RedisDriver(redisUrl) : undefined,
});
gameServer.define(ROOM_BARE, BareRoom);
await gameServer.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
const port = ((transport as unknown as { server: HttpServer }).server.address() as AddressInfo).port;
process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "listening", baseline: "bare", port, processId: matchMaker.processId }) + "\n");

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void gameServer.gracefullyShutdown(false).finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
