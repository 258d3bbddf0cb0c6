/** Player colours by `Player.color` index, and the arena's colours. */
export const PLAYER_COLORS = [
  0x4f8cff, 0xff5d5d, 0x52d273, 0xffc145, 0xb77dff, 0x36d6d6, 0xff8fd1, 0xa3e048,
  0xff9a3c, 0x6b7bff, 0xe05c9c, 0x3cc8a0, 0xd4d45a, 0x9a9aff, 0xff6f4f, 0x5fb8ff,
] as const;

export const COLORS = {
  floor: 0x1a1f29,
  grid: 0x222938,
  wall: 0x3b4458,
  wallEdge: 0x58637c,
  projectile: 0xfff1a8,
  hp: 0x52d273,
  hpBack: 0x441c1c,
  mic: 0xe6e9ef,
  speaking: 0x52d273,
} as const;

export function playerColor(index: number): number {
  return PLAYER_COLORS[index % PLAYER_COLORS.length] ?? 0xffffff;
}
