/**
 * A lying shooter: its inputs stamp a render time a whole second old (the
 * SDK's `renderDelay`), as a client claiming a huge lag would. The server
 * rewinds it no further than its own measure of that client's round trip
 * allows, and pongs it did not earn measure nothing. Inputs that arrive late
 * together (a lost packet held them back) earn the burst's measured lateness,
 * never more than one retransmission on the client's measured path: a liar
 * that withholds its inputs to fake a stall gains no more than that.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ClientMessage, MAX_INTERP_DELAY_MS, MAX_REWIND_MS, PlayerInput, REWIND_MARGIN_MS, TICK_RATE,
} from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { InputLateness, RETRANSMIT_FLOOR_MS, type RoundTrips } from "../src/rooms/arena/roundTrips.ts";
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

/**
 * Fires one shot whose input claims the shooter saw the world a second ago; resolves with the rewind the server applied.
 * With `burst`, the shot is the last of that many inputs sent at once (after sending none: a faked stall).
 */
async function fireClaimingOldRenderTime(shooter: ArenaRoomClient, burst = 1): Promise<number> {
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
  input.data.fire = false;
  for (let i = 1; i < burst; i++) input.send();
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

describe("input lateness after an upstream stall", () => {
  const STEP = 1000 / TICK_RATE;
  it("is the burst's spread (k − 1 steps) when the buffer ran dry longer than that, and lasts while the burst is applied", () => {
    const late = new InputLateness(STEP);
    for (let i = 0; i < 12; i++) late.observe(0); // a 400 ms stall: nothing to apply
    late.observe(10); // ten inputs arrive together
    expect(late.ms).toBeCloseTo(9 * STEP, 6);
    for (let left = 9; left >= 1; left--) {
      late.observe(left);
      expect(late.ms).toBeCloseTo(9 * STEP, 6);
    }
    late.observe(1); // the burst is applied: inputs arrive one a step again
    expect(late.ms).toBe(0);
  });

  it("is nothing for one input after a long silence, and never more than the dry run", () => {
    const silent = new InputLateness(STEP);
    for (let i = 0; i < 300; i++) silent.observe(0);
    silent.observe(1);
    expect(silent.ms).toBe(0);
    const short = new InputLateness(STEP);
    short.observe(0);
    short.observe(0);
    short.observe(20);
    expect(short.ms).toBeCloseTo(2 * STEP, 6);
  });
});

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

  it("that fakes a stall (sends nothing, then a burst) gains at most one retransmission on its measured path", async () => {
    const { room: liar } = await joinArena(server.url, "burst");
    try {
      answerPings(liar);
      await waitForState(liar, () => roundTrips(liar).roundTripMs(liar.sessionId) > 0, 5000, "round trip measured");
      const rt = roundTrips(liar);
      const bound = rt.rewindBoundMs(liar.sessionId);
      const retransmit = rt.roundTripMs(liar.sessionId) + RETRANSMIT_FLOOR_MS;
      // Nothing sent until now (over a second of match), then 30 inputs at once, the last one firing: it
      // waits 20 steps in the buffer, and claimed a second besides.
      const rewindMs = await fireClaimingOldRenderTime(liar, 30);
      expect(rewindMs).toBeGreaterThan(bound);
      // The probes go on meanwhile: a few ms of slack for the round trip measured since.
      expect(rewindMs).toBeLessThanOrEqual(bound + retransmit + 20);
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
      // A faked stall earns a silent client nothing either.
      const rewindMs = await fireClaimingOldRenderTime(liar, 30);
      expect(roundTrips(liar).roundTripMs(liar.sessionId)).toBe(0);
      expect(rewindMs).toBeGreaterThan(0);
      expect(rewindMs).toBeLessThanOrEqual(MAX_INTERP_DELAY_MS + REWIND_MARGIN_MS);
      expect(liar.connection.isOpen).toBe(true);
    } finally {
      await liar.leave();
    }
  });
});
