/**
 * A lying shooter: its inputs stamp a render time a whole second old (the
 * SDK's `renderDelay`), as a client claiming a huge lag would. The server
 * rewinds it no further than its own measure of that client's round trip
 * allows, and pongs it did not earn measure nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ClientMessage, MAX_INTERP_DELAY_MS, MAX_REWIND_MS, PlayerInput, REWIND_MARGIN_MS, TICK_RATE,
} from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import type { RoundTrips } from "../src/rooms/arena/roundTrips.ts";
import { answerPings, joinArena, serverRoom, startTestServer, waitForState, type ArenaRoomClient } from "@arena/testkit";

const CLAIMED_RENDER_DELAY_MS = 1000;

let server: RunningServer;
let target: ArenaRoomClient;

// A fresh room per test: a room whose match just ended is locked to newcomers.
beforeEach(async () => {
  server = await startTestServer({}, { match: { warmupSeconds: 0.2 } });
  ({ room: target } = await joinArena(server.url, "target"));
});
afterEach(async () => {
  await target.leave();
  await server.close();
});

const roundTrips = (room: ArenaRoomClient): RoundTrips => (serverRoom(room) as unknown as { roundTrips: RoundTrips }).roundTrips;

/** Fires one shot whose input claims the shooter saw the world a second ago; resolves with the rewind the server applied. */
async function fireClaimingOldRenderTime(shooter: ArenaRoomClient): Promise<number> {
  await waitForState(shooter, (s) => s.phase === "playing", 5000, "match start");
  // A few patches in, so the SDK's clock is synced, and the room older than the claim, so the stamp is a real time.
  const tick = Math.max(shooter.state.tick + 10, Math.ceil(((CLAIMED_RENDER_DELAY_MS + 500) / 1000) * TICK_RATE));
  await waitForState(shooter, (s) => s.tick >= tick, 5000, "clock synced");
  const state = serverRoom(shooter).state;
  const me = state.players.get(shooter.sessionId)!;
  me.x = 1000; me.y = 700;
  const input = shooter.input({ type: PlayerInput, renderDelay: CLAIMED_RENDER_DELAY_MS });
  const firstId = state.nextProjectileId;
  input.data.aim = 0;
  input.data.fire = true;
  input.send();
  // Read on the server as soon as the projectile exists (it may land within a few steps).
  return new Promise<number>((resolve, reject) => {
    const timeout = setTimeout(() => {
      clearInterval(poll);
      reject(new Error("shot was never fired"));
    }, 3000);
    const poll = setInterval(() => {
      const projectile = state.projectiles.get(String(firstId));
      if (projectile === undefined) return;
      clearInterval(poll);
      clearTimeout(timeout);
      resolve(projectile.rewindMs);
    }, 1);
  });
}

describe("a client that stamps old render times", () => {
  it("is rewound no further than its measured round trip, the longest interpolation delay and the margin allow", async () => {
    const { room: liar } = await joinArena(server.url, "liar");
    try {
      // It answers the server's probes promptly, so the server knows its (loopback) round trip.
      answerPings(liar);
      await waitForState(liar, () => roundTrips(liar).roundTripMs(liar.sessionId) > 0, 5000, "round trip measured");
      const bound = roundTrips(liar).rewindBoundMs(liar.sessionId);
      const rewindMs = await fireClaimingOldRenderTime(liar);
      expect(rewindMs).toBeGreaterThan(0);
      expect(rewindMs).toBeLessThanOrEqual(bound + 1);
      // What it claimed was over a second; what an honest client at its latency could use is far less than the cap.
      expect(rewindMs).toBeLessThan(MAX_REWIND_MS);
      expect(liar.connection.isOpen).toBe(true);
    } finally {
      await liar.leave();
    }
  });

  it("is treated as a zero-latency client when it never answers the probes, and forged pongs measure nothing", async () => {
    const { room: liar } = await joinArena(server.url, "silent");
    try {
      // Pongs with numbers the server never sent (its real probes go unanswered).
      for (let n = 1; n <= 5; n++) liar.send(ClientMessage.Pong, { n });
      const rewindMs = await fireClaimingOldRenderTime(liar);
      expect(roundTrips(liar).roundTripMs(liar.sessionId)).toBe(0);
      expect(rewindMs).toBeGreaterThan(0);
      expect(rewindMs).toBeLessThanOrEqual(MAX_INTERP_DELAY_MS + REWIND_MARGIN_MS);
      expect(liar.connection.isOpen).toBe(true);
    } finally {
      await liar.leave();
    }
  });
});
