/**
 * Player colours by `Player.color` index, and the arena's colours. With the colour-blind-safe palette
 * (settings.ts) players take the Okabe–Ito colours and their tints, and health bars are blue on dark rather
 * than green on red; both are read as they are drawn, so a change shows at once.
 */
import { settings } from "../ui/settings.ts";

export const PLAYER_COLORS = [
  0x4f8cff, 0xff5d5d, 0x52d273, 0xffc145, 0xb77dff, 0x36d6d6, 0xff8fd1, 0xa3e048,
  0xff9a3c, 0x6b7bff, 0xe05c9c, 0x3cc8a0, 0xd4d45a, 0x9a9aff, 0xff6f4f, 0x5fb8ff,
] as const;

/** Okabe & Ito's eight colours told apart by the common colour blindnesses (black swapped for white), then tints. */
export const COLORBLIND_PLAYER_COLORS = [
  0xe69f00, 0x56b4e9, 0x009e73, 0xf0e442, 0x0072b2, 0xd55e00, 0xcc79a7, 0xffffff,
  0xffc966, 0xa6dcf7, 0x4fd1a8, 0xfff6a0, 0x4da6e0, 0xff9a5c, 0xe8b4d0, 0xbbbbbb,
] as const;

const colorblind = (): boolean => settings.palette === "colorblind";

export const COLORS = {
  // Walls well lighter than the floor (contrast about 3:1, it was 1.6:1), with a shadow and a lit edge for depth.
  floor: 0x161a22,
  grid: 0x20262f,
  wall: 0x56627a,
  wallEdge: 0x7b88a3,
  wallLight: 0x9fabc4,
  wallShadow: 0x07090d,
  projectile: 0xfff1a8,
  get hp(): number {
    return colorblind() ? 0x56b4e9 : 0x52d273;
  },
  get hpBack(): number {
    return colorblind() ? 0x2a2f3a : 0x441c1c;
  },
  mic: 0xe6e9ef,
  get speaking(): number {
    return colorblind() ? 0xf0e442 : 0x52d273;
  },
};

export function playerColor(index: number): number {
  const list = colorblind() ? COLORBLIND_PLAYER_COLORS : PLAYER_COLORS;
  return list[index % list.length] ?? 0xffffff;
}
