/**
 * Open rooms per mode, sorted the way quick play wants them, so a quick play
 * reads a few listings instead of all of them (Colyseus' Redis driver answers
 * every query with HGETALL of the one hash `roomcaches`: at 6,250 rooms 1.8 MB
 * and 28-73 ms to parse, docs/BENCHMARKS.md).
 *
 * For each room name quick play serves, one sorted set per filter (e.g.
 * `arena:open:arena:{"mode":"ffa"}`) and one for any filter
 * (`arena:open:arena:{}`): member = roomId, score = the sort field (people
 * seated). A room is in them while its listing is open (not locked, not
 * private), and its score follows the listing: IndexedRedisDriver calls
 * `listed` after each listing write and `removed` after each removal, on the
 * process that wrote it, and writes to the index only when membership or score
 * changed. Reading the best rooms is ZREVRANGE (O(log rooms + k)) and one
 * HMGET of their listings; an index entry whose listing is gone (its process
 * died, Redis restarted) is dropped when a reader meets it.
 */
import type { IRoomCache, SortOptions } from "@colyseus/core";
import type { Cluster, Redis } from "ioredis";

/** Rooms a quick play looks at before it opens one of its own. */
export const OPEN_ROOM_CANDIDATES = 16;

type Filter = Record<string, unknown>;

/** A field of a listing, as Colyseus' queries read it: the listing's own, or its metadata's. */
function fieldOf(listing: IRoomCache, field: string): unknown {
  const own = listing as unknown as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(own, field)) return own[field];
  return (listing.metadata as Record<string, unknown> | undefined)?.[field];
}

/** Whether `listing` has every value of `filter` (Colyseus' Query semantics). */
export function matchesFilter(listing: IRoomCache, filter: Filter): boolean {
  return Object.entries(filter).every(([field, value]) => fieldOf(listing, field) === value);
}

interface Indexed {
  keys: string[];
  score: number;
}

interface RoomKind {
  filterFields: string[];
  sortField: string | undefined;
  descending: boolean;
}

export class OpenRoomIndex {
  private readonly kinds = new Map<string, RoomKind>();
  /** What this process last wrote per room (rooms it listed), so unchanged listings cost nothing. */
  private readonly written = new Map<string, Indexed>();

  constructor(private readonly redis: Redis | Cluster) {}

  /** Indexes rooms named `roomName`, filtered by `filterFields` and sorted by the first of `sort`. */
  serve(roomName: string, filterFields: readonly string[], sort: SortOptions | undefined): void {
    const [field, direction] = Object.entries(sort ?? {})[0] ?? [undefined, -1];
    const descending = !(direction === 1 || direction === "asc" || direction === "ascending");
    this.kinds.set(roomName, { filterFields: [...filterFields], sortField: field, descending });
  }

  serves(roomName: string): boolean {
    return this.kinds.has(roomName);
  }

  private key(roomName: string, filter: Filter): string {
    return `arena:open:${roomName}:${JSON.stringify(Object.fromEntries(Object.entries(filter).sort(([a], [b]) => a.localeCompare(b))))}`;
  }

  /** Forgets what was written (Redis may have lost it in an outage): the next write of each listing writes its entries again. */
  forgetWritten(): void {
    this.written.clear();
  }

  /** The listing was written: put the room in, move it, or take it out. */
  async listed(listing: IRoomCache): Promise<void> {
    const kind = this.kinds.get(listing.name);
    if (kind === undefined) return;
    const before = this.written.get(listing.roomId);
    if (listing.locked || listing.private) {
      if (before !== undefined) await this.removed(listing.roomId);
      return;
    }
    const filter: Filter = {};
    for (const field of kind.filterFields) {
      const value = fieldOf(listing, field);
      if (value !== undefined) filter[field] = value;
    }
    const keys = [this.key(listing.name, {})];
    if (Object.keys(filter).length > 0) keys.push(this.key(listing.name, filter));
    const raw = kind.sortField === undefined ? 0 : Number(fieldOf(listing, kind.sortField));
    const score = Number.isFinite(raw) ? raw : 0;
    if (before !== undefined && before.score === score && before.keys.join() === keys.join()) return;
    // Remembered only once written: a write that failed is made again by the next call.
    this.written.delete(listing.roomId);
    if (before !== undefined) for (const key of before.keys.filter((k) => !keys.includes(k))) await this.redis.zrem(key, listing.roomId);
    for (const key of keys) await this.redis.zadd(key, score, listing.roomId);
    this.written.set(listing.roomId, { keys, score });
  }

  /** The listing was removed (room gone), or the room closed to quick play. */
  async removed(roomId: string, listing?: IRoomCache): Promise<void> {
    const before = this.written.get(roomId);
    this.written.delete(roomId);
    const keys = new Set(before?.keys ?? []);
    // Another process's listing (a dead process swept): its keys from the listing itself.
    if (listing !== undefined && this.kinds.has(listing.name)) {
      const kind = this.kinds.get(listing.name)!;
      keys.add(this.key(listing.name, {}));
      const filter: Filter = {};
      for (const field of kind.filterFields) if (fieldOf(listing, field) !== undefined) filter[field] = fieldOf(listing, field);
      keys.add(this.key(listing.name, filter));
    }
    for (const key of keys) await this.redis.zrem(key, roomId);
  }

  /**
   * The open rooms of `roomName` matching `filter`, best first, read through `listings` (the driver's HMGET):
   * at most OPEN_ROOM_CANDIDATES, each still open by its listing. Entries without a listing are dropped.
   */
  async open(roomName: string, filter: Filter, listings: (ids: string[]) => Promise<Map<string, IRoomCache>>): Promise<IRoomCache[]> {
    const kind = this.kinds.get(roomName);
    if (kind === undefined) throw new Error(`no open-room index for ${roomName}`);
    // A filter naming every field has its own set; any other (none, or some) reads the set of all and checks.
    const exact = kind.filterFields.length > 0 && kind.filterFields.every((f) => filter[f] !== undefined) && Object.keys(filter).length === kind.filterFields.length;
    const key = this.key(roomName, exact ? filter : {});
    const ids = kind.descending
      ? await this.redis.zrevrange(key, 0, OPEN_ROOM_CANDIDATES - 1)
      : await this.redis.zrange(key, 0, OPEN_ROOM_CANDIDATES - 1);
    if (ids.length === 0) return [];
    const found = await listings(ids);
    const open: IRoomCache[] = [];
    for (const id of ids) {
      const listing = found.get(id);
      if (listing === undefined) await this.redis.zrem(key, id);
      else if (!listing.locked && !listing.private && matchesFilter(listing, filter)) open.push(listing);
    }
    return open;
  }
}
