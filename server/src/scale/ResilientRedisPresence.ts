/**
 * Colyseus' Redis presence, made safe to use while Redis is down.
 *
 * Colyseus core calls some presence methods without awaiting them
 * (`publish` of lobby and room-creation notices, `unsubscribe`, the per-process
 * stats `hset`) and awaits others inside `new Promise(async ...)` executors
 * (`subscribe` in IPC requests, `hincrbyex` in the joinOrCreate lock). A
 * rejection of the first kind is an unhandled rejection, which ends a Node
 * process; one of the second kind leaves the HTTP request hanging forever.
 * So these methods here never reject:
 * - `subscribe` keeps the topic in RedisPresence's intended set, which it
 *   re-subscribes on every reconnection;
 * - `publish` and `unsubscribe` drop the call (Redis pub/sub is at-most-once
 *   anyway); lobby notices are kept (latest per room) and replayed by
 *   `replayLobbyNotices` after the outage, so lobbies learn of rooms that
 *   ended meanwhile;
 * - `hset` (stats) answers false; the stats are re-persisted after the outage;
 * - `hdel` answers false: a process stopping during an outage must still tell
 *   its players and exit (Colyseus' shutdown starts by removing the process
 *   from the stats, and gives up at the first error); the others sweep it
 *   later. A private code released meanwhile stays claimed, unused;
 * - `hincrbyex` answers as if no other request held the lock, so the join
 *   goes on and fails fast on the room listing instead of hanging.
 */
import { RedisPresence } from "@colyseus/redis-presence";
import { Cluster } from "ioredis";
import type { Logger } from "../log.ts";
import type { RedisClient } from "./redisClient.ts";
import type { RedisConnectionOptions } from "./redisOptions.ts";
import { LOBBY_CHANNEL, lobbyNoticeRoom } from "../colyseusInternals.ts";
import { onceEach, type WatchedConnection } from "./redisHealth.ts";

/** Lobby notices kept during an outage (one per room); beyond this the oldest are forgotten. */
const MAX_LOBBY_BACKLOG = 10_000;

type Callback = (...args: unknown[]) => void;

export class ResilientRedisPresence extends RedisPresence {
  private readonly lobbyBacklog = new Map<string, string>();

  /** `client` (from redisClient.ts) becomes the publisher; RedisPresence duplicates it for the subscriber. */
  constructor(client: RedisClient | RedisConnectionOptions, private readonly log: Logger) {
    super(client);
    // RedisPresence logs every failed reconnection attempt as plain text; one JSON line per distinct error instead.
    for (const [name, conn] of [["publisher", this.pub], ["subscriber", this.sub]] as const) {
      conn.removeAllListeners("error");
      conn.on("error", onceEach(log, `presence ${name} connection error`));
    }
  }

  /** The publisher and the subscriber connection, for health checks. */
  get connections(): { readonly publisher: WatchedConnection; readonly subscriber: WatchedConnection } {
    return { publisher: this.pub, subscriber: this.sub };
  }

  /**
   * The publisher connection, for commands the Presence interface does not have (the heartbeats' sorted
   * set, leases: Liveness.ts). Shared, not duplicated: one more connection per process would be one more
   * per process on Redis.
   */
  get commands(): RedisClient {
    return this.pub;
  }

  /**
   * The channels subscribed to on Redis. On a cluster PUBSUB CHANNELS answers for the node asked only (each
   * subscriber connection sits on one node; messages reach every node), so every node is asked and the
   * answers joined: Colyseus' health check and ours (colyseusInternals' processesListening) would
   * otherwise take a process that listens on another node for one that is gone.
   */
  override async channels(pattern = "*"): Promise<string[]> {
    if (!(this.pub instanceof Cluster)) return super.channels(pattern);
    const perNode = await Promise.all(this.pub.nodes("all").map((node) => node.pubsub("CHANNELS", pattern) as Promise<string[]>));
    return [...new Set(perNode.flat())];
  }

  /** PING on the publisher connection (bounded by its command timeout). */
  ping(): Promise<unknown> {
    return this.pub.ping();
  }

  private dropped(op: string, error: unknown): void {
    this.log.debug("presence call dropped", { op, error: (error as Error).message });
  }

  override async subscribe(topic: string, callback: Callback): Promise<this> {
    try {
      await super.subscribe(topic, callback);
    } catch (error) {
      this.dropped("subscribe", error);
    }
    return this;
  }

  override async unsubscribe(topic: string, callback?: Callback): Promise<this> {
    try {
      await super.unsubscribe(topic, callback);
    } catch (error) {
      this.dropped("unsubscribe", error);
    }
    return this;
  }

  override async publish(topic: string, data: unknown): Promise<void> {
    try {
      await super.publish(topic, data);
    } catch (error) {
      this.dropped("publish", error);
      if (topic === LOBBY_CHANNEL && typeof data === "string") this.keepLobbyNotice(data);
    }
  }

  override async hset(key: string, field: string, value: string): Promise<boolean> {
    try {
      return await super.hset(key, field, value);
    } catch (error) {
      this.dropped("hset", error);
      return false;
    }
  }

  override async hdel(key: string, field: string): Promise<boolean> {
    try {
      return await super.hdel(key, field);
    } catch (error) {
      this.dropped("hdel", error);
      return false;
    }
  }

  override async hincrbyex(key: string, field: string, value: number, expireInSeconds: number): Promise<number> {
    try {
      return await super.hincrbyex(key, field, value, expireInSeconds);
    } catch (error) {
      this.dropped("hincrbyex", error);
      return Math.max(value, 0);
    }
  }

  /** Publishes the lobby notices that failed during the outage; returns how many. */
  async replayLobbyNotices(): Promise<number> {
    const notices = [...this.lobbyBacklog.values()];
    this.lobbyBacklog.clear();
    for (const notice of notices) await this.publish(LOBBY_CHANNEL, notice);
    return notices.length;
  }

  private keepLobbyNotice(notice: string): void {
    const roomId = lobbyNoticeRoom(notice);
    this.lobbyBacklog.delete(roomId);
    this.lobbyBacklog.set(roomId, notice);
    if (this.lobbyBacklog.size > MAX_LOBBY_BACKLOG) {
      const oldest = this.lobbyBacklog.keys().next().value;
      if (oldest !== undefined) this.lobbyBacklog.delete(oldest);
    }
  }
}
