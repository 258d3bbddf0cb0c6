/**
 * A room's state for the in-process benchmarks (bench:sim, bench:step-layout): MAX_PLAYERS players spawned on the
 * built-in map and the match started, and an encoder that has already sent the full state.
 */
import { Encoder } from "@colyseus/schema";
import { ARENA_MAP, ArenaState, MAX_PLAYERS, Player, spawnPlayer, startMatch, type Rules } from "@arena/shared";

export interface MatchRoom {
  state: ArenaState;
  /** Player ids, `p0`…, in the order of `players`. */
  ids: string[];
  players: Player[];
  encoder: Encoder<ArenaState>;
  /** Bytes of the full state the encoder sent first. */
  fullStateBytes: number;
}

export function matchRoom(rules: Rules): MatchRoom {
  const state = new ArenaState();
  const ids: string[] = [];
  const players: Player[] = [];
  for (let i = 0; i < MAX_PLAYERS; i++) {
    const id = `p${i}`;
    const p = new Player();
    p.name = `bot ${i}`;
    state.players.set(id, p);
    spawnPlayer(state, id, p, ARENA_MAP, rules);
    ids.push(id);
    players.push(p);
  }
  startMatch(state, ARENA_MAP, rules, []);
  const encoder = new Encoder(state);
  const fullStateBytes = encoder.encodeAll().byteLength;
  encoder.discardChanges();
  return { state, ids, players, encoder, fullStateBytes };
}
