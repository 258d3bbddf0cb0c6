/**
 * The authoritative step: one call advances the whole arena by one fixed tick.
 * The server runs it; a client runs {@link applyInput} alone to predict itself.
 */
import { AIM_DISPLAY_TOLERANCE, type Rules } from "../constants.ts";
import { fireProjectile, stepProjectiles, type Seen } from "./combat.ts";
import type { GameEvent } from "./events.ts";
import type { ArenaMap } from "./map.ts";
import { endMatch, updatePhase } from "./match.ts";
import { angleBetween, applyMove, wrapAngle } from "./movement.ts";
import type { ArenaState, InputCommand, Player } from "../wire/schema.ts";
import { spawnPlayer } from "./spawn.ts";

/** What one step reads and changes: the replicated state, the map and the rules. */
export interface World {
  readonly state: ArenaState;
  readonly map: ArenaMap;
  readonly rules: Rules;
}

/** How the room feeds a step: inputs, and lag compensation for shots. */
export interface StepHooks {
  /** The one input to apply for this player this step, if any (at most one per step). */
  inputOf(sessionId: string): InputCommand | undefined;
  /** How far back the shooter saw the world when firing, ms (lag compensation); 0 by default. */
  rewindMsOf?(sessionId: string): number;
  /** Where a target was for the shooter of a projectile (lag compensation); live by default. */
  seen?: Seen;
}

/**
 * Applies one input to one player: aim, movement while alive, and one step off
 * the shot cooldown. Returns true when this input fires a shot.
 */
export function applyInput(player: Player, cmd: InputCommand, world: World): boolean {
  const { rules, map, state } = world;
  const aim = wrapAngle(cmd.aim);
  // Display only: follow the input once it has turned past the tolerance, so a sweeping mouse or a
  // tracking bot does not put a new aim in every patch (shots use the input's own angle).
  if (Math.abs(angleBetween(aim, player.aim)) > AIM_DISPLAY_TOLERANCE) player.aim = aim;
  if (player.cooldown > 0) player.cooldown -= 1;
  if (!player.alive) return false;
  applyMove(player, cmd.mx, cmd.my, rules.dt, map);
  if (!cmd.fire || player.cooldown > 0 || state.phase !== "playing") return false;
  player.cooldown = rules.fireCooldownSteps;
  return true;
}

/** Advances the world by one tick and appends what happened to `events`. */
export function stepWorld(world: World, hooks: StepHooks, events: GameEvent[]): void {
  const { state, map, rules } = world;
  state.tick += 1;

  state.players.forEach((p, id) => {
    if (!p.alive && p.respawnAt !== 0 && state.tick >= p.respawnAt) spawnPlayer(state, id, p, map, rules);
  });

  const limitReachedBy = stepProjectiles(state, map, rules, events, hooks.seen);
  if (limitReachedBy !== undefined && state.phase === "playing") endMatch(state, "kills", rules, events);

  state.players.forEach((p, id) => {
    const cmd = hooks.inputOf(id);
    if (cmd === undefined) return;
    if (applyInput(p, cmd, world)) {
      const projectile = fireProjectile(state, id, p, wrapAngle(cmd.aim), hooks.rewindMsOf?.(id) ?? 0, map, rules);
      events.push({ type: "shot", shooter: id, projectile });
    }
  });

  updatePhase(state, map, rules, events);
}
