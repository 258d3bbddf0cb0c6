/**
 * What a keyframe's parts cost on the room's thread (bench:replay's lever table): a match of `players` hard
 * bots stepped by the shared simulation, a patch encoded every 1.5 steps as a room does, and every 5 s of
 * match the keyframe's parts run once each, as the recorder runs them: the full state encoded
 * (`encodeAll`), the state hash of format 2 (the schema walked into SHA-256) and of format 1 (canonical JSON
 * into SHA-256), both with node:crypto's SHA-256 as on the server. Once every 5 s is the point: the code and
 * the state are cold by then, so a loop of hashes back to back (warm: a few µs) would flatter them.
 * The order of the three alternates between keyframes (the first to walk the state pays its cache misses).
 * Each part is timed with performance.now() on this thread; the figures are medians over every keyframe of
 * `rounds` matches, which leaves out the few a loaded machine descheduled the thread in.
 */
import { Encoder } from "@colyseus/schema";
import { ARENA_MAP, ArenaState, BotRoster, Player, createRules, stepWorld, type GameEvent } from "@arena/shared";
import { KEYFRAME_INTERVAL_S, jsonStateHash, stateHash } from "@arena/shared/replay";
import { nodeSha256 } from "../src/replay/store.ts";

export interface KeyframeCost {
  players: number;
  keyframes: number;
  /** Medians, µs. */
  encodeAllUs: number;
  hashUs: number;
  jsonHashUs: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};

export function keyframeCost(players: number, seconds: number, rounds: number): KeyframeCost {
  const tickRate = 30;
  const parts = { encodeAll: [] as number[], hash: [] as number[], json: [] as number[] };
  const buffer = new Uint8Array(16 * 1024);
  for (let round = 0; round < rounds; round++) {
    const rules = createRules(tickRate, { warmupSeconds: 0, matchSeconds: seconds + 10, killLimit: 1000 });
    const state = new ArenaState();
    state.tickRate = tickRate;
    const roster = new BotRoster(ARENA_MAP, rules, 7 + round);
    for (let i = 0; i < players; i++) {
      const p = new Player();
      p.name = `bot-${i}`;
      p.bot = true;
      state.players.set(`bot-${i}`, p);
      roster.add(`bot-${i}`, "hard");
    }
    const encoder = new Encoder(state);
    const events: GameEvent[] = [];
    const hooks = { inputOf: (id: string) => roster.commandOf(id) };
    const timed: Array<[keyof typeof parts, () => unknown]> = [
      ["encodeAll", () => encoder.encodeAll({ offset: 0 }, buffer)],
      ["hash", () => stateHash(state, nodeSha256)],
      ["json", () => jsonStateHash(state, nodeSha256)],
    ];
    let keyframes = 0;
    let patches = 0;
    for (let i = 1; i <= seconds * tickRate; i++) {
      roster.think(state);
      stepWorld({ state, map: ARENA_MAP, rules }, hooks, events);
      events.length = 0;
      if (Math.floor((i * 20) / tickRate) > patches) {
        patches++;
        encoder.encode();
        encoder.discardChanges();
      }
      if (i % (KEYFRAME_INTERVAL_S * tickRate) !== 0) continue;
      keyframes++;
      for (let k = 0; k < timed.length; k++) {
        const [name, run] = timed[(k + keyframes) % timed.length]!;
        const t = performance.now();
        run();
        parts[name].push((performance.now() - t) * 1000);
      }
    }
  }
  // The first keyframe of the first match pays V8 compiling the code: once per process, not per match.
  for (const xs of Object.values(parts)) xs.shift();
  return { players, keyframes: parts.hash.length, encodeAllUs: median(parts.encodeAll), hashUs: median(parts.hash), jsonHashUs: median(parts.json) };
}
