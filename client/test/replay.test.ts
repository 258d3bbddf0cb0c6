/**
 * The step is deterministic across the wire: the browser's GameSession replays
 * its own inputs with the shared movement code (the SDK reconciler), the
 * server runs the same inputs in its room, and the two land on the same
 * position bit for bit, so prediction never has to correct itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinArena, serverRoom, startTestServer, waitForState, type ArenaRoomClient, type RunningServer } from "@arena/testkit";
import { GameSession } from "../src/net/session.ts";
import { ARENA_MAP } from "@arena/shared";

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

describe("client replay against the server", () => {
  it("predicts the server's run of the same inputs bit for bit: every reconciliation corrects by exactly 0", async () => {
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
      const corrections = [...session.corrections];
      await waitForState(room, () => session.corrections.length > corrections.length, 5000, "a reconciliation after the last input");
      expect(session.corrections.length).toBeGreaterThan(40); // it compared something
      expect(session.corrections.filter((c) => c !== 0)).toEqual([]);

      expect(farthest).toBeGreaterThan(100); // it moved: the replay had something to get wrong
      const shown = session.localPosition(performance.now(), { x: 0, y: 0 })!;
      expect({ x: shown.x, y: shown.y }).toEqual({ x: truth.x, y: truth.y });
    } finally {
      clearInterval(frames);
      room.onStateChange.remove(watch);
      session.dispose();
    }
  });
});
