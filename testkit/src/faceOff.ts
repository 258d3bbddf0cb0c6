/** The face-off the game's tests stage for a kill: where the two players stand, and the shooter holding fire. */
import type { ArenaState } from "@arena/shared";
import { holdInput, type ArenaRoomClient } from "./rooms.ts";

/** Where the shooter of a face-off stands: open ground of the built-in map. */
export const FACE_OFF_SHOOTER = { x: 150, y: 700 } as const;
/** Where its target stands: 200 units right of the shooter, on the same row (a shot aimed at 0 flies at it). */
export const FACE_OFF_TARGET = { x: 350, y: 700 } as const;

/**
 * Server-side test setup (`state` as the server holds it): the shooter and the target at their face-off places, the
 * target's spawn protection ended, so shots aimed at 0 hit it. Throws when either is not a player of the room.
 */
export function faceOff(state: ArenaState, shooterId: string, targetId: string): void {
  const shooter = state.players.get(shooterId);
  const target = state.players.get(targetId);
  if (shooter === undefined || target === undefined) throw new Error(`face-off: ${shooter === undefined ? shooterId : targetId} is not a player of the room`);
  shooter.x = FACE_OFF_SHOOTER.x;
  shooter.y = FACE_OFF_SHOOTER.y;
  target.x = FACE_OFF_TARGET.x;
  target.y = FACE_OFF_TARGET.y;
  target.protectedUntil = 0;
}

/** Holds `room`'s trigger, aimed at 0 (to the right), while `until` runs; the firing stops however it ends. */
export async function firingRight<T>(room: ArenaRoomClient, until: () => Promise<T>): Promise<T> {
  const stop = holdInput(room, () => ({ fire: true, aim: 0 }));
  try {
    return await until();
  } finally {
    stop();
  }
}
