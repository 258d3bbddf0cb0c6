/**
 * Colyseus' Redis room listing, made to fail fast during a Redis outage and to
 * recover after it.
 *
 * Why recovery needs help: RedisDriver shares one HGETALL between concurrent
 * readers (`_concurrentRoomCacheRequest`, `_roomCacheRequestByName`) and
 * clears the shared promise only when it *succeeds*. One read that fails
 * during an outage stays cached as a rejected promise, and every later
 * quick play, lobby update or query gets that same rejection at once, forever
 * ("Reached the max retries per request limit"): matchmaking never recovers
 * without a restart. @colyseus/redis-driver 0.18.3 (latest) has this; here a
 * failed read forgets the shared promise so the next read asks Redis again.
 *
 * Why fail fast: while Redis is known to be down, a read is refused at once
 * with REDIS_UNAVAILABLE (code 523) instead of waiting on ioredis.
 *
 * Why writes never reject: Colyseus does not await `driver.remove` when a
 * room disconnects (an unhandled rejection ends the process, and every match
 * on it), its graceful shutdown gives up at the first failed write (players
 * are then never told), and rooms lock, unlock and update their listing from
 * game events (a match ending) that have nobody to report a failure to.
 * Each room keeps its own up-to-date copy of its listing, and
 * restoreAfterOutage writes them all back (and removes those of rooms gone
 * meanwhile), so a write skipped during an outage loses nothing.
 */
import { ErrorCode, ServerError, type IRoomCache, type SortOptions } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { redisDriverInternals, type RedisDriverInternals } from "../colyseusInternals.ts";
import type { Logger } from "../log.ts";
import type { RedisClient } from "./redisClient.ts";
import type { RedisConnectionOptions } from "./redisOptions.ts";

/** What a player's join gets while Redis is unreachable (HTTP status and body `code` 523). */
export const REDIS_UNAVAILABLE_MESSAGE = "matchmaking is briefly unavailable (Redis unreachable); try again in a few seconds";

export function redisUnavailable(cause?: unknown): ServerError {
  return new ServerError(ErrorCode.MATCHMAKE_UNHANDLED, REDIS_UNAVAILABLE_MESSAGE, cause === undefined ? undefined : { cause });
}

export class ResilientRedisDriver extends RedisDriver {
  /** RedisDriver's private parts used here: the shared-read cache, reset after a failed read, and its connection. */
  private readonly internals: RedisDriverInternals;

  constructor(options: RedisClient | RedisConnectionOptions, private readonly available: () => boolean, private readonly log: Logger, onError: (error: Error) => void) {
    super(options);
    // Throws if an upgrade renamed them: forgetting the cache would otherwise silently do nothing.
    this.internals = redisDriverInternals(this);
    // RedisDriver listens to none: ioredis would print "Unhandled error event" for every reconnection attempt.
    this.internals.onConnectionError(onError);
  }

  /** Runs a read unless Redis is known to be down; a failed read is forgotten and reported as REDIS_UNAVAILABLE. */
  private async read<T>(run: () => PromiseLike<T>): Promise<T> {
    if (!this.available()) throw redisUnavailable();
    try {
      return await run();
    } catch (error) {
      this.internals.forgetSharedReads();
      throw error instanceof ServerError ? error : redisUnavailable(error);
    }
  }

  /** Runs a listing write unless Redis is known to be down; a failure is logged, never thrown (see above). */
  private async write(op: string, roomId: string | undefined, run: () => Promise<boolean>): Promise<boolean> {
    if (!this.available()) return false;
    try {
      return await run();
    } catch (error) {
      this.log.debug("room listing write skipped", { op, roomId, error: (error as Error).message });
      return false;
    }
  }

  override persist(room: IRoomCache, create?: boolean): Promise<boolean> {
    return this.write("persist", room.roomId, () => super.persist(room, create));
  }

  override update(room: IRoomCache, operations: Parameters<RedisDriver["update"]>[1]): Promise<boolean> {
    // RedisDriver applies the operations to `room` (the room's own copy) before writing: do that even when skipping.
    if (!this.available()) {
      for (const [field, value] of Object.entries(operations.$set ?? {})) (room as unknown as Record<string, unknown>)[field] = value;
      for (const [field, value] of Object.entries(operations.$inc ?? {})) (room as unknown as Record<string, number>)[field]! += value as number;
      return Promise.resolve(false);
    }
    return this.write("update", room.roomId, () => super.update(room, operations));
  }

  override remove(roomId: string): Promise<boolean> {
    return this.write("remove", roomId, () => super.remove(roomId));
  }

  /** Removes a stopping process's listings; during an outage there is nothing to do (other processes sweep them later). */
  override async cleanup(processId: string): Promise<void> {
    if (!this.available()) return;
    try {
      await super.cleanup(processId);
    } catch (error) {
      this.log.warn("removing this process's room listings failed", { processId, error: (error as Error).message });
    }
  }

  /** Closes the connection, also while Redis is down (QUIT would wait for it). */
  override async shutdown(): Promise<void> {
    if (this.available()) await super.shutdown().catch(() => undefined);
    this.internals.disconnect();
  }

  override has(roomId: string): Promise<boolean> {
    return this.read(() => super.has(roomId));
  }

  override query(conditions: Partial<IRoomCache>, sortOptions?: SortOptions): Promise<IRoomCache[]> {
    return this.read(() => super.query(conditions, sortOptions));
  }

  override findByIds(roomIds: string[]): Promise<Map<string, IRoomCache>> {
    return this.read(() => super.findByIds(roomIds));
  }

  override findOne(conditions: Partial<IRoomCache>, sortOptions?: SortOptions): Promise<IRoomCache> {
    // RedisDriver returns a thenable query here, not a Promise; awaiting it runs it.
    return this.read(() => super.findOne(conditions, sortOptions));
  }
}
