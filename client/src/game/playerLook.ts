/**
 * How a player is drawn so that who it is reads without colour: people are circles, bots are hexagons, and you
 * have a white ring and a marker over your name; everyone's body has a dark outline (it stands off the floor in
 * any palette). Health bars and names are sized for a phone's screen and outlined for contrast.
 */
import Phaser from "phaser";
import { MAX_HP, PLAYER_RADIUS } from "@arena/shared";
import { COLORS } from "./palette.ts";

/** What sets a body's look. */
export interface Look {
  readonly color: number;
  readonly me: boolean;
  readonly bot: boolean;
  readonly connected: boolean;
}

const OUTLINE = 0x07090d;
/** Health bar, in world units over the body: wide and tall enough to read at a phone's scale. */
export const HP_BAR_WIDTH = 44;
export const HP_BAR_HEIGHT = 6;
/** Name labels: a size and an outline that hold on a small, bright or busy screen. */
export const LABEL_STYLE = { fontFamily: "system-ui, sans-serif", fontSize: "15px", fontStyle: "bold", color: "#e6e9ef", stroke: "#07090d", strokeThickness: 4 } as const;
/** The label's distance above the body's centre. */
export const LABEL_OFFSET = PLAYER_RADIUS + 16;

/** A hexagon's corners around (0, 0) with the body's radius, flat side up. */
const HEX = Array.from({ length: 6 }, (_, i) => new Phaser.Math.Vector2(
  Math.cos((i * Math.PI) / 3) * PLAYER_RADIUS * 1.08,
  Math.sin((i * Math.PI) / 3) * PLAYER_RADIUS * 1.08,
));

/** The body at (0, 0) of `g`: its shape by kind (person circle, bot hexagon), a dark outline, and your ring. */
export function drawBody(g: Phaser.GameObjects.Graphics, look: Look): void {
  const alpha = look.connected ? 1 : 0.35;
  g.fillStyle(look.color, alpha);
  if (look.bot) g.fillPoints(HEX, true);
  else g.fillCircle(0, 0, PLAYER_RADIUS);
  g.lineStyle(3, OUTLINE, 0.9 * alpha);
  if (look.bot) g.strokePoints(HEX, true);
  else g.strokeCircle(0, 0, PLAYER_RADIUS);
  if (look.me) {
    g.lineStyle(3, 0xffffff, 0.95).strokeCircle(0, 0, PLAYER_RADIUS + 3);
    // A marker over your own name: found at a glance in a crowd.
    const y = -LABEL_OFFSET - 30;
    g.fillStyle(0xffffff, 1).fillTriangle(-7, y, 7, y, 0, y + 9);
    g.lineStyle(2, OUTLINE, 1).strokeTriangle(-7, y, 7, y, 0, y + 9);
  }
}

/** The health bar above the body, outlined. */
export function drawHealth(g: Phaser.GameObjects.Graphics, hp: number): void {
  const w = HP_BAR_WIDTH;
  const y = -PLAYER_RADIUS - 12;
  g.fillStyle(OUTLINE, 1).fillRect(-w / 2 - 1, y - 1, w + 2, HP_BAR_HEIGHT + 2);
  g.fillStyle(COLORS.hpBack, 1).fillRect(-w / 2, y, w, HP_BAR_HEIGHT);
  g.fillStyle(COLORS.hp, 1).fillRect(-w / 2, y, (w * Math.max(0, hp)) / MAX_HP, HP_BAR_HEIGHT);
}
