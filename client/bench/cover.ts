/**
 * The netcode harness's scene. The target strafes between y 580 and 820, and
 * past COVER_Y it is behind cover (as if a wall's edge were there): the
 * shooter does not see it, and a projectile does not reach it there on the
 * shooter's screen.
 */
export const COVER_Y = 780;
/** The shooter fires every 250 ms: as often as the weapon allows (200 ms), with room for a step's jitter. */
export const SHOT_INTERVAL_MS = 250;
