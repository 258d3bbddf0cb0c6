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
export function moveFromStick(dx: number, dy: number, out: { mx: number; my: number } = { mx: 0, my: 0 }): { mx: number; my: number } {
  // Written into `out` (the touch layer passes its command every frame: nothing allocated per frame).
  const d = Math.hypot(dx, dy);
  if (d < DEAD_ZONE_PX) {
    out.mx = 0;
    out.my = 0;
    return out;
  }
  const k = Math.min(1, d / STICK_RADIUS_PX) / d;
  out.mx = Math.round(dx * k * MOVE_SCALE);
  out.my = Math.round(dy * k * MOVE_SCALE);
  return out;
}

/** Aim and trigger from a right-stick push: aims where it points, fires while pushed; keeps `aim` while resting. */
export function aimFromStick(dx: number, dy: number, aim: number, out: { aim: number; fire: boolean } = { aim, fire: false }): { aim: number; fire: boolean } {
  const resting = Math.hypot(dx, dy) < DEAD_ZONE_PX;
  out.aim = resting ? aim : Math.atan2(dy, dx);
  out.fire = !resting;
  return out;
}
