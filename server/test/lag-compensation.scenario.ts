/**
 * One shot at a moving target, as a shooter who renders the world 240 ms in
 * the past sees it. The shooter fires when, on its own screen, the projectile
 * will meet the target. With lag compensation the server rewinds the target to
 * what the shooter saw and counts the hit; without it, the target has moved on.
 */
import { expect } from "vitest";
import { PlayerInput } from "@arena/shared";
import type { RunningServer, StartOptions } from "../src/app.ts";
import { documentedBound, fmt, measureRoundTrips, type Span } from "./rewindBound.ts";
import { holdInput, joinArena, serverRoom, startTestServer, waitForState, type ArenaRoomClient } from "@arena/testkit";

/** How far in the past the shooter renders other players (its interpolation buffer). */
export const RENDER_DELAY_MS = 240;

export interface ShotOutcome {
  hit: boolean;
  rewindMs: number;
  /** The shooter's rewind bound as documented, from the round trips this test measured for it. */
  bound: Span;
}

export async function shootMovingTarget(lagCompensation: boolean): Promise<ShotOutcome> {
  const server: RunningServer = await startTestServer({}, { lagCompensation, match: { warmupSeconds: 0.2 } } satisfies StartOptions);
  const { room: shooter } = await joinArena(server.url, "shooter");
  const { room: target } = await joinArena(server.url, "target");
  // The shooter answers the server's probes promptly (its first two), so the server knows its round trip.
  const roundTrips = measureRoundTrips(shooter, 0, 2);
  let stopTarget = (): void => {};
  try {
    const bound = documentedBound(await roundTrips);
    await waitForState(shooter, (s) => s.phase === "playing", 5000, "match start");
    const state = serverRoom(shooter).state;
    const a = state.players.get(shooter.sessionId)!;
    const b = state.players.get(target.sessionId)!;
    a.x = 1900; a.y = 700;
    b.x = 1600; b.y = 480;
    b.protectedUntil = 0;
    // The target runs straight down at full speed through open ground.
    stopTarget = holdInput(target, () => ({ my: 127 }));

    // The shooter's inputs carry its render delay, so the server knows how far back it sees.
    const input = shooter.input({ type: PlayerInput, renderDelay: RENDER_DELAY_MS });
    let idle: ReturnType<typeof setInterval> | undefined = setInterval(() => {
      input.data.fire = false;
      input.send();
    }, 1000 / 30);
    // Fire straight left when the projectile will meet the target *as the shooter renders it*.
    // The projectile reaches x = 1600 in ~9.5 steps, by which time the target has run ~70
    // units; the shooter sees it ~240-275 ms (~57 units) behind. So fire as it passes y ~687.
    // The idle input stream stops first, so the shot does not wait behind queued inputs.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (idle !== undefined && b.y >= 630) {
          clearInterval(idle);
          idle = undefined;
        }
        if (b.y < 683) return;
        clearInterval(poll);
        input.data.aim = Math.PI;
        input.data.fire = true;
        input.send();
        resolve();
      }, 2);
    });
    const firstId = state.nextProjectileId;
    await new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error("shot was never fired")), 3000);
      const poll = setInterval(() => {
        if (state.nextProjectileId > firstId) {
          clearInterval(poll);
          clearTimeout(timeout);
          resolve();
        }
      }, 2);
    });
    const projectile = state.projectiles.get(String(firstId))!;
    const rewindMs = projectile.rewindMs;
    // The shot reaches the shooter as its latest shot; the projectile ends within its lifetime, on the target or past it.
    const firedAt = projectile.tick;
    await waitForState(shooter, (s) => s.players.get(shooter.sessionId)?.shotTick === firedAt, 3000, "shot replicated");
    await waitForState(shooter, () => !state.projectiles.has(String(firstId)), 3000, "projectile resolved");
    return { hit: b.hp < 100, rewindMs, bound };
  } finally {
    stopTarget();
    await Promise.allSettled([shooter.leave(), target.leave()]);
    await server.close();
  }
}

/**
 * With lag compensation, the rewind is at least the shooter's render delay (plus the SDK's half round trip
 * and the wait for the step) and within the bound documented for its measured round trip; without, none.
 */
export function expectRewindOf(outcome: ShotOutcome, on: boolean): void {
  if (on) {
    console.log(`[lag-compensation] rewound ${outcome.rewindMs.toFixed(1)} ms, render delay ${RENDER_DELAY_MS} ms, bound ${fmt(outcome.bound)}`);
    expect(outcome.rewindMs).toBeGreaterThanOrEqual(RENDER_DELAY_MS);
    expect(outcome.rewindMs).toBeLessThanOrEqual(outcome.bound.hi);
  } else {
    expect(outcome.rewindMs).toBe(0);
  }
}
