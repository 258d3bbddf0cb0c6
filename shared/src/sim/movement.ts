/** Player movement: the part of the step a client predicts for itself. */
import { PLAYER_RADIUS, PLAYER_SPEED, POSITION_SCALE } from "../constants.ts";
import { circleOverlapsRect, pushCircleOutOfRect, type Vec } from "./geometry.ts";
import type { ArenaMap } from "./map.ts";
import { MOVE_SCALE } from "../wire/schema.ts";

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

/** The signed difference a - b, wrapped into [-PI, PI]. */
export function angleBetween(a: number, b: number): number {
  return Math.atan2(Math.sin(a - b), Math.cos(a - b));
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
 * sliding along walls, and keeps it on the position grid. Deterministic: the
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
  // Snap the displacement toward zero onto the grid: positions stay exact in
  // float32 and no step is ever longer than PLAYER_SPEED * dt.
  const nx = body.x + truncate(p.x - body.x);
  const ny = body.y + truncate(p.y - body.y);
  // Near a wall corner the snapped point can graze the wall; then stay put (the start is always valid).
  if (overlapsAnyWall(nx, ny, map)) return;
  body.x = nx;
  body.y = ny;
}

function truncate(delta: number): number {
  return Math.trunc(delta * POSITION_SCALE) / POSITION_SCALE;
}

function overlapsAnyWall(x: number, y: number, map: ArenaMap): boolean {
  return map.walls.some((w) => circleOverlapsRect(x, y, PLAYER_RADIUS, w));
}
