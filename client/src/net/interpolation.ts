/**
 * Remote players are drawn in the past, between two states the server sent.
 * The delay adapts: one patch interval plus a margin for the measured jitter
 * of patch arrivals, so the buffer rarely runs dry and is never longer than
 * needed (nor longer than the server rewinds for hits).
 */

interface Sample {
  t: number;
  x: number;
  y: number;
}

/** Per-entity ring of timestamped positions (server time, ms). */
export class InterpolationBuffer {
  private readonly samples: Sample[] = [];

  constructor(private readonly capacity = 32) {}

  /** Adds a sample; samples must come in server-time order (older ones are ignored). */
  push(t: number, x: number, y: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && t <= last.t) {
      if (t === last.t) {
        last.x = x;
        last.y = y;
      }
      return;
    }
    this.samples.push({ t, x, y });
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  get size(): number {
    return this.samples.length;
  }

  /**
   * Position at server time `t`: interpolated between the samples around it,
   * held before the first. Past the newest (a late patch, or a stall behind a
   * lost packet), carried on at the last velocity for up to `extrapolateMs`,
   * then held.
   */
  sample(t: number, out: { x: number; y: number }, extrapolateMs = 0): { x: number; y: number } {
    const s = this.samples;
    const first = s[0];
    if (first === undefined) return out;
    let a = first;
    for (let i = 1; i < s.length; i++) {
      const b = s[i]!;
      if (t < b.t) {
        if (t <= a.t) break;
        const k = (t - a.t) / (b.t - a.t);
        out.x = a.x + (b.x - a.x) * k;
        out.y = a.y + (b.y - a.y) * k;
        return out;
      }
      a = b;
    }
    out.x = a.x;
    out.y = a.y;
    const before = s[s.length - 2];
    if (extrapolateMs > 0 && before !== undefined && t > a.t) {
      const k = Math.min(t - a.t, extrapolateMs) / (a.t - before.t);
      out.x += (a.x - before.x) * k;
      out.y += (a.y - before.y) * k;
    }
    return out;
  }

  /** Server time of the newest sample (NaN when empty). */
  get newestTime(): number {
    return this.samples[this.samples.length - 1]?.t ?? NaN;
  }

  /** Forgets history (after a teleport such as a respawn). */
  clear(): void {
    this.samples.length = 0;
  }
}

/**
 * Measures how irregularly patches arrive: the spread of (arrival − server
 * time) around its running mean. A constant latency has zero jitter.
 */
export class JitterEstimator {
  private meanOffset: number | undefined;
  private deviation = 0;

  constructor(private readonly gain = 0.1) {}

  /** One patch: its local arrival time and the server time it was sent at, both ms. */
  observe(arrivalMs: number, serverMs: number): void {
    const offset = arrivalMs - serverMs;
    if (this.meanOffset === undefined) {
      this.meanOffset = offset;
      return;
    }
    const d = offset - this.meanOffset;
    this.meanOffset += d * this.gain;
    this.deviation += (Math.abs(d) - this.deviation) * this.gain;
  }

  /** Typical deviation of patch arrival from regular, ms. */
  get jitterMs(): number {
    return this.deviation;
  }
}

/**
 * The interpolation delay for a patch interval and a measured jitter, ms: at
 * most maxMs, at least one interval. The margin is lean (a patch now and then
 * arrives after it is needed): the stall smoothing carries remote players on
 * through such a gap, so a short delay costs no visible freeze; loss and
 * heavier jitter raise the measured jitter, and the delay with it.
 */
export function interpolationDelay(patchIntervalMs: number, jitterMs: number, maxMs: number): number {
  const delay = patchIntervalMs + 1.5 * jitterMs + 5;
  // Never under one patch interval: interpolation needs a sample on each side.
  return Math.round(Math.max(patchIntervalMs, Math.min(maxMs, delay)));
}
