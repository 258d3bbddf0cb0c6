/** A whole match through the real server and SDK: kills credited, respawn, kill limit, results, restart. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerMessage, type ResultsOut } from "@arena/shared";
import { StateEvents, type StateEvent } from "@arena/shared/view";
import type { RunningServer } from "../src/app.ts";
import { faceOff, holdInput, joinArena, serverRoom, startTestServer, waitForMessage, waitForState, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
let a: ArenaRoomClient;
let b: ArenaRoomClient;

beforeAll(async () => {
  server = await startTestServer({}, { match: { killLimit: 2, warmupSeconds: 0.3, resultsSeconds: 1 } });
  ({ room: a } = await joinArena(server.url, "alice"));
  ({ room: b } = await joinArena(server.url, "bob"));
});
afterAll(async () => {
  await Promise.all([a.leave(), b.leave()]);
  await server.close();
});

/** The first kill a client derives from its state patches (kills ride in the state, not in messages). */
function nextKill(room: ArenaRoomClient): Promise<StateEvent> {
  const events = new StateEvents();
  events.update(room.state.players);
  return new Promise((resolve) => {
    room.onStateChange((state) => {
      const kill = events.update(state.players).find((e) => e.type === "kill");
      if (kill !== undefined) resolve(kill);
    });
  });
}

describe("match flow", () => {
  it("credits kills, respawns, ends at the kill limit and restarts", async () => {
    await waitForState(a, (s) => s.phase === "playing", 5000, "match start");
    const stop = holdInput(a, () => ({ fire: true, aim: 0 }));
    try {
      // First kill, seen by both players.
      faceOff(serverRoom(a).state, a.sessionId, b.sessionId);
      const killA = nextKill(a);
      const killB = nextKill(b);
      const expected = { type: "kill", killer: a.sessionId, victim: b.sessionId };
      expect(await killA).toMatchObject(expected);
      expect(await killB).toMatchObject(expected);
      await waitForState(b, (s) => s.players.get(a.sessionId)?.kills === 1 && s.players.get(b.sessionId)?.deaths === 1, 2000, "score 1-0");
      expect(b.state.players.get(b.sessionId)?.alive).toBe(false);

      // Respawn after the delay, with full health.
      await waitForState(b, (s) => s.players.get(b.sessionId)?.alive === true, 4000, "respawn");
      expect(b.state.players.get(b.sessionId)?.hp).toBe(100);

      // Second kill reaches the limit: results for both, winner alice.
      faceOff(serverRoom(a).state, a.sessionId, b.sessionId);
      const resultsA = waitForMessage<ResultsOut>(a, ServerMessage.Results, 8000);
      const resultsB = waitForMessage<ResultsOut>(b, ServerMessage.Results, 8000);
      const results = await resultsA;
      expect(results).toMatchObject({ reason: "kills", winner: a.sessionId });
      expect(results.standings[0]).toMatchObject({ sessionId: a.sessionId, kills: 2 });
      expect(results.standings[1]).toMatchObject({ sessionId: b.sessionId, deaths: 2 });
      expect((await resultsB).winner).toBe(a.sessionId);
      await waitForState(a, (s) => s.phase === "results" && s.winner === a.sessionId, 2000, "results phase");
    } finally {
      stop();
    }
    // After the results, warm-up, then a fresh match with scores reset.
    await waitForState(a, (s) => s.phase === "warmup", 4000, "warm-up after results");
    await waitForState(a, (s) => s.phase === "playing", 4000, "next match");
    const pa = a.state.players.get(a.sessionId)!;
    expect([pa.kills, pa.deaths]).toEqual([0, 0]);
  });
});
