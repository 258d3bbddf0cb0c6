/**
 * The Redis room listing (ResilientRedisDriver) that also keeps the open-room
 * index (OpenRoomIndex.ts) as listings are written and removed: every listing
 * change of Colyseus goes through the driver's persist, update, remove and
 * cleanup, so the index follows the listing without a hook in any room.
 * An index write that fails (Redis going away, or its connection not back yet
 * when the listings are) is made again each RETRY_MS with the room's current
 * listing until it succeeds; after an outage each process also re-persists its
 * rooms (restoreAfterOutage.ts), which re-indexes them.
 */
import { ServerError, type IRoomCache } from "@colyseus/core";
import type { Logger } from "../log.ts";
import { ResilientRedisDriver, redisUnavailable } from "../scale/ResilientRedisDriver.ts";
import type { RedisClient } from "../scale/redisClient.ts";
import type { RedisConnectionOptions } from "../scale/redisOptions.ts";
import type { OpenRoomIndex } from "./OpenRoomIndex.ts";

/** A driver that can answer quick play from an index (quickPlay.ts looks for it). */
export interface OpenRoomSource {
  readonly openRooms: OpenRoomIndex;
  /** The best open rooms of `roomName` matching `filter`; refused at once (REDIS_UNAVAILABLE) while Redis is down. */
  openRoomsOf(roomName: string, filter: Record<string, unknown>): Promise<IRoomCache[]>;
}

/** How often index writes that failed are tried again. */
const RETRY_MS = 1000;

export function isOpenRoomSource(driver: unknown): driver is OpenRoomSource {
  return typeof driver === "object" && driver !== null && "openRooms" in driver;
}

export class IndexedRedisDriver extends ResilientRedisDriver implements OpenRoomSource {
  constructor(
    options: RedisClient | RedisConnectionOptions, private readonly up: () => boolean, private readonly indexLog: Logger, onError: (error: Error) => void,
    readonly openRooms: OpenRoomIndex,
  ) {
    super(options, up, indexLog, onError);
  }

  /** Like the driver's reads: refused at once while Redis is down, and a failure is REDIS_UNAVAILABLE, not a timeout's text. */
  async openRoomsOf(roomName: string, filter: Record<string, unknown>): Promise<IRoomCache[]> {
    if (!this.up()) throw redisUnavailable();
    try {
      return await this.openRooms.open(roomName, filter, (ids) => this.findByIds(ids));
    } catch (error) {
      throw error instanceof ServerError ? error : redisUnavailable(error);
    }
  }

  /** Listings (the rooms' own live objects) whose index write failed: written again by the retry timer. */
  private readonly unindexed = new Map<string, IRoomCache>();
  private retrying: NodeJS.Timeout | undefined;

  private async index(op: string, roomId: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.indexLog.debug("open-room index write failed; retried", { op, roomId, error: (error as Error).message });
      throw error;
    }
  }

  /** Writes the listing's index entries, or keeps it for the retry timer. */
  private async indexListing(op: string, room: IRoomCache): Promise<void> {
    try {
      await this.index(op, room.roomId, () => this.openRooms.listed(room));
      this.unindexed.delete(room.roomId);
    } catch {
      this.unindexed.set(room.roomId, room);
      this.retrying ??= setInterval(() => void this.retryIndex(), RETRY_MS).unref();
    }
  }

  private async retryIndex(): Promise<void> {
    if (!this.up()) return;
    for (const [roomId, room] of [...this.unindexed]) {
      try {
        await this.openRooms.listed(room);
        this.unindexed.delete(roomId);
      } catch {
        return; // still failing: next time
      }
    }
    if (this.unindexed.size === 0) {
      clearInterval(this.retrying);
      this.retrying = undefined;
    }
  }

  override async persist(room: IRoomCache, create?: boolean): Promise<boolean> {
    const written = await super.persist(room, create);
    if (written) await this.indexListing("persist", room);
    return written;
  }

  override async update(room: IRoomCache, operations: Parameters<ResilientRedisDriver["update"]>[1]): Promise<boolean> {
    const written = await super.update(room, operations);
    if (written) await this.indexListing("update", room);
    return written;
  }

  override async remove(roomId: string): Promise<boolean> {
    const removed = await super.remove(roomId);
    this.unindexed.delete(roomId);
    // While Redis is down (or on a failure) the entry stays; the reader that meets it without a listing drops it.
    if (this.up()) await this.index("remove", roomId, () => this.openRooms.removed(roomId)).catch(() => undefined);
    return removed;
  }

  override async shutdown(): Promise<void> {
    clearInterval(this.retrying);
    await super.shutdown();
  }

  /** A process's listings removed (it stopped, or it died and is swept): their index entries too. */
  override async cleanup(processId: string): Promise<void> {
    let listings: IRoomCache[] = [];
    try {
      listings = await this.query({ processId });
    } catch {
      // Redis down: nothing is removed now; readers drop entries without a listing later.
    }
    await super.cleanup(processId);
    for (const listing of listings) await this.index("cleanup", listing.roomId, () => this.openRooms.removed(listing.roomId, listing)).catch(() => undefined);
  }
}
