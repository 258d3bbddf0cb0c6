/** How the arena's floor and walls are drawn: by the live scene and the replay viewer alike. */
import type Phaser from "phaser";
import type { ArenaMap } from "@arena/shared";
import { COLORS } from "./palette.ts";

/** Draws `map`'s floor (with its 100-unit grid) into `floor` and its walls into `walls`, both cleared first. */
export function drawArenaLook(floor: Phaser.GameObjects.Graphics, walls: Phaser.GameObjects.Graphics, map: ArenaMap): void {
  const { width, height } = map;
  floor.clear();
  floor.fillStyle(COLORS.floor, 1).fillRect(0, 0, width, height);
  floor.lineStyle(1, COLORS.grid, 1);
  for (let x = 0; x <= width; x += 100) floor.lineBetween(x, 0, x, height);
  for (let y = 0; y <= height; y += 100) floor.lineBetween(0, y, width, y);
  walls.clear();
  // A little depth: each wall casts a shadow down-right, then its face and a lit top-left edge.
  for (const w of map.walls) walls.fillStyle(COLORS.wallShadow, 0.8).fillRect(w.x + 6, w.y + 6, w.w, w.h);
  for (const w of map.walls) {
    walls.fillStyle(COLORS.wall, 1).fillRect(w.x, w.y, w.w, w.h);
    walls.lineStyle(2, COLORS.wallEdge, 1).strokeRect(w.x, w.y, w.w, w.h);
    walls.lineStyle(2, COLORS.wallLight, 1).lineBetween(w.x, w.y, w.x + w.w, w.y).lineBetween(w.x, w.y, w.x, w.y + w.h);
  }
}
