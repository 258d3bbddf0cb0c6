/**
 * Cold caches for a benchmark run in-process: what a loaded server's sockets, frames and other rooms do to the
 * CPU's caches between two steps of one room (server/bench/sim.ts, server/bench/stepLayout.ts).
 */

/**
 * How much other memory a benchmark touches before each room's step or encode: between two steps of one room in a
 * server at 400 players, 25 rooms' worth of sockets, frames and rooms pass through this machine's 1 MB of L2 and
 * 32 MB of L3.
 */
export const COLD_BYTES = 16 * 1024 * 1024;

/** A buffer of `bytes`; each `evict()` reads and writes one word in every 64-byte line of it. */
export class CacheEvictor {
  private readonly words: Float64Array;
  private total = 0;

  constructor(readonly bytes: number) {
    this.words = new Float64Array(bytes / 8);
  }

  evict(): void {
    const words = this.words;
    let sum = 0;
    for (let i = 0; i < words.length; i += 8) {
      words[i] = words[i]! + 1;
      sum += words[i]!;
    }
    this.total += sum;
  }

  /** Throws unless every evict() read the buffer (a loop whose result nobody reads could be left out by the compiler). */
  assertRead(): void {
    if (!(this.total > 0)) throw new Error("the cache-evicting reads were optimized away");
  }
}
