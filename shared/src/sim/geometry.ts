/** Pure 2D geometry for the simulation: circle/rect overlap and swept tests. */
import type { Rect } from "./map.ts";

/** Mutable 2D position; schema instances and plain objects both fit. */
export interface Vec {
  x: number;
  y: number;
}

/**
 * Pushes a circle out of a rectangle along the shortest way, in place.
 * Returns true when the circle overlapped the rectangle.
 */
export function pushCircleOutOfRect(p: Vec, radius: number, r: Rect): boolean {
  const nearestX = p.x < r.x ? r.x : p.x > r.x + r.w ? r.x + r.w : p.x;
  const nearestY = p.y < r.y ? r.y : p.y > r.y + r.h ? r.y + r.h : p.y;
  const dx = p.x - nearestX;
  const dy = p.y - nearestY;
  const d2 = dx * dx + dy * dy;
  if (d2 >= radius * radius) return false;
  if (d2 > 0) {
    const d = Math.sqrt(d2);
    p.x = nearestX + (dx / d) * radius;
    p.y = nearestY + (dy / d) * radius;
    return true;
  }
  // Center inside the rectangle: leave by the nearest side.
  const left = p.x - r.x;
  const right = r.x + r.w - p.x;
  const top = p.y - r.y;
  const bottom = r.y + r.h - p.y;
  const min = Math.min(left, right, top, bottom);
  if (min === left) p.x = r.x - radius;
  else if (min === right) p.x = r.x + r.w + radius;
  else if (min === top) p.y = r.y - radius;
  else p.y = r.y + r.h + radius;
  return true;
}

/** True when a circle overlaps a rectangle (touching does not count). */
export function circleOverlapsRect(x: number, y: number, radius: number, r: Rect): boolean {
  const nearestX = x < r.x ? r.x : x > r.x + r.w ? r.x + r.w : x;
  const nearestY = y < r.y ? r.y : y > r.y + r.h ? r.y + r.h : y;
  const dx = x - nearestX;
  const dy = y - nearestY;
  return dx * dx + dy * dy < radius * radius;
}

/**
 * First time t in [0, 1] at which the segment (x0,y0)->(x0+dx,y0+dy) enters the
 * rectangle grown by `pad` on every side, or -1 when it does not (slab method).
 */
export function segmentRectTime(x0: number, y0: number, dx: number, dy: number, r: Rect, pad: number): number {
  let tMin = 0;
  let tMax = 1;
  const minX = r.x - pad;
  const maxX = r.x + r.w + pad;
  const minY = r.y - pad;
  const maxY = r.y + r.h + pad;
  if (dx === 0) {
    if (x0 < minX || x0 > maxX) return -1;
  } else {
    let t1 = (minX - x0) / dx;
    let t2 = (maxX - x0) / dx;
    if (t1 > t2) [t1, t2] = [t2, t1];
    tMin = Math.max(tMin, t1);
    tMax = Math.min(tMax, t2);
    if (tMin > tMax) return -1;
  }
  if (dy === 0) {
    if (y0 < minY || y0 > maxY) return -1;
  } else {
    let t1 = (minY - y0) / dy;
    let t2 = (maxY - y0) / dy;
    if (t1 > t2) [t1, t2] = [t2, t1];
    tMin = Math.max(tMin, t1);
    tMax = Math.min(tMax, t2);
    if (tMin > tMax) return -1;
  }
  return tMin;
}

/**
 * First time t in [0, 1] at which the segment (x0,y0)->(x0+dx,y0+dy) comes within
 * `radius` of (cx, cy), or -1 when it does not. A start inside counts as t = 0.
 */
export function segmentCircleTime(
  x0: number, y0: number, dx: number, dy: number,
  cx: number, cy: number, radius: number,
): number {
  const fx = x0 - cx;
  const fy = y0 - cy;
  const c = fx * fx + fy * fy - radius * radius;
  if (c <= 0) return 0;
  const a = dx * dx + dy * dy;
  if (a === 0) return -1;
  const b = 2 * (fx * dx + fy * dy);
  const disc = b * b - 4 * a * c;
  if (disc < 0) return -1;
  const t = (-b - Math.sqrt(disc)) / (2 * a);
  return t >= 0 && t <= 1 ? t : -1;
}
