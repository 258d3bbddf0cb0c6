import { describe, expect, it } from "vitest";
import {
  ARENA_MAP, NavGrid, PLAYER_RADIUS, RoutePlanner, circleOverlapsRect, clearWalk, navGridFor, type ArenaMap,
} from "../src/index.ts";

/** A small map with a closed box (no door) in its middle. */
const BOXED: ArenaMap = {
  name: "boxed",
  width: 800,
  height: 600,
  walls: [
    { x: 300, y: 200, w: 200, h: 20 },
    { x: 300, y: 380, w: 200, h: 20 },
    { x: 300, y: 200, w: 20, h: 200 },
    { x: 480, y: 200, w: 20, h: 200 },
  ],
  spawns: [{ x: 100, y: 100 }],
};

describe("the path-search grid of a map", () => {
  it("opens only cells where a player at the center touches no wall and stays inside the arena", () => {
    const nav = new NavGrid(ARENA_MAP);
    let open = 0;
    for (let i = 0; i < nav.cols * nav.rows; i++) {
      if (!nav.isOpen(i)) continue;
      open++;
      const { x, y } = nav.center(i);
      expect(ARENA_MAP.walls.some((w) => circleOverlapsRect(x, y, PLAYER_RADIUS, w))).toBe(false);
      expect(x >= PLAYER_RADIUS && y >= PLAYER_RADIUS && x <= ARENA_MAP.width - PLAYER_RADIUS && y <= ARENA_MAP.height - PLAYER_RADIUS).toBe(true);
    }
    expect(open).toBe(nav.openCount());
    expect(open).toBeGreaterThan(0.7 * nav.cols * nav.rows);
  });

  it("routes across the arena around the walls, every leg walkable in a straight line, and not much longer than needed", () => {
    const nav = new NavGrid(ARENA_MAP);
    const from = nav.nearestOpen(100, 700);
    const to = nav.nearestOpen(1900, 700);
    const route = nav.search(from, to)!;
    expect(route).not.toBeNull();
    expect(route.at(-1)).toEqual(nav.center(to));
    let at = nav.center(from);
    let length = 0;
    for (const wp of route) {
      expect(clearWalk(ARENA_MAP, at.x, at.y, wp.x, wp.y, PLAYER_RADIUS)).toBe(true);
      length += Math.hypot(wp.x - at.x, wp.y - at.y);
      at = wp;
    }
    // The straight line at y = 700 crosses three walls; going round them costs little.
    expect(length).toBeLessThan(1.15 * 1800);
    expect(route.length).toBeLessThan(10); // straightened: turns only, not every cell
  });

  it("finds no route into a closed box, and an open cell next to a player pressed against a wall", () => {
    const nav = new NavGrid(BOXED);
    const inside = nav.nearestOpen(400, 300);
    expect(inside).toBeGreaterThanOrEqual(0);
    expect(nav.search(nav.nearestOpen(100, 100), inside)).toBeNull();
    const pressed = nav.nearestOpen(300 - PLAYER_RADIUS, 300); // touching the box's left side
    expect(nav.isOpen(pressed)).toBe(true);
    expect(Math.abs(nav.center(pressed).x - (300 - PLAYER_RADIUS))).toBeLessThanOrEqual(nav.cell);
  });

  it("remembers routes: the same request again is a cache hit, not a search", () => {
    const nav = new NavGrid(ARENA_MAP);
    const planner = new RoutePlanner(nav, 10);
    planner.beginStep();
    const first = planner.route(100, 100, 1900, 1300);
    const searches = nav.stats.searches;
    const second = planner.route(110, 110, 1890, 1290); // same cells
    expect(second).toBe(first);
    expect(nav.stats.searches).toBe(searches);
    expect(nav.stats.cacheHits).toBe(1);
  });

  it("hands out at most its budget of routes per step; the rest ask again next step", () => {
    const planner = new RoutePlanner(new NavGrid(ARENA_MAP), 1);
    planner.beginStep();
    expect(planner.route(100, 100, 1900, 1300)).toBeTruthy();
    expect(planner.route(100, 100, 1900, 100)).toBeUndefined();
    planner.beginStep();
    expect(planner.route(100, 100, 1900, 100)).toBeTruthy();
    expect(planner.stats).toEqual({ requests: 2, deferred: 1 });
  });

  it("is built once per map and shared", () => {
    expect(navGridFor(ARENA_MAP)).toBe(navGridFor(ARENA_MAP));
  });
});
