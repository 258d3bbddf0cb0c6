/** A token bucket: `burst` actions, refilled evenly over `windowMs`. */
export declare class RateLimiter {
    private readonly burst;
    private readonly windowMs;
    private tokens;
    private last;
    constructor(burst: number, windowMs: number, now: number);
    /** Takes one token if there is one; returns false when the caller is over the limit. */
    take(now: number): boolean;
}
