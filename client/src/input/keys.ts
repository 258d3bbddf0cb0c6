/** Turning held keys and the pointer into the values of one PlayerInput. */
import { MOVE_SCALE } from "@arena/shared";

const LEFT = ["KeyA", "ArrowLeft"];
const RIGHT = ["KeyD", "ArrowRight"];
const UP = ["KeyW", "ArrowUp"];
const DOWN = ["KeyS", "ArrowDown"];

/** Move components from the held key codes: opposite keys cancel; the shared step normalizes diagonals. */
export function moveFromKeys(held: ReadonlySet<string>): { mx: number; my: number } {
  const any = (codes: string[]): boolean => codes.some((c) => held.has(c));
  const mx = (any(RIGHT) ? 1 : 0) - (any(LEFT) ? 1 : 0);
  const my = (any(DOWN) ? 1 : 0) - (any(UP) ? 1 : 0);
  return { mx: mx * MOVE_SCALE, my: my * MOVE_SCALE };
}

/** Aim angle from the player's position to the pointer, both in world units. */
export function aimAt(fromX: number, fromY: number, toX: number, toY: number, fallback: number): number {
  const dx = toX - fromX;
  const dy = toY - fromY;
  return dx === 0 && dy === 0 ? fallback : Math.atan2(dy, dx);
}

/** Keys the game listens to; others (typing in chat) are left alone. */
export const GAME_KEYS: ReadonlySet<string> = new Set([...LEFT, ...RIGHT, ...UP, ...DOWN]);
