/** What a bot can see and where it can walk straight: segment tests against the map's walls. */
import { segmentRectTime } from "../geometry.ts";
import type { ArenaMap } from "../map.ts";

/**
 * True when the segment from (ax, ay) to (bx, by), widened by `pad` on each side,
 * touches no wall: with `pad` the projectile radius, a shot along it reaches the end.
 */
export function clearLine(map: ArenaMap, ax: number, ay: number, bx: number, by: number, pad: number): boolean {
  const dx = bx - ax;
  const dy = by - ay;
  for (const wall of map.walls) if (segmentRectTime(ax, ay, dx, dy, wall, pad) >= 0) return false;
  return true;
}

/** True when a circle of `radius` can go straight from a to b: no wall in the way and inside the arena. */
export function clearWalk(map: ArenaMap, ax: number, ay: number, bx: number, by: number, radius: number): boolean {
  if (bx < radius || by < radius || bx > map.width - radius || by > map.height - radius) return false;
  return clearLine(map, ax, ay, bx, by, radius);
}
