/**
 * The only place the arena reaches into Colyseus Room internals (0.18).
 *
 * Colyseus has one capacity, `maxClients`; the arena caps players and
 * spectators separately, and no public API says which kind of seat a
 * reservation is for. So the room needs:
 * - `_reservedSeats`: seats reserved and not yet connected (a connected
 *   seat's entry is made non-enumerable, so `Object.keys` skips it; a seat
 *   held for reconnection stays listed);
 * - `_reserveSeat(sessionId, options, authData)`: what `matchMaker.reserveSeatFor`
 *   runs on the room's process; it calls `hasReachedMaxClients()`
 *   synchronously, before its first `await`, and then records the seat.
 * - matchmaking (`matchMaker.reserveSeatFor`, locally or through IPC) calls
 *   the *instance's* `_reserveSeat`, so wrapping it per room sees every
 *   reservation and every refusal (join-phase metrics).
 * server/test/colyseus-seats.test.ts checks each of these facts against the
 * installed @colyseus/core and fails if an upgrade changes one.
 */
interface RoomInternals {
  _reservedSeats: Record<string, unknown>;
  _reserveSeat(sessionId: string, joinOptions?: unknown, authData?: unknown, ...rest: unknown[]): Promise<boolean>;
}

function internals(room: object): RoomInternals {
  return room as unknown as RoomInternals;
}

/** Session ids whose seat is reserved (not yet connected, or held for a reconnection). */
export function reservedSessionIds(room: object): string[] {
  return Object.keys(internals(room)._reservedSeats);
}

/** Whether `sessionId` has a reserved (unconnected) seat. */
export function isReserved(room: object, sessionId: string): boolean {
  return Object.prototype.propertyIsEnumerable.call(internals(room)._reservedSeats, sessionId);
}

/**
 * Reserves a seat in this process's room, as matchmaking would. The capacity
 * check (`hasReachedMaxClients`) runs before this returns; `during` is
 * in effect exactly while it runs.
 */
export function reserveSeat(room: object, sessionId: string, options: unknown, during: { enter(): void; leave(): void }): Promise<boolean> {
  during.enter();
  try {
    return internals(room)._reserveSeat(sessionId, options);
  } finally {
    during.leave();
  }
}

/** Told of each seat a room reserves, and each it refuses because it is full. */
export interface ReservationWatcher {
  seatReserved(sessionId: string): void;
  seatRefused(): void;
}

/**
 * Reports this room's seat reservations to `watcher`. The capacity check
 * still runs synchronously inside the call (the wrapper adds no `await`
 * before it), which `reserveSeat` above relies on.
 */
export function watchReservations(room: object, watcher: ReservationWatcher): void {
  const r = internals(room);
  const reserve = r._reserveSeat;
  r._reserveSeat = async function (this: RoomInternals, sessionId: string, ...rest: unknown[]): Promise<boolean> {
    const ok = await reserve.call(this, sessionId, ...rest);
    if (ok) watcher.seatReserved(sessionId);
    else watcher.seatRefused();
    return ok;
  };
}
