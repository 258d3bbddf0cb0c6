/**
 * The recorder on its own (server/src/replay/recorder.ts), fed as a room feeds it: a real schema state and
 * encoder, the patch of each broadcast on the tap, then `afterPatch`. What it must notice between two patches
 * without looking at every patch for it: a store write that failed stops the recording at the next patch.
 * And a kill's record, written without JSON.stringify, is exactly what JSON.stringify makes of it.
 */
import { Encoder } from "@colyseus/schema";
import { describe, expect, it, vi } from "vitest";
import { ARENA_MAP, ArenaState, Player } from "@arena/shared";
import type { PatchTap } from "../src/colyseusInternals.ts";
import { createLogger } from "../src/log.ts";
import { Replays } from "../src/replay/Replays.ts";
import { killJson } from "../src/replay/recorder.ts";
import { storeOf, type ReplayStore } from "../src/replay/store.ts";

/** A store whose first write (the recording's header) fails, as a full disk or a lost Redis would. */
function failingStore(): ReplayStore {
  return storeOf({
    begin: async () => {
      throw new Error("disk full");
    },
  });
}

describe("the match recorder", () => {
  it("stops a recording at the next patch after a store write failed, its place freed", async () => {
    const state = new ArenaState();
    state.tickRate = 30;
    state.players.set("a", Object.assign(new Player(), { name: "ann" }));
    const encoder = new Encoder(state);
    const replays = new Replays(failingStore(), { maxActive: 1, maxBytes: 1 << 30 }, createLogger("silent"));
    const recorder = replays.recorder({ roomId: "r", state, mode: "ffa", private: false, map: ARENA_MAP, mapRef: undefined, tickRate: 30, patchRate: 20 });
    const tap: PatchTap = { encoder, patch: undefined, patchFrom: 0, remove: () => {} };
    recorder.attach(tap);
    const broadcast = (): void => {
      state.tick++;
      tap.patch = encoder.encode();
      encoder.discardChanges();
      recorder.afterPatch();
    };

    recorder.matchStarted();
    broadcast(); // the recording begins: its header's write fails on its way
    expect(replays.recording).toBe(1);
    await vi.waitFor(() => expect(replays.stats.failed).toBe(1));
    // The next patch, well before a keyframe is due, ends it.
    broadcast();
    expect(replays.recording).toBe(0);
    expect(recorder.id).toBeUndefined();
  });

  it("writes a kill's record as JSON.stringify writes the event, whatever the names hold", () => {
    const names = ["ann", "", 'say "hi"', "back\\slash", "tab\there", "new\nline", "\u0001", "zoë", "忍者", "🙂 smile", "lone \ud83d", "\udc00 low", "</script>", "\u2028"];
    for (const killerName of names) {
      for (const victimName of ["bob", killerName]) {
        const event = { type: "kill", tick: 123456, killer: "sess_A-1", killerName, victim: "x9", victimName };
        expect(killJson(event.tick, event.killer, killerName, event.victim, victimName), JSON.stringify(killerName)).toBe(JSON.stringify(event));
      }
    }
  });
});
