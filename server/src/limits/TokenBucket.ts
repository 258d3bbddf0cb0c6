/** A token bucket: `burst` actions, refilled evenly over `windowMs`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly burst: number, private readonly windowMs: number, now: number) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if there is one; returns false when the caller is over the limit. */
  take(now: number): boolean {
    const refill = ((now - this.last) / this.windowMs) * this.burst;
    this.tokens = Math.min(this.burst, this.tokens + refill);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
