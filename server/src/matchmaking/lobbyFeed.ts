/**
 * The lobby's feed of listing changes from every process: Colyseus' `$lobby` notices (`<roomId>,0` a listing
 * changed, `<roomId>,1` a room is gone), with the changed listings read in batches: the rooms noticed within
 * LOBBY_FEED_BATCH_MS are read together with one HMGET (`findRoomsByIds`), only theirs.
 *
 * Why not Colyseus' `subscribeLobby`: for each notice it calls `matchMaker.query({ roomId })`, which the Redis
 * driver answers by reading every listing (HGETALL of `roomcaches`, 1.8 MB at 6,250 rooms) and filtering in the
 * process. Every process with a lobby does that for every listing change of the cluster, so what a lobby read grew
 * with the rooms and with the join rate (measured by `npm run sim:cluster`, docs/BENCHMARKS.md).
 *
 * Removals are passed on at once; a listing read that comes back after its room's removal notice is dropped, as
 * Colyseus does.
 */
import type { IRoomCache, Presence } from "@colyseus/core";
import { LOBBY_CHANNEL } from "../colyseusInternals.ts";

/** Changes noticed within this long are read together (a visitor sees a change on their page this much later at most). */
export const LOBBY_FEED_BATCH_MS = 100;
/** A removed room's late listing reads are ignored this long (Colyseus' subscribeLobby keeps 2 s too). */
const REMOVED_MEMORY_MS = 2000;

/** A listing changed (`listing` undefined when it was gone by the time it was read), or was removed (null). */
export type ListingChange = (roomId: string, listing: IRoomCache | null | undefined) => void;

/** Reads listings by id (Colyseus' `matchMaker.findRoomsByIds`: HMGET on Redis). */
export type ListingReader = (roomIds: string[]) => Promise<Map<string, IRoomCache>>;

/** Calls `onChange` for each listing change of the cluster until the returned function is called. */
export async function subscribeListings(presence: Presence, read: ListingReader, onChange: ListingChange, onError: (error: unknown) => void = () => undefined): Promise<() => Promise<void>> {
  const pending = new Set<string>();
  const removed = new Map<string, NodeJS.Timeout>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const flush = async (): Promise<void> => {
    timer = undefined;
    const ids = [...pending];
    pending.clear();
    let found: Map<string, IRoomCache>;
    try {
      found = await read(ids);
    } catch (error) {
      // Redis unreachable: these changes are lost like the notices of the outage; the restore after it announces again.
      onError(error);
      return;
    }
    if (stopped) return;
    for (const id of ids) if (!removed.has(id)) onChange(id, found.get(id));
  };

  const notice = (message: unknown): void => {
    if (typeof message !== "string") return;
    const [roomId, isRemoved] = message.split(",");
    if (roomId === undefined || roomId === "") return;
    if (isRemoved === "1") {
      pending.delete(roomId);
      clearTimeout(removed.get(roomId));
      removed.set(roomId, setTimeout(() => removed.delete(roomId), REMOVED_MEMORY_MS).unref());
      onChange(roomId, null);
      return;
    }
    clearTimeout(removed.get(roomId));
    removed.delete(roomId);
    pending.add(roomId);
    timer ??= setTimeout(() => void flush(), LOBBY_FEED_BATCH_MS);
  };

  await presence.subscribe(LOBBY_CHANNEL, notice);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    for (const t of removed.values()) clearTimeout(t);
    await presence.unsubscribe(LOBBY_CHANNEL, notice);
  };
}
