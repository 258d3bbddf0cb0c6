/**
 * Quick play (`POST /matchmake/joinOrCreate/<arena>`), replacing Colyseus
 * 0.18's `matchMaker.joinOrCreate` for the arena room only. Everything else
 * (the route, its body parsing and errors, other rooms and methods, seat
 * reservation, room creation) stays Colyseus'.
 *
 * Why: with several processes on Redis, Colyseus' joinOrCreate makes a rush
 * wait for seconds (docs/BENCHMARKS.md, "Where a join's time goes"):
 * - a room listing read a moment ago may already be full of reservations;
 *   the refused seat is retried after a random backoff of up to 0.8 s,
 *   doubling on each retry (`retry()` in utils/Utils.ts);
 * - when no listed room is open, every request joins one cross-process lock
 *   per filter (`concurrentJoinOrCreateRoomLock`): a Redis counter, and a
 *   wait of 0.5–1.1 s for a "room created" notice that never comes when the
 *   lock holder only joined (it was not creating), or when another waiter on
 *   the same process timed out first (`subscribeWithTimeout` unsubscribes
 *   every listener of the channel).
 * Here, a refused seat moves on at once to the next open room of the same
 * listing, then to a fresh listing; a process creates at most one room per
 * filter at a time (requests arriving meanwhile wait for it in memory), and
 * processes do not wait on each other: in a rush each may open one room,
 * which quick play's order (most players first) then fills in turn.
 *
 * With Redis, open rooms are read from the open-room index (OpenRoomIndex.ts:
 * the best OPEN_ROOM_CANDIDATES of the mode, O(log rooms)) instead of every
 * listing; in memory, from Colyseus' query (the listing is in this process).
 *
 * Relies on (through server/src/colyseusInternals.ts, pinned by
 * server/test/colyseus-internals.test.ts and quick-play.test.ts): the
 * matchmaking route calls `matchMaker.controller.invokeMethod(method,
 * roomName, options, authContext)`; `reserveSeatFor` throws
 * SeatReservationError for a full room; the room class's static
 * `onAuth(token, options, context)`.
 */
import { ErrorCode, ServerError, matchMaker, type AuthContext, type IRoomCache, type SortOptions } from "@colyseus/core";
import { interceptMatchmaking, isSeatReservationError, staticOnAuth } from "../colyseusInternals.ts";
import { isOpenRoomSource } from "./IndexedRedisDriver.ts";

type ClientOptions = Record<string, unknown>;
type Reservation = Awaited<ReturnType<typeof matchMaker.reserveSeatFor>>;

/**
 * How long one quick play keeps looking before it gives up. Each round seats it or opens a room (rooms fill
 * one per round on a process), so a rush of any size makes progress; this only bounds a request that cannot,
 * well inside the time a player waits.
 */
const GIVE_UP_AFTER_MS = 10_000;

export interface QuickPlay {
  /** Puts Colyseus' own joinOrCreate back (tests). */
  uninstall(): void;
}

/** Routes quick play for `roomName` through `joinOrCreate` below. */
export function installQuickPlay(roomName: string): QuickPlay {
  const driver = matchMaker.driver;
  if (isOpenRoomSource(driver)) {
    const handler = matchMaker.getHandler(roomName);
    driver.openRooms.serve(roomName, handler.filterOptions.map(String), handler.sortOptions);
  }
  const creating = new Map<string, Promise<IRoomCache>>();
  const uninstall = interceptMatchmaking(async (original, method, name, clientOptions = {}, authContext) => {
    if (method !== "joinOrCreate" || name !== roomName) return original(method, name, clientOptions, authContext);
    try {
      return await joinOrCreate(name, clientOptions as ClientOptions, authContext, creating);
    } catch (e) {
      // As Colyseus' invokeMethod does: the route turns this into `{ code, error }`.
      const error = e as { code?: number; message?: string };
      throw new ServerError(error.code ?? ErrorCode.MATCHMAKE_UNHANDLED, error.message ?? String(e));
    }
  });
  return { uninstall };
}

async function authorize(roomName: string, options: ClientOptions, context: AuthContext | undefined): Promise<unknown> {
  const onAuth = staticOnAuth(roomName);
  if (onAuth === undefined || context === undefined) return undefined;
  const result = await onAuth(context.token, options, context);
  if (result === false || result === null || result === undefined) throw new ServerError(ErrorCode.AUTH_FAILED, "onAuth failed");
  // `true` means "authorized, no payload": the instance onAuth then runs at connect and sets client.auth.
  return result === true ? undefined : result;
}

/** Open public rooms of `roomName` matching `filter`, best first: from the index with Redis, else Colyseus' query. */
function openRooms(roomName: string, filter: ClientOptions, sort: SortOptions | undefined): Promise<IRoomCache[]> {
  const driver = matchMaker.driver;
  if (isOpenRoomSource(driver) && driver.openRooms.serves(roomName)) return driver.openRoomsOf(roomName, filter);
  return matchMaker.query({ name: roomName, locked: false, private: false, ...filter }, sort);
}

async function joinOrCreate(
  roomName: string, options: ClientOptions, context: AuthContext | undefined,
  creating: Map<string, Promise<IRoomCache>>,
): Promise<Reservation> {
  const authData = await authorize(roomName, options, context);
  const handler = matchMaker.getHandler(roomName);
  const filter = handler.getFilterOptions(options) as ClientOptions;
  const key = JSON.stringify(filter);
  const giveUpAt = performance.now() + GIVE_UP_AFTER_MS;
  while (performance.now() < giveUpAt) {
    const open = await openRooms(roomName, filter, handler.sortOptions);
    for (const room of open) {
      try {
        return await matchMaker.reserveSeatFor(room, options, authData);
      } catch (e) {
        if (!isSeatReservationError(e)) throw e; // full since the listing was read: the next one, at once
      }
    }
    // No open room took us: this process opens one, or waits for the one it is opening.
    let pending = creating.get(key);
    if (pending === undefined) {
      pending = matchMaker.createRoom(roomName, options);
      creating.set(key, pending);
      void pending.finally(() => creating.delete(key)).catch(() => undefined);
    }
    const room = await pending;
    try {
      return await matchMaker.reserveSeatFor(room, options, authData);
    } catch (e) {
      if (!isSeatReservationError(e)) throw e; // filled by the others who waited for it: read the listing again
    }
  }
  throw new ServerError(ErrorCode.MATCHMAKE_UNHANDLED, "every room is full right now; try again in a moment");
}
