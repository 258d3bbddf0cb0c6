/**
 * Remote players through a stall. On the ordered stream a lost packet holds
 * back every later patch (~375 ms at 250 ms RTT); the interpolation buffer
 * then runs past its newest sample. The drawn moment carries on at full speed
 * for EXTRAPOLATE_MS, then slows down (it approaches newest + CARRY_LIMIT_MS
 * and never passes it): the player keeps moving on its last velocity, ever
 * slower, rather than freezing mid-stride. Slowing the drawn *moment* rather
 * than the player keeps what is drawn a moment of the server's history (for a
 * player who runs straight on), and that moment is what a shot is stamped
 * with (session.ts), so the server's rewind sees what the shooter saw. When
 * the late patches arrive, the true position may be elsewhere: rather than
 * snapping there, the drawn position never moves faster than a player can
 * run, and the rest of the difference is eased out.
 */
import { PLAYER_RADIUS, PLAYER_SPEED } from "@arena/shared";

/** How long a remote player is carried on at full speed past the newest state, ms. */
export const EXTRAPOLATE_MS = 120;
/** Time constant of the slow-down after that, ms. */
const SLOWDOWN_MS = 250;
/** The furthest past its newest state a remote player is ever drawn, ms of its motion. */
export const CARRY_LIMIT_MS = EXTRAPOLATE_MS + SLOWDOWN_MS;

/**
 * The moment drawn, as ms past the newest state, when the render time is
 * `pastNewestMs` past it: the same up to EXTRAPOLATE_MS, then slower and
 * slower, below CARRY_LIMIT_MS.
 */
export function carriedMs(pastNewestMs: number): number {
  if (pastNewestMs <= EXTRAPOLATE_MS) return pastNewestMs;
  return EXTRAPOLATE_MS + SLOWDOWN_MS * (1 - Math.exp(-(pastNewestMs - EXTRAPOLATE_MS) / SLOWDOWN_MS));
}
/** Time constant of the ease back to the true position, ms. */
const EASE_MS = 100;
/** Motion allowed per frame beyond running speed, as a share of it (diagonals, rounding). */
const SPEED_SLACK = 1.25;
/** Calls closer together than this are one frame. */
const SAME_FRAME_MS = 4;
/**
 * A jump larger than this is a teleport (respawn): shown at once. Above what
 * carrying a player on can put it off by (it turned right as the stall began).
 */
const TELEPORT_UNITS = (2 * PLAYER_SPEED * CARRY_LIMIT_MS) / 1000 + 2 * PLAYER_RADIUS;

export interface Point {
  x: number;
  y: number;
}

/** One remote player's drawn position: the sampled one plus an offset that decays. */
export class StallSmoother {
  private readonly raw: Point = { x: NaN, y: NaN };
  private readonly offset: Point = { x: 0, y: 0 };
  private lastAt = 0;

  /** The position to draw at local time `nowMs` for the sampled position `sampled`; writes and returns `out`. */
  draw(sampled: Point, nowMs: number, out: Point): Point {
    const dt = Math.max(0, nowMs - this.lastAt);
    if (dt < SAME_FRAME_MS && !Number.isNaN(this.raw.x)) {
      // Asked again within the same frame (the drawing and a hit check): the same answer, no motion judged.
      out.x = this.raw.x + this.offset.x;
      out.y = this.raw.y + this.offset.y;
      return out;
    }
    this.lastAt = nowMs;
    if (Number.isNaN(this.raw.x)) {
      this.reset(sampled);
    } else {
      const dx = sampled.x - this.raw.x;
      const dy = sampled.y - this.raw.y;
      const d = Math.hypot(dx, dy);
      const maxStep = (PLAYER_SPEED * SPEED_SLACK * dt) / 1000;
      if (d > TELEPORT_UNITS) {
        this.offset.x = 0;
        this.offset.y = 0;
      } else if (d > maxStep) {
        // Faster than anyone runs: a correction. Show the possible part now, ease the rest.
        const excess = 1 - maxStep / d;
        this.offset.x -= dx * excess;
        this.offset.y -= dy * excess;
      }
      const decay = Math.exp(-dt / EASE_MS);
      this.offset.x *= decay;
      this.offset.y *= decay;
    }
    this.raw.x = sampled.x;
    this.raw.y = sampled.y;
    out.x = sampled.x + this.offset.x;
    out.y = sampled.y + this.offset.y;
    return out;
  }

  /** Distance between the drawn and the sampled position now. */
  get offsetLength(): number {
    return Math.hypot(this.offset.x, this.offset.y);
  }

  reset(at: Point): void {
    this.raw.x = at.x;
    this.raw.y = at.y;
    this.offset.x = 0;
    this.offset.y = 0;
  }
}
