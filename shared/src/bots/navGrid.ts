/**
 * The map as a grid for path search: a cell is open when a player standing at
 * its center (with a small margin) touches no wall. Routes are searched with A*
 * (8 neighbours, no cutting past wall corners), straightened where a player can
 * walk straight, and remembered by start and goal cell.
 */
import FlatQueue from "flatqueue";
import { PLAYER_RADIUS } from "../constants.ts";
import { circleOverlapsRect } from "../sim/geometry.ts";
import type { ArenaMap, Point } from "../sim/map.ts";
import { BOT_NAV_CELL, BOT_ROUTE_CACHE } from "./skill.ts";
import { clearLine } from "./sight.ts";

/** Room kept between a planned route and the walls, world units. */
const WALL_MARGIN = 4;
const SQRT2 = Math.SQRT2;
/** Neighbour offsets (dx, dy): the four sides first, then the diagonals. */
const STEPS: ReadonlyArray<readonly [number, number]> = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]];

/** A route: waypoints to walk through in order; the last is the goal cell's center. */
export type Route = readonly Point[];

/** Counters, for measuring how often bots really search. */
export interface NavStats {
  searches: number;
  cacheHits: number;
  /** Cells taken off the open list, over all searches. */
  expanded: number;
}

export class NavGrid {
  readonly cols: number;
  readonly rows: number;
  readonly stats: NavStats = { searches: 0, cacheHits: 0, expanded: 0 };
  private readonly open: Uint8Array;
  private readonly g: Float64Array;
  private readonly parent: Int32Array;
  /** Search number at which a cell was last reached / closed: no clearing between searches. */
  private readonly reached: Uint32Array;
  private readonly closed: Uint32Array;
  private searchId = 0;
  private readonly queue = new FlatQueue<number>();
  private readonly cache = new Map<number, Route | null>();

  constructor(readonly map: ArenaMap, readonly cell: number = BOT_NAV_CELL) {
    this.cols = Math.ceil(map.width / cell);
    this.rows = Math.ceil(map.height / cell);
    const n = this.cols * this.rows;
    this.open = new Uint8Array(n);
    this.g = new Float64Array(n);
    this.parent = new Int32Array(n);
    this.reached = new Uint32Array(n);
    this.closed = new Uint32Array(n);
    const r = PLAYER_RADIUS + WALL_MARGIN;
    for (let i = 0; i < n; i++) {
      const { x, y } = this.center(i);
      const inside = x >= r && y >= r && x <= map.width - r && y <= map.height - r;
      this.open[i] = inside && !map.walls.some((w) => circleOverlapsRect(x, y, r, w)) ? 1 : 0;
    }
  }

  /** The cell holding (x, y), clamped to the grid. */
  cellAt(x: number, y: number): number {
    const c = Math.min(this.cols - 1, Math.max(0, Math.floor(x / this.cell)));
    const r = Math.min(this.rows - 1, Math.max(0, Math.floor(y / this.cell)));
    return r * this.cols + c;
  }

  center(i: number): Point {
    return { x: ((i % this.cols) + 0.5) * this.cell, y: (Math.floor(i / this.cols) + 0.5) * this.cell };
  }

  isOpen(i: number): boolean {
    return this.open[i] === 1;
  }

  /** Number of open cells. */
  openCount(): number {
    let n = 0;
    for (const v of this.open) n += v;
    return n;
  }

  /** The open cell nearest (x, y) within 3 cells, or -1 (a player pressed against a wall stands in a closed cell). */
  nearestOpen(x: number, y: number): number {
    const home = this.cellAt(x, y);
    if (this.isOpen(home)) return home;
    const hc = home % this.cols;
    const hr = Math.floor(home / this.cols);
    let best = -1;
    let bestD = Infinity;
    for (let dr = -3; dr <= 3; dr++) {
      for (let dc = -3; dc <= 3; dc++) {
        const c = hc + dc;
        const r = hr + dr;
        if (c < 0 || r < 0 || c >= this.cols || r >= this.rows) continue;
        const i = r * this.cols + c;
        if (!this.isOpen(i)) continue;
        const p = this.center(i);
        const d = (p.x - x) ** 2 + (p.y - y) ** 2;
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      }
    }
    return best;
  }

