/** Turning held keys and the pointer into the values of one PlayerInput. */
import { MOVE_SCALE } from "@arena/shared";

const LEFT = ["KeyA", "ArrowLeft"];
const RIGHT = ["KeyD", "ArrowRight"];
const UP = ["KeyW", "ArrowUp"];
const DOWN = ["KeyS", "ArrowDown"];

/** Move components from the held key codes: opposite keys cancel; the shared step normalizes diagonals. */
export function moveFromKeys(held: ReadonlySet<string>, out: { mx: number; my: number } = { mx: 0, my: 0 }): { mx: number; my: number } {
  // Written into `out` (the game passes the same object every frame: nothing allocated per frame).
  out.mx = ((anyHeld(held, RIGHT) ? 1 : 0) - (anyHeld(held, LEFT) ? 1 : 0)) * MOVE_SCALE;
  out.my = ((anyHeld(held, DOWN) ? 1 : 0) - (anyHeld(held, UP) ? 1 : 0)) * MOVE_SCALE;
  return out;
}

function anyHeld(held: ReadonlySet<string>, codes: readonly string[]): boolean {
  for (const c of codes) if (held.has(c)) return true;
  return false;
}

/** Aim angle from the player's position to the pointer, both in world units. */
export function aimAt(fromX: number, fromY: number, toX: number, toY: number, fallback: number): number {
  const dx = toX - fromX;
  const dy = toY - fromY;
  return dx === 0 && dy === 0 ? fallback : Math.atan2(dy, dx);
}

/** Keys the game listens to; others (typing in chat) are left alone. */
export const GAME_KEYS: ReadonlySet<string> = new Set([...LEFT, ...RIGHT, ...UP, ...DOWN]);
