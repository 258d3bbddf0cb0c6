/** The harness's one seeded PRNG, so a run, a bot or a failing case can be replayed from its seed. */
import { Random } from "@arena/shared/random";

/** Uniform floats in [0, 1) from a 32-bit seed (the bots' mulberry32, `@arena/shared/random`); same seed, same sequence. */
export function seededRandom(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

/** `length` bytes from `seededRandom(seed)`. */
export function seededBytes(seed: number, length: number): Uint8Array {
  const rand = seededRandom(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}
