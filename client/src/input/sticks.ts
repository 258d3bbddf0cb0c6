/**
 * Twin-stick arithmetic, free of the DOM: a stick is where a finger came down
 * (its centre) and where it is now. The left stick moves, the right one aims,
 * and fires while pushed past its dead zone.
 */
import { MOVE_SCALE } from "@arena/shared";

/** How far (px) a finger travels from the stick's centre for full speed. */
export const STICK_RADIUS_PX = 60;
/** Pushes shorter than this (px) are taken as resting: no move, no fire. */
export const DEAD_ZONE_PX = 12;

/** Move components from a left-stick push (dx, dy in px): proportional, full speed at the rim. */
export function moveFromStick(dx: number, dy: number): { mx: number; my: number } {
  const d = Math.hypot(dx, dy);
  if (d < DEAD_ZONE_PX) return { mx: 0, my: 0 };
  const k = Math.min(1, d / STICK_RADIUS_PX) / d;
  return { mx: Math.round(dx * k * MOVE_SCALE), my: Math.round(dy * k * MOVE_SCALE) };
}

/** Aim and trigger from a right-stick push: aims where it points, fires while pushed; keeps `aim` while resting. */
export function aimFromStick(dx: number, dy: number, aim: number): { aim: number; fire: boolean } {
  if (Math.hypot(dx, dy) < DEAD_ZONE_PX) return { aim, fire: false };
  return { aim: Math.atan2(dy, dx), fire: true };
}
