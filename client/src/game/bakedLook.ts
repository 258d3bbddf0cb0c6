/**
 * The live scene's static and repeated drawings baked into textures once, drawn as Images.
 *
 * Phaser's WebGL renderer runs a Graphics' command list again on every frame it is drawn: each circle is turned
 * into a path, triangulated (earcut) and stroked anew, for every body, projectile and the whole arena. An Image
 * is one quad, batched with the others. The drawings themselves stay in arenaLook.ts and playerLook.ts (the
 * kill-cam and the replay viewer draw them directly), so the look is one; what changes per frame (position,
 * rotation, length, alpha) is set on the Image.
 */
import Phaser from "phaser";
import { PLAYER_RADIUS, PROJECTILE_RADIUS, type ArenaMap } from "@arena/shared";
import { drawArenaLook } from "./arenaLook.ts";
import { COLORS } from "./palette.ts";
import { LABEL_OFFSET, drawBody, type Look } from "./playerLook.ts";

/**
 * Draws with `draw` on scratch Graphics (as many as it asks for, drawn in that order) whose origin lands at
 * (ox, oy) of a new w×h texture `key`; once per key.
 */
function bake(scene: Phaser.Scene, key: string, w: number, h: number, ox: number, oy: number, draw: (layer: () => Phaser.GameObjects.Graphics) => void): string {
  if (scene.textures.exists(key)) return key;
  const layers: Phaser.GameObjects.Graphics[] = [];
  draw(() => {
    const g = scene.make.graphics({}, false);
    layers.push(g);
    return g;
  });
  scene.textures.addDynamicTexture(key, w, h)?.draw(layers, ox, oy).render();
  for (const g of layers) g.destroy();
  return key;
}

/** Room around the arena for the walls' shadows (arenaLook.ts casts them 6 units down-right). */
const ARENA_MARGIN = 8;
let arenaBakes = 0;

/** The map's floor and walls as one Image at the world's origin (a new texture for each map shown). */
export function arenaImage(scene: Phaser.Scene, map: ArenaMap, previous: Phaser.GameObjects.Image | undefined): Phaser.GameObjects.Image {
  const old = previous?.texture.key;
  const key = `arena:${arenaBakes++}`;
  bake(scene, key, map.width + ARENA_MARGIN, map.height + ARENA_MARGIN, 0, 0, (layer) => drawArenaLook(layer(), layer(), map));
  const image = previous ?? scene.add.image(0, 0, key);
  image.setTexture(key).setOrigin(0, 0).setPosition(0, 0);
  if (old !== undefined) scene.textures.remove(old);
  return image;
}

/** Half the body texture's width: the ring around your own body, its stroke included, fits. */
const BODY_HALF = PLAYER_RADIUS + 8;
/** From the body texture's top to the body's centre: your marker above the name fits (playerLook.ts). */
const BODY_TOP = LABEL_OFFSET + 42;
const BODY_W = BODY_HALF * 2;
const BODY_H = BODY_TOP + BODY_HALF;

/** The texture of a body with `look` (always as connected: a disconnected player's Image is made translucent). */
export function bodyTexture(scene: Phaser.Scene, look: Look): string {
  const key = `body:${look.bot ? "bot" : "person"}:${look.me ? "me" : "other"}:${look.color}`;
  return bake(scene, key, BODY_W, BODY_H, BODY_HALF, BODY_TOP, (layer) => drawBody(layer(), { color: look.color, me: look.me, bot: look.bot, connected: true }));
}

/** The body Image's origin: the body's centre in its texture. */
export const BODY_ORIGIN_X = 0.5;
export const BODY_ORIGIN_Y = BODY_TOP / BODY_H;
/** A disconnected player's body, as drawBody fades it. */
export const DISCONNECTED_ALPHA = 0.35;

/** A projectile's longest trail, in world units: its texture, scaled along x to the trail flown. */
export const TRAIL = 46;
const TRAIL_KEY = "shot:trail";
const HEAD_KEY = "shot:head";

/**
 * The projectile's textures: a trail TRAIL long ending at the texture's right edge (a faint wide streak, and
 * a brighter narrow one over its front half), and the head. The trail scales with the path flown; the head
 * does not.
 */
export function shotTextures(scene: Phaser.Scene): { trail: string; head: string } {
  const wide = PROJECTILE_RADIUS * 1.6;
  const trailH = Math.ceil(wide) + 2;
  const trail = bake(scene, TRAIL_KEY, TRAIL, trailH, 0, trailH / 2, (layer) => {
    const g = layer();
    g.lineStyle(wide, COLORS.projectile, 0.25).lineBetween(0, 0, TRAIL, 0);
    g.lineStyle(PROJECTILE_RADIUS, COLORS.projectile, 0.6).lineBetween(TRAIL / 2, 0, TRAIL, 0);
  });
  const headSize = PROJECTILE_RADIUS * 2 + 2;
  const head = bake(scene, HEAD_KEY, headSize, headSize, headSize / 2, headSize / 2, (layer) => {
    layer().fillStyle(COLORS.projectile, 1).fillCircle(0, 0, PROJECTILE_RADIUS);
  });
  return { trail, head };
}
