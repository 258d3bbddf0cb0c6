/**
 * A lying shooter: its inputs stamp a render time a whole second old (the
 * SDK's `renderDelay`), as a client claiming a huge lag would. The server
 * rewinds it no further than its own measure of that client's round trip
 * allows, and pongs it did not earn measure nothing. Inputs that arrive late
 * together (a lost packet held them back) earn the burst's measured lateness,
 * never more than one retransmission on the client's measured path: a liar
 * that withholds its inputs to fake a stall gains no more than that.
 *
 * The bound is checked against the formula documented in docs/ARCHITECTURE.md,
 * recomputed by the test (./rewindBound.ts) from round trips it measures
 * itself, never from the server's own estimate; the pongs are held as a
 * distant client's would be, so the bound has a real round trip in it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClientMessage, MAX_INTERP_DELAY_MS, PlayerInput, REWIND_MARGIN_MS, TICK_RATE } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { InputLateness, type RoundTrips } from "../src/rooms/arena/roundTrips.ts";
import { joinArena, serverRoom, startTestServer, waitForState, type ArenaRoomClient } from "@arena/testkit";
import { documentedBound, fmt, measureRoundTrips } from "./rewindBound.ts";

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
  const firstId = String(state.nextProjectileId);
  // Caught as the step stores it (it may hit a wall within a step or two, before any poll would see it).
  const projectiles = state.projectiles;
  const set = projectiles.set.bind(projectiles);
  const fired = new Promise<number>((resolve) => {
    projectiles.set = (id, projectile) => {
      if (id === firstId) resolve(projectile.rewindMs);
      return set(id, projectile);
    };
  });
  input.data.aim = 0;
  input.data.fire = false;
  for (let i = 1; i < burst; i++) input.send();
  input.data.fire = true;
  const sentTick = state.tick;
  input.send();
  // The step applies one input per tick: the shot is due within the burst's length in ticks, however slow the machine.
  const dueTick = sentTick + burst + 2 * TICK_RATE;
  let watch: ReturnType<typeof setInterval> | undefined;
  const missed = new Promise<never>((_, reject) => {
    watch = setInterval(() => {
      if (state.tick > dueTick) reject(new Error(`shot was never fired (tick ${state.tick}, due by ${dueTick})`));
    }, 50);
  });
  try {
    return await Promise.race([fired, missed]);
  } finally {
    clearInterval(watch);
    Reflect.deleteProperty(projectiles, "set"); // Map's own set again
  }
}

/** The depth of `client`'s input buffer at each step from now on, as the step reports it to the round trips. */
function watchInputBuffer(client: ArenaRoomClient): number[] {
  const trips = roundTrips(client);
  const observe = trips.observeInputBuffer.bind(trips);
  const depths: number[] = [];
  trips.observeInputBuffer = (sessionId, buffered) => {
    if (sessionId === client.sessionId) depths.push(buffered);
    observe(sessionId, buffered);
  };
  return depths;
}

/** The first step that found inputs after steps that found none: how many it found, after how many dry steps. */
function firstBurst(depths: readonly number[]): { dry: number; depth: number } {
  let dry = 0;
  for (const depth of depths) {
    if (depth === 0) dry += 1;
    else if (dry > 0) return { dry, depth };
  }
  throw new Error(`no burst after a dry run in ${depths.length} steps`);
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

  it("lasts until the last of a burst is applied when the burst reached the step in two parts (18, then 12 a step later)", () => {
    const late = new InputLateness(STEP);
    for (let i = 0; i < 40; i++) late.observe(0);
    late.observe(18);
    expect(late.ms).toBeCloseTo(17 * STEP, 6);
    late.observe(17 + 12); // the rest of the burst, read after the first step applied one of it
    for (let left = 28; left >= 1; left--) {
      expect(late.ms, `${left} buffered`).toBeCloseTo(17 * STEP, 6);
      late.observe(left);
    }
    late.observe(1); // applied: one a step again
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
  // A client this far away: its round trip is in the bound, well below the cap, so a bound near the cap fails.
  const HOLD_MS = 100;
  const PROBES = 3;

  it("is rewound exactly to its documented bound (measured round trip + 4 deviations + interpolation delay + margin), far below a second", async () => {
    const { room: liar } = await joinArena(server.url, "liar");
    try {
      const samples = await measureRoundTrips(liar, HOLD_MS, PROBES);
      const expected = documentedBound(samples);
      const rewindMs = await fireClaimingOldRenderTime(liar);
      console.log(`[rewind-bound] round trips ${samples.map(fmt).join(", ")}: bound ${fmt(expected)}, rewound ${rewindMs.toFixed(1)} ms`);
      expect(rewindMs).toBeGreaterThanOrEqual(expected.lo);
      expect(rewindMs).toBeLessThanOrEqual(expected.hi);
      expect(liar.connection.isOpen).toBe(true);
    } finally {
      await liar.leave();
    }
  });

  it("that fakes a stall (sends nothing, then a burst) gains exactly one retransmission on its measured path", async () => {
    const { room: liar } = await joinArena(server.url, "burst");
    // From its first step: the whole stall is seen.
    const depths = watchInputBuffer(liar);
    try {
      const samples = await measureRoundTrips(liar, HOLD_MS / 2, PROBES);
      // Nothing sent until now (over a second of match), then 30 inputs at once, the last one firing: the
      // burst is 29 steps late, far more than one retransmission on a 50 ms line, and it claimed a second besides.
      const BURST = 30;
      const rewindMs = await fireClaimingOldRenderTime(liar, BURST);
      // The burst's lateness as documented, from the buffer depths the step saw (a loaded machine may deliver the 30
      // inputs over several steps: then the first part's spread is what the server could measure).
      const { dry, depth } = firstBurst(depths);
      expect(depth, "the burst reached the step at least partly together").toBeGreaterThanOrEqual(2);
      const expected = documentedBound(samples, Math.min(dry, depth - 1) * (1000 / TICK_RATE));
      console.log(`[rewind-bound] burst: round trips ${samples.map(fmt).join(", ")}; ${depth} inputs after ${dry} dry steps: bound ${fmt(expected)}, rewound ${rewindMs.toFixed(1)} ms`);
      expect(rewindMs).toBeGreaterThanOrEqual(expected.lo);
      expect(rewindMs).toBeLessThanOrEqual(expected.hi);
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
      // A faked stall earns a silent client nothing either: the bound is the interpolation delay and margin alone.
      const rewindMs = await fireClaimingOldRenderTime(liar, 30);
      expect(roundTrips(liar).roundTripMs(liar.sessionId)).toBe(0);
      expect(rewindMs).toBe(MAX_INTERP_DELAY_MS + REWIND_MARGIN_MS);
      expect(liar.connection.isOpen).toBe(true);
    } finally {
      await liar.leave();
    }
  });
});
