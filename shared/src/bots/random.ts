/**
 * A seeded pseudo-random generator (mulberry32): a bot's choices depend only on
 * its seed and what it saw, so a bot match replays exactly. Small enough that a
 * dependency would not pay for itself; never Math.random in the simulation.
 */
export class Random {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The generator's whole state: a generator built from it draws what this one would draw next. */
  get state(): number {
    return this.s;
  }

  /** A float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A float in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A float in (-1, 1), more often near 0 (sum of two uniforms). */
  centered(): number {
    return this.next() + this.next() - 1;
  }
}

/** Mixes a seed and an index into a new seed (for one bot of a roster). */
export function deriveSeed(seed: number, index: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
