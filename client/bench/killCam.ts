/**
 * What the kill-cam's recording costs the page per drawn frame: a full room (16 players) and 40
 * projectiles recorded into the ring (killCamBuffer.ts), in Node (the same JavaScript the page runs,
 * without the drawing), and whether a long steady run allocates: garbage collections counted while it
 * runs (a run that allocated even 100 bytes a frame would fill the young generation many times over).
 * Run: npx tsx client/bench/killCam.ts
 */
import { PerformanceObserver } from "node:perf_hooks";
import { MAX_PLAYERS } from "@arena/shared";
import { Flag, KillCamBuffer } from "../src/game/killCamBuffer.ts";

const FRAMES = 1_000_000;
const SHOTS = 40;
const ids = Array.from({ length: MAX_PLAYERS }, (_, i) => `player${i}`);
const b = new KillCamBuffer();
let t = 0;

/** Whole numbers only (small integers, never boxed), so any collection comes from the buffer, not the bench's own floats. */
function record(n: number): void {
  for (let f = 0; f < n; f++) {
    t += 17;
    b.begin(t);
    for (let i = 0; i < ids.length; i++) b.player(ids[i]!, ids[i]!, i, false, (t + i * 50) % 2000, (t * 0.5 + i * 30) % 1400, t % 6, 100, Flag.Alive);
    for (let s = 0; s < SHOTS; s++) b.shot(s * 10, s * 7, s * 0.1, 46);
    b.end();
  }
}

record(20_000); // warm-up: the JIT and the map of ids
let collections = 0;
const observer = new PerformanceObserver((list) => {
  collections += list.getEntries().length;
});
observer.observe({ entryTypes: ["gc"] });
const start = process.hrtime.bigint();
record(FRAMES);
const ns = Number(process.hrtime.bigint() - start);
// GC entries are delivered asynchronously: let them arrive before counting.
setTimeout(() => {
  observer.disconnect();
  console.log(`kill-cam recording, ${MAX_PLAYERS} players + ${SHOTS} projectiles a frame: ${(ns / FRAMES / 1000).toFixed(2)} us per frame over ${FRAMES} frames`);
  console.log(`garbage collections during those frames: ${collections}`);
}, 100);
