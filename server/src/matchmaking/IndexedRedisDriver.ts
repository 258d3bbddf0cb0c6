/**
 * The Redis room listing (ResilientRedisDriver) that also keeps the open-room
 * index (OpenRoomIndex.ts) as listings are written and removed: every listing
 * change of Colyseus goes through the driver's persist, update, remove and
 * cleanup, so the index follows the listing without a hook in any room.
 * An index write that fails (Redis going away) is logged and dropped like a
 * listing write: after an outage each process re-persists its rooms
 * (restoreAfterOutage.ts), which re-indexes them.
 */
import type { IRoomCache } from "@colyseus/core";
import type { Logger } from "../log.ts";
import { ResilientRedisDriver } from "../scale/ResilientRedisDriver.ts";
import type { RedisConnectionOptions } from "../scale/redisOptions.ts";
import type { OpenRoomIndex } from "./OpenRoomIndex.ts";

/** A driver that can answer quick play from an index (quickPlay.ts looks for it). */
export interface OpenRoomSource {
  readonly openRooms: OpenRoomIndex;
  findByIds(roomIds: string[]): Promise<Map<string, IRoomCache>>;
}

export function isOpenRoomSource(driver: unknown): driver is OpenRoomSource {
  return typeof driver === "object" && driver !== null && "openRooms" in driver;
}

export class IndexedRedisDriver extends ResilientRedisDriver implements OpenRoomSource {
  constructor(
    options: RedisConnectionOptions, available: () => boolean, private readonly indexLog: Logger, onError: (error: Error) => void,
    readonly openRooms: OpenRoomIndex,
  ) {
    super(options, available, indexLog, onError);
  }

  private async index(op: string, roomId: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.indexLog.debug("open-room index write skipped", { op, roomId, error: (error as Error).message });
    }
  }

  override async persist(room: IRoomCache, create?: boolean): Promise<boolean> {
    const written = await super.persist(room, create);
    if (written) await this.index("persist", room.roomId, () => this.openRooms.listed(room));
    return written;
  }

  override async update(room: IRoomCache, operations: Parameters<ResilientRedisDriver["update"]>[1]): Promise<boolean> {
    const written = await super.update(room, operations);
    if (written) await this.index("update", room.roomId, () => this.openRooms.listed(room));
    return written;
  }

  override async remove(roomId: string): Promise<boolean> {
    const removed = await super.remove(roomId);
    await this.index("remove", roomId, () => this.openRooms.removed(roomId));
    return removed;
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
    for (const listing of listings) await this.index("cleanup", listing.roomId, () => this.openRooms.removed(listing.roomId, listing));
  }
}
