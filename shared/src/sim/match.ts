/** The match lifecycle: warm-up, playing, results, and back to warm-up. */
import { MIN_PLAYERS } from "../constants.ts";
import type { Rules } from "../constants.ts";
import type { GameEvent } from "./events.ts";
import type { ArenaMap } from "./map.ts";
import type { MatchEndReason, Standing } from "../wire/protocol.ts";
import type { ArenaState, MatchPhase } from "../wire/schema.ts";
import { spawnPlayer } from "./spawn.ts";

/** Current phase as its type (the schema stores it as a string). */
export function phaseOf(state: ArenaState): MatchPhase {
  const p = state.phase;
  return p === "playing" || p === "results" ? p : "warmup";
}

/** Players sorted by kills, then fewer deaths, then damage, then name. */
export function standings(state: ArenaState): Standing[] {
  const rows: Standing[] = [];
  state.players.forEach((p, sessionId) => {
    rows.push({ sessionId, name: p.name, kills: p.kills, deaths: p.deaths, damage: p.damage });
  });
  return rows.sort((a, b) =>
    b.kills - a.kills || a.deaths - b.deaths || b.damage - a.damage || a.name.localeCompare(b.name));
}

/** Starts a match: scores reset, projectiles cleared, everyone respawned. */
export function startMatch(state: ArenaState, map: ArenaMap, rules: Rules, events: GameEvent[]): void {
  state.phase = "playing";
  state.phaseEndsAt = state.tick + rules.matchTicks;
  state.winner = "";
  state.projectiles.clear();
  state.players.forEach((p) => {
    p.kills = 0;
    p.deaths = 0;
    p.damage = 0;
    p.alive = false;
  });
  state.players.forEach((p, id) => spawnPlayer(state, id, p, map, rules));
  events.push({ type: "matchStart", tick: state.tick, endsAt: state.phaseEndsAt });
}

/** Ends the match and shows results until the next warm-up. */
export function endMatch(state: ArenaState, reason: MatchEndReason, rules: Rules, events: GameEvent[]): void {
  const table = standings(state);
  state.phase = "results";
  state.phaseEndsAt = state.tick + rules.resultsTicks;
  state.winner = table[0]?.sessionId ?? "";
  state.projectiles.clear();
  events.push({ type: "matchEnd", reason, winner: state.winner, standings: table });
}

/** Phase transitions that depend on time and player count; run once per step. */
export function updatePhase(state: ArenaState, map: ArenaMap, rules: Rules, events: GameEvent[]): void {
  const count = state.players.size;
  switch (phaseOf(state)) {
    case "warmup":
      if (count < MIN_PLAYERS) state.phaseEndsAt = 0;
      else if (state.phaseEndsAt === 0) state.phaseEndsAt = state.tick + rules.warmupTicks;
      else if (state.tick >= state.phaseEndsAt) startMatch(state, map, rules, events);
      break;
    case "playing":
      if (count < MIN_PLAYERS) endMatch(state, "players", rules, events);
      else if (state.tick >= state.phaseEndsAt) endMatch(state, "time", rules, events);
      break;
    case "results":
      if (state.tick >= state.phaseEndsAt) {
        state.phase = "warmup";
        state.phaseEndsAt = 0;
        state.winner = "";
      }
      break;
  }
}
