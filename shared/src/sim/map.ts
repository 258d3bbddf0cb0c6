/** The arena as data: its size, its walls and its spawn points. */

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface ArenaMap {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly walls: readonly Rect[];
  readonly spawns: readonly Point[];
}

/** The first map: a 2000 x 1400 arena with cover in the middle and along the sides. */
export const ARENA_MAP: ArenaMap = {
  name: "foundry",
  width: 2000,
  height: 1400,
  walls: [
    // center cross
    { x: 940, y: 560, w: 120, h: 280 },
    { x: 820, y: 660, w: 360, h: 80 },
    // four corner L-shapes
    { x: 300, y: 240, w: 260, h: 40 },
    { x: 300, y: 280, w: 40, h: 160 },
    { x: 1440, y: 240, w: 260, h: 40 },
    { x: 1660, y: 280, w: 40, h: 160 },
    { x: 300, y: 1120, w: 260, h: 40 },
    { x: 300, y: 960, w: 40, h: 160 },
    { x: 1440, y: 1120, w: 260, h: 40 },
    { x: 1660, y: 960, w: 40, h: 160 },
    // side pillars
    { x: 600, y: 620, w: 60, h: 160 },
    { x: 1340, y: 620, w: 60, h: 160 },
    { x: 960, y: 180, w: 80, h: 120 },
    { x: 960, y: 1100, w: 80, h: 120 },
  ],
  spawns: [
    { x: 120, y: 120 },
    { x: 1880, y: 120 },
    { x: 120, y: 1280 },
    { x: 1880, y: 1280 },
    { x: 1000, y: 80 },
    { x: 1000, y: 1320 },
    { x: 80, y: 700 },
    { x: 1920, y: 700 },
    { x: 460, y: 420 },
    { x: 1540, y: 420 },
    { x: 460, y: 980 },
    { x: 1540, y: 980 },
    { x: 760, y: 400 },
    { x: 1240, y: 1000 },
    { x: 760, y: 1000 },
    { x: 1240, y: 400 },
  ],
};
