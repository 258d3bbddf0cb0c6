/**
 * The step is deterministic across the wire: the browser's GameSession replays
 * its own inputs with the shared movement code (the SDK reconciler), the
 * server runs the same inputs in its room, and the two land on the same
 * position bit for bit, so prediction never has to correct itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinArena, serverRoom, startTestServer, tapFrames, waitForState, type ArenaRoomClient, type RunningServer } from "@arena/testkit";
import { GameSession } from "../src/net/session.ts";
import { ARENA_MAP, isInputPair } from "@arena/shared";

let server: RunningServer;
let room: ArenaRoomClient;

beforeAll(async () => {
  server = await startTestServer({}, { clientDir: false });
  // Alone in the room: the warm-up lasts (players move in it), and nothing else moves this player.
  ({ room } = await joinArena(server.url, "runner"));
});
afterAll(async () => {
  await room?.leave();
  await server?.close();
});

/** Move commands held in turn: straight, diagonal, off-axis (normalized by the step), into walls and out. */
const LEGS: Array<[number, number, number]> = [
  [127, 0, 300], [90, -60, 300], [-127, 0, 1200], [0, 127, 300], [-45, -127, 400], [127, 127, 300], [-127, 90, 900], [64, -127, 300],
];

/** Runs the legs through a fresh session; resolves with its corrections and how far the player got. */
async function runLegs(): Promise<{ corrections: number[]; farthest: number; shownEqualsTruth: boolean; sent: number }> {
  const session = new GameSession(room, { lagMs: 0, jitterMs: 0, lossPct: 0 }, ARENA_MAP);
  const truth = serverRoom(room).state.players.get(room.sessionId)!;
  const start = { x: truth.x, y: truth.y };
  // How far the player got from its start at any patch: the legs partly cancel out, so the end point alone says little.
  let farthest = 0;
  const watch = (): void => {
    farthest = Math.max(farthest, Math.hypot(truth.x - start.x, truth.y - start.y));
  };
  room.onStateChange(watch);
  // The browser's frame loop (60 Hz); the session sends one input per 30 Hz step.
  const frames = setInterval(() => session.frame(performance.now()), 1000 / 60);
  try {
    for (const [mx, my, ms] of LEGS) {
      session.setCommand({ mx, my, aim: 0, fire: false });
      await new Promise((r) => setTimeout(r, ms)); // how long the key is held: the script, not a wait
    }
    session.setCommand({ mx: 0, my: 0, aim: 0, fire: false });
    const sent = session.input.sentCount;
    await waitForState(room, () => session.input.lastProcessed >= sent, 5000, "every input applied by the server");
    const before = session.corrections.length;
    await waitForState(room, () => session.corrections.length > before, 5000, "a reconciliation after the last input");
    const shown = session.localPosition(performance.now(), { x: 0, y: 0 })!;
    return { corrections: [...session.corrections], farthest, shownEqualsTruth: shown.x === truth.x && shown.y === truth.y, sent };
  } finally {
    clearInterval(frames);
    room.onStateChange.remove(watch);
    session.dispose();
  }
}

describe("client replay against the server", () => {
  it("predicts the server's run of the same inputs bit for bit: every reconciliation corrects by exactly 0", async () => {
    const run = await runLegs();
    expect(run.corrections.length).toBeGreaterThan(40); // it compared something
    expect(run.corrections.filter((c) => c !== 0)).toEqual([]);
    expect(run.farthest).toBeGreaterThan(100); // it moved: the replay had something to get wrong
    expect(run.shownEqualsTruth).toBe(true);
  });

  it("with input pairs on, sends its inputs two to a frame and still predicts the server bit for bit", async () => {
    // What INPUT_PAIRS=on does for a room (the frame guard takes pairs from anyone): the session reads it from the state.
    serverRoom(room).state.inputPairs = true;
    await waitForState(room, (s) => s.inputPairs, 5000, "input pairs on in the client's state");
    let pairs = 0;
    const untap = tapFrames(room, { out: (bytes) => void (isInputPair(bytes) && pairs++) });
    try {
      const run = await runLegs();
      // Pairs went out (how many of the inputs depends on this machine's timers: one held past 1.5 steps goes alone).
      expect(pairs).toBeGreaterThan(10);
      expect(run.corrections.length).toBeGreaterThan(40);
      expect(run.corrections.filter((c) => c !== 0)).toEqual([]);
      expect(run.farthest).toBeGreaterThan(100);
      expect(run.shownEqualsTruth).toBe(true);
    } finally {
      untap();
      serverRoom(room).state.inputPairs = false;
    }
  });
});
