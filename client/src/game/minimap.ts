/**
 * A minimap in the screen's top-left corner, under the HUD bar: the arena's
 * walls (drawn once per map) and where you are (redrawn each frame). It is sized to the
 * screen, so a phone still sees the arena without losing the view.
 */
import type Phaser from "phaser";
import type { ArenaMap } from "@arena/shared";
import { COLORS } from "./palette.ts";

const MARGIN_X = 8;
const MARGIN_Y = 44;
/** On phone-sized screens the HUD bar wraps to two lines (style.css, max-width 700px). */
const NARROW_PX = 700;
const NARROW_MARGIN_Y = 84;
/** Width at most, px, and at most this share of the screen's width. */
const MAX_WIDTH = 180;
const SCREEN_SHARE = 0.25;

export class Minimap {
  private readonly back: Phaser.GameObjects.Graphics;
  private readonly dot: Phaser.GameObjects.Graphics;
  private scale = 0;
  private top = MARGIN_Y;

  constructor(scene: Phaser.Scene, private map: ArenaMap) {
    this.back = scene.add.graphics().setScrollFactor(0).setDepth(20);
    this.dot = scene.add.graphics().setScrollFactor(0).setDepth(21);
  }

  /** Pixels per world unit; changes with the screen width. */
  get pixelsPerUnit(): number {
    return this.scale;
  }

  /** Where it is on the screen, in CSS pixels (the HUD layout test checks nothing overlaps it). */
  bounds(): { x: number; y: number; width: number; height: number } {
    return { x: MARGIN_X, y: this.top, width: this.map.width * this.scale, height: this.map.height * this.scale };
  }

  /** Draws another map's walls (the room's map, once loaded). */
  show(map: ArenaMap, width: number): void {
    this.map = map;
    this.layout(width);
  }

  /** Redraws the walls for a screen `width` pixels wide (on creation and resize). */
  layout(width: number): void {
    const { map } = this;
    this.scale = Math.min(MAX_WIDTH, width * SCREEN_SHARE) / map.width;
    this.top = width <= NARROW_PX ? NARROW_MARGIN_Y : MARGIN_Y;
    const k = this.scale;
    const g = this.back.clear();
    g.fillStyle(0x000000, 0.55).fillRect(MARGIN_X, this.top, map.width * k, map.height * k);
    g.lineStyle(1, COLORS.wallEdge, 0.9).strokeRect(MARGIN_X, this.top, map.width * k, map.height * k);
    g.fillStyle(COLORS.wallEdge, 0.9);
    for (const w of map.walls) g.fillRect(MARGIN_X + w.x * k, this.top + w.y * k, Math.max(1, w.w * k), Math.max(1, w.h * k));
  }

  /** You, at world position `at` (nothing while dead or spectating). */
  update(at: { x: number; y: number } | undefined, color: number): void {
    const g = this.dot.clear();
    if (at === undefined) return;
    const k = this.scale;
    g.fillStyle(color, 1).fillCircle(MARGIN_X + at.x * k, this.top + at.y * k, 3);
    g.lineStyle(1, 0xffffff, 1).strokeCircle(MARGIN_X + at.x * k, this.top + at.y * k, 3);
  }
}
