/**
 * The two Colyseus Room internals the arena relies on, typed in one place:
 * `_reserveSeat` (what matchmaking calls on the room's process) and
 * `_reservedSeats` (seats reserved but not yet connected). Both exist in
 * @colyseus/core 0.18; the spectator tests fail if that changes.
 */
import type { Room } from "@colyseus/core";

interface RoomInternals {
  _reservedSeats: Record<string, unknown>;
  _reserveSeat(sessionId: string, joinOptions?: unknown, authData?: unknown): Promise<boolean>;
}

export function internals(room: Room): RoomInternals {
  return room as unknown as RoomInternals;
}