  /** A remembered route from cell `from` to cell `to`: a Route, null (no way), or undefined (not searched yet). */
  cached(from: number, to: number): Route | null | undefined {
    const key = from * this.open.length + to;
    const route = this.cache.get(key);
    if (route !== undefined) {
      this.stats.cacheHits++;
      // Most recently used goes last: the oldest entry is the first one dropped.
      this.cache.delete(key);
      this.cache.set(key, route);
    }
    return route;
  }

  /** Searches (and remembers) the route from cell `from` to cell `to`; null when there is none. */
  search(from: number, to: number): Route | null {
    const route = this.astar(from, to);
    const key = from * this.open.length + to;
    if (this.cache.size >= BOT_ROUTE_CACHE) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(key, route);
    return route;
  }

  private astar(from: number, to: number): Route | null {
    this.stats.searches++;
    if (!this.isOpen(from) || !this.isOpen(to)) return null;
    const id = ++this.searchId;
    const { cols, rows, g, parent, reached, closed, queue } = this;
    const tc = to % cols;
    const tr = Math.floor(to / cols);
    const h = (i: number): number => {
      const dx = Math.abs((i % cols) - tc);
      const dy = Math.abs(Math.floor(i / cols) - tr);
      return dx > dy ? dx + (SQRT2 - 1) * dy : dy + (SQRT2 - 1) * dx;
    };
    queue.clear();
    g[from] = 0;
    parent[from] = -1;
    reached[from] = id;
    queue.push(from, h(from));
    let found = false;
    while (queue.length > 0) {
      const i = queue.pop() as number;
      if (closed[i] === id) continue;
      closed[i] = id;
      this.stats.expanded++;
      if (i === to) {
        found = true;
        break;
      }
      const c = i % cols;
      const r = Math.floor(i / cols);
      for (const [dx, dy] of STEPS) {
        const nc = c + dx;
        const nr = r + dy;
        if (nc < 0 || nr < 0 || nc >= cols || nr >= rows) continue;
        const n = nr * cols + nc;
        if (!this.isOpen(n) || closed[n] === id) continue;
        const diagonal = dx !== 0 && dy !== 0;
        // No cutting a wall's corner: both cells beside a diagonal step must be open.
        if (diagonal && (!this.isOpen(r * cols + nc) || !this.isOpen(nr * cols + c))) continue;
        const cost = g[i]! + (diagonal ? SQRT2 : 1);
        if (reached[n] === id && cost >= g[n]!) continue;
        reached[n] = id;
        g[n] = cost;
        parent[n] = i;
        queue.push(n, cost + h(n));
      }
    }
    if (!found) return null;
    const cells: number[] = [];
    for (let i = to; i !== -1; i = parent[i]!) cells.push(i);
    cells.reverse();
    return this.straighten(cells);
  }

  /** Keeps only the cells where the route must turn: from each kept point, the farthest cell reachable in a straight line. */
  private straighten(cells: readonly number[]): Route {
    const points = cells.map((i) => this.center(i));
    const route: Point[] = [];
    let at = 0;
    while (at < points.length - 1) {
      const from = points[at]!;
      let next = at + 1;
      for (let j = points.length - 1; j > at + 1; j--) {
        const to = points[j]!;
        if (clearLine(this.map, from.x, from.y, to.x, to.y, PLAYER_RADIUS + WALL_MARGIN / 2)) {
          next = j;
          break;
        }
      }
      route.push(points[next]!);
      at = next;
    }
    if (route.length === 0) route.push(points[0]!);
    return route;
  }
}

const grids = new WeakMap<ArenaMap, NavGrid>();

/** The grid of `map`, built once per map and shared by every room and bot on it. */
export function navGridFor(map: ArenaMap): NavGrid {
  let grid = grids.get(map);
  if (grid === undefined) {
    grid = new NavGrid(map);
    grids.set(map, grid);
  }
  return grid;
}
