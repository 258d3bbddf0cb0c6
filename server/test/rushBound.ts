/**
 * How long a join rush may take, in the join rush and join storm tests: near
 * what it takes on this machine when quiet, stretched by how slow the machine
 * is at that moment. The slowness is measured, not guessed: as many guest
 * sign-ins as the rush has joins, sent at once to the same processes just
 * before the rush and again just after it (HTTP, JSON and a token signature:
 * the part of a join that is not matchmaking); the slower of the two counts,
 * as the load on a shared machine comes and goes. A shared machine slows both
 * alike; a stall in matchmaking (a 2 s wait per seat reservation) slows the
 * rush alone.
 */
import { request } from "node:http";

/** The least bound, ms: a quiet machine seats 100 joins on 2 processes in ~0.5 s. */
export const RUSH_FLOOR_MS = 3000;
/**
 * The bound per ms the slower of the two sign-in bursts took. Measured on a 2-core machine at load 25–40:
 * 100 joins took 1.6–3.8 s, 1.8–5.4 times their sign-ins, 270 took 5.2–6.0 s, 1.9–3.6 times; with a 2 s wait
 * before each seat reservation, 100 joins took 11.4 s, 25 times.
 */
export const RUSH_PER_SIGN_IN_MS = 10;

/**
 * Sends `count` guest sign-ins at once (request i to `url(i)`); resolves with how long they all took, ms.
 * Each on a connection of its own, as each join opens its own: reusing the sockets of an earlier burst
 * races the server closing them when idle ("other side closed").
 */
export async function timeSignIns(url: (i: number) => string, count: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => signIn(url(i), `calibration${i}`)));
  return performance.now() - started;
}

function signIn(url: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ name });
    const req = request(`${url}/api/auth/guest`, {
      method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`guest sign-in: HTTP ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The rush's bound, ms, given how long as many sign-ins took just before it and just after. */
export function rushBoundMs(signInBeforeMs: number, signInAfterMs: number): number {
  return Math.max(RUSH_FLOOR_MS, RUSH_PER_SIGN_IN_MS * Math.max(signInBeforeMs, signInAfterMs));
}
