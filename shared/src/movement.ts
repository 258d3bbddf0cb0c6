/** Player movement: the part of the step a client predicts for itself. */
import { PLAYER_RADIUS, PLAYER_SPEED, POSITION_SCALE } from "./constants.ts";
import { circleOverlapsRect, pushCircleOutOfRect, snap, type Vec } from "./geometry.ts";
import type { ArenaMap } from "./map.ts";
import { MOVE_SCALE } from "./schema.ts";

/** Longest distance moved between two collision checks: well under the radius, so walls cannot be skipped. */
const MAX_SUBSTEP = PLAYER_RADIUS / 4;

/**
 * Turns raw move components into a direction of length at most 1.
 * Non-finite values count as 0; vectors longer than 1 are normalized.
 */
export function moveDirection(mx: number, my: number): { dx: number; dy: number } {
  let dx = Number.isFinite(mx) ? mx / MOVE_SCALE : 0;
  let dy = Number.isFinite(my) ? my / MOVE_SCALE : 0;
  const len = Math.sqrt(dx * dx + dy * dy);
  if (len > 1) {
    dx /= len;
    dy /= len;
  }
  return { dx, dy };
}

/** Wraps an angle into [-PI, PI]; non-finite angles become 0. */
export function wrapAngle(angle: number): number {
  if (!Number.isFinite(angle)) return 0;
  const twoPi = Math.PI * 2;
  let a = angle % twoPi;
  if (a > Math.PI) a -= twoPi;
  else if (a < -Math.PI) a += twoPi;
  return a;
}

/** Keeps a circle of `radius` inside the arena and out of every wall, in place. */
export function resolveCollisions(p: Vec, radius: number, map: ArenaMap): void {
  for (const wall of map.walls) pushCircleOutOfRect(p, radius, wall);
  p.x = Math.min(Math.max(p.x, radius), map.width - radius);
  p.y = Math.min(Math.max(p.y, radius), map.height - radius);
}

/**
 * Moves `body` by one fixed step of `dt` seconds in the direction of (mx, my),
 * sliding along walls, then snaps it to the position grid. Deterministic: the
 * same body, input and dt give bit-identical results on server and client.
 */
export function applyMove(body: Vec, mx: number, my: number, dt: number, map: ArenaMap): void {
  const { dx, dy } = moveDirection(mx, my);
  const distance = PLAYER_SPEED * dt * Math.sqrt(dx * dx + dy * dy);
  if (distance === 0) return;
  const substeps = Math.max(1, Math.ceil(distance / MAX_SUBSTEP));
  const stepX = (dx * PLAYER_SPEED * dt) / substeps;
  const stepY = (dy * PLAYER_SPEED * dt) / substeps;
  const p = { x: body.x, y: body.y };
  for (let i = 0; i < substeps; i++) {
    p.x += stepX;
    p.y += stepY;
    resolveCollisions(p, PLAYER_RADIUS, map);
  }
  // Snapping may nudge a touching circle into a wall by less than a grid cell; resolve once more.
  p.x = snap(p.x, POSITION_SCALE);
  p.y = snap(p.y, POSITION_SCALE);
  if (overlapsAnyWall(p, map)) {
    resolveCollisions(p, PLAYER_RADIUS + 1 / POSITION_SCALE, map);
    p.x = snap(p.x, POSITION_SCALE);
    p.y = snap(p.y, POSITION_SCALE);
  }
  body.x = p.x;
  body.y = p.y;
}

function overlapsAnyWall(p: Vec, map: ArenaMap): boolean {
  return map.walls.some((w) => circleOverlapsRect(p.x, p.y, PLAYER_RADIUS, w));
}
