/**
 * The live score's write rule without a server: written on a change at most once per
 * LIVE_SCORE_MIN_INTERVAL_MS, the end time fixed per phase end tick (the clock alone is no change), and a
 * write that failed (Redis out) made again once the bound allows, though the room's metadata already reads
 * as written.
 */
import { describe, expect, it } from "vitest";
import { ArenaState, Player, type ArenaRoomMetadata } from "@arena/shared";
import { createLogger } from "../src/log.ts";
import { LIVE_SCORE_MIN_INTERVAL_MS, LiveScore } from "../src/rooms/arena/liveScore.ts";

function room(fail: () => boolean) {
  const state = new ArenaState();
  state.phase = "playing";
  state.tick = 300;
  state.phaseEndsAt = 300 + 30 * 60;
  const p = new Player();
  p.name = "alice";
  state.players.set("a", p);
  const writes: ArenaRoomMetadata[] = [];
  const r = {
    state,
    metadata: { mode: "ffa", phase: "playing", players: 1, spectators: 0, bots: 0 } as ArenaRoomMetadata,
    setMetadata(meta: ArenaRoomMetadata): Promise<void> {
      r.metadata = meta; // as Colyseus does, before persisting
      writes.push(meta);
      return fail() ? Promise.reject(new Error("redis down")) : Promise.resolve();
    },
  };
  return { r, state, p, writes };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("live score writes", () => {
  it("writes the end once per phase end and a score change at most once per interval", async () => {
    const { r, state, p, writes } = room(() => false);
    const score = new LiveScore(r, createLogger("silent"));
    score.check(1_000_000);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ endsAt: 1_000_000 + 60_000 });
    expect(writes[0]!.leader).toBeUndefined();
    state.tick += 30; // a second later on both clocks: the end is the same, nothing to write
    score.check(1_001_000);
    expect(writes).toHaveLength(1);
    p.kills = 1;
    score.check(1_001_500);
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatchObject({ leader: "alice", leaderKills: 1, leaderBot: false, endsAt: 1_060_000 });
    p.kills = 2;
    score.check(1_001_500 + LIVE_SCORE_MIN_INTERVAL_MS - 1);
    expect(writes).toHaveLength(2);
    score.check(1_001_500 + LIVE_SCORE_MIN_INTERVAL_MS);
    expect(writes[2]).toMatchObject({ leaderKills: 2 });
  });

  it("writes again after a failed write, once the bound allows, though nothing changed since", async () => {
    let failing = true;
    const { r, p, writes } = room(() => failing);
    const score = new LiveScore(r, createLogger("silent"));
    p.kills = 3;
    score.check(0);
    await settle();
    expect(writes).toHaveLength(1);
    failing = false;
    score.check(LIVE_SCORE_MIN_INTERVAL_MS - 1);
    expect(writes).toHaveLength(1);
    score.check(LIVE_SCORE_MIN_INTERVAL_MS);
    expect(writes).toHaveLength(2);
    await settle();
    score.check(3 * LIVE_SCORE_MIN_INTERVAL_MS);
    expect(writes).toHaveLength(2);
  });
});
