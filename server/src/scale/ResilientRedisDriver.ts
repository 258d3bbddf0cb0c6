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
 */
import { ErrorCode, ServerError, type IRoomCache, type SortOptions } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import type { RedisConnectionOptions } from "./redisOptions.ts";

/** What a player's join gets while Redis is unreachable (HTTP status and body `code` 523). */
export const REDIS_UNAVAILABLE_MESSAGE = "matchmaking is briefly unavailable (Redis unreachable); try again in a few seconds";

export function redisUnavailable(cause?: unknown): ServerError {
  return new ServerError(ErrorCode.MATCHMAKE_UNHANDLED, REDIS_UNAVAILABLE_MESSAGE, cause === undefined ? undefined : { cause });
}

/** RedisDriver's private parts used here: the shared-read cache, reset after a failed read, and its connection. */
interface DriverInternals {
  _concurrentRoomCacheRequest?: Promise<unknown>;
  _roomCacheRequestByName: Record<string, Promise<unknown>>;
  _client: { on(event: "error", listener: (error: Error) => void): unknown };
}

export class ResilientRedisDriver extends RedisDriver {
  constructor(options: RedisConnectionOptions, private readonly available: () => boolean, onError: (error: Error) => void) {
    super(options);
    const internals = this.internals();
    // If an upgrade renames these, forgetting the cache would silently do nothing: say so at start instead.
    if (typeof internals._roomCacheRequestByName !== "object" || typeof internals._client?.on !== "function") {
      throw new Error("@colyseus/redis-driver changed: _roomCacheRequestByName or _client not found; review ResilientRedisDriver");
    }
    // RedisDriver listens to none: ioredis would print "Unhandled error event" for every reconnection attempt.
    internals._client.on("error", onError);
  }

  private internals(): DriverInternals {
    return this as unknown as DriverInternals;
  }

  /** Runs a read unless Redis is known to be down; a failed read is forgotten and reported as REDIS_UNAVAILABLE. */
  private async read<T>(run: () => PromiseLike<T>): Promise<T> {
    if (!this.available()) throw redisUnavailable();
    try {
      return await run();
    } catch (error) {
      const shared = this.internals();
      shared._concurrentRoomCacheRequest = undefined;
      shared._roomCacheRequestByName = {};
      throw error instanceof ServerError ? error : redisUnavailable(error);
    }
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
