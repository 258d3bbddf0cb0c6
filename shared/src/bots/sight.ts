/** What a bot can see and where it can walk straight: segment tests against the map's walls. */
import { circleOverlapsRect, segmentRectTime } from "../sim/geometry.ts";
import type { ArenaMap } from "../sim/map.ts";

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

/**
 * True when a circle of `radius` can go straight from a to b: every point along
 * the way, a quarter radius apart, is inside the arena and off every wall. The
 * start itself is not tested, so a player touching a wall can look for a way
 * off it (a padded-segment test would call any direction blocked near a corner).
 */
export function clearWalk(map: ArenaMap, ax: number, ay: number, bx: number, by: number, radius: number): boolean {
  const dx = bx - ax;
  const dy = by - ay;
  const n = Math.max(1, Math.ceil(Math.hypot(dx, dy) / (radius / 4)));
  for (let i = 1; i <= n; i++) {
    const x = ax + (dx * i) / n;
    const y = ay + (dy * i) / n;
    if (x < radius || y < radius || x > map.width - radius || y > map.height - radius) return false;
    for (const wall of map.walls) if (circleOverlapsRect(x, y, radius, wall)) return false;
  }
  return true;
}
