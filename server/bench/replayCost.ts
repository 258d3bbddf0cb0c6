/**
 * The recorder's cost against the room's, in process and without a network (bench:replay's second table): a
 * match of `players` hard bots stepped by the shared simulation at 30 Hz with a patch encoded every 1.5 steps
 * (20 Hz), as a room does, and the room's own MatchRecorder fed its patches and events, writing to a store
 * that only counts bytes. Timed on one thread with nothing else in the way: the room's part is the steps
 * (bots thinking included) and the patch encodes (not the sends), the recorder's its own calls as the room
 * makes them (one after each patch: the patch copied, and every 5 s the keyframe with its hash and the closed
 * segment deflated; one for each step with an event recorded, the room's check of the step's events included).
 *
 * Every part is timed on this thread with performance.now() (wall time): on a loaded machine the thread is
 * descheduled in the recorder's windows as often as in the room's, so the share stays fair, while the
 * windows' own cost stays small (about 0.1 µs a call). process.cpuUsage() is no good here: it is a
 * getrusage() of some 6 µs a call on this machine, and a window around each patch hook counted about 240 µs
 * per match-second of it as the recorder's (the first version of this bench did), and it adds the CPU of
 * every other thread (V8's compiler and GC helpers, zlib's pool) to whichever window is open. Each figure
 * is the least of `rounds` runs.
 */
import { Encoder } from "@colyseus/schema";
import { ARENA_MAP, ArenaState, BotRoster, Player, createRules, stepWorld, type GameEvent } from "@arena/shared";
import { createLogger } from "../src/log.ts";
import { Replays } from "../src/replay/Replays.ts";
import { recordsAny } from "../src/replay/recorder.ts";
import type { ReplayMeta } from "../src/replay/meta.ts";
import { storeOf, type ReplayStore } from "../src/replay/store.ts";
import type { PatchTap } from "../src/colyseusInternals.ts";

export interface RecorderCost {
  players: number;
  seconds: number;
  /** Bytes stored for the match (header, segments, end). */
  bytes: number;
  /** Per second of match, ms. */
  stepMs: number;
  encodeMs: number;
  recordMs: number;
}

/** A store that keeps nothing but the byte count. */
function countingStore(count: (n: number) => void): ReplayStore {
  return storeOf({
    begin: async (_m, start) => count(start.length),
    append: async (_m, chunk) => count(chunk.length),
    finish: async (_m, end) => count(end.length),
  });
}

async function once(players: number, seconds: number): Promise<RecorderCost> {
  const tickRate = 30;
  const rules = createRules(tickRate, { warmupSeconds: 0, matchSeconds: seconds + 10, killLimit: 1000 });
  const state = new ArenaState();
  state.tickRate = tickRate;
  const roster = new BotRoster(ARENA_MAP, rules, 7);
  for (let i = 0; i < players; i++) {
    const p = new Player();
    p.name = `bot-${i}`;
    p.bot = true;
    state.players.set(`bot-${i}`, p);
    roster.add(`bot-${i}`, "hard");
  }
  const encoder = new Encoder(state);
  let bytes = 0;
  const replays = new Replays(countingStore((n) => (bytes += n)), { maxActive: 10, maxBytes: 1 << 30 }, createLogger("silent"));
  const recorder = replays.recorder({ roomId: "bench", state, mode: "ffa", private: false, map: ARENA_MAP, mapRef: undefined, tickRate, patchRate: 20 });
  // What tapPatches keeps of each patch: the encoder's output, read by afterPatch.
  const tap: PatchTap = { encoder, patch: undefined, patchFrom: 0, remove: () => {} };
  recorder.attach(tap);
  let ended: ReplayMeta | undefined;
  replays.onRecorded((meta) => {
    ended = meta;
  });
  const events: GameEvent[] = [];
  const hooks = { inputOf: (id: string) => roster.commandOf(id) };
  let stepMs = 0;
  let encodeMs = 0;
  let recordMs = 0;
  const now = (): number => performance.now();
  const steps = seconds * tickRate;
  let patches = 0;
  for (let i = 1; i <= steps + 1; i++) {
    let t = now();
    roster.think(state);
    stepWorld({ state, map: ARENA_MAP, rules }, hooks, events);
    stepMs += now() - t;
    if (events.length > 0) {
      // As the room does: a call only for a step with an event recorded; the check is counted as the recorder's.
      t = now();
      if (recordsAny(events)) recorder.events(events);
      recordMs += now() - t;
      events.length = 0;
    }
    // 20 patches a second against 30 steps: a patch after the steps that cross each 50 ms.
    if (Math.floor((i * 20) / tickRate) > patches) {
      patches++;
      t = now();
      tap.patch = encoder.encode();
      encoder.discardChanges();
      const t1 = now();
      recorder.afterPatch();
      const t2 = now();
      encodeMs += t1 - t;
      recordMs += t2 - t1;
    }
  }
  const t = now();
  const written = recorder.finish("room_closed");
  recordMs += now() - t;
  await written;
  if (ended === undefined) throw new Error("the recording did not end");
  return { players, seconds, bytes, stepMs: stepMs / seconds, encodeMs: encodeMs / seconds, recordMs: recordMs / seconds };
}

/** The least of `rounds` runs of a `seconds` match of `players` bots, figure by figure. */
export async function recorderCost(players: number, seconds: number, rounds: number): Promise<RecorderCost> {
  const runs: RecorderCost[] = [];
  for (let r = 0; r < rounds; r++) runs.push(await once(players, seconds));
  const least = (f: (r: RecorderCost) => number): number => Math.min(...runs.map(f));
  return { players, seconds, bytes: runs[0]!.bytes, stepMs: least((r) => r.stepMs), encodeMs: least((r) => r.encodeMs), recordMs: least((r) => r.recordMs) };
}
