/** Spawning: choosing a spawn point and putting a player into the world. */
import { MAX_HP } from "../constants.ts";
import type { Rules } from "../constants.ts";
import type { ArenaMap, Point } from "./map.ts";
import type { ArenaState, Player } from "../wire/schema.ts";

/**
 * The spawn point farthest from every living enemy of `sessionId`. Ties (for
 * example an empty arena) rotate with the tick so players spread out.
 */
export function chooseSpawn(state: ArenaState, sessionId: string, map: ArenaMap): Point {
  const n = map.spawns.length;
  let best: Point | undefined;
  let bestScore = -1;
  for (let i = 0; i < n; i++) {
    const spawn = map.spawns[(i + state.tick) % n];
    if (spawn === undefined) continue;
    let nearest = Number.MAX_VALUE;
    state.players.forEach((other, id) => {
      if (id === sessionId || !other.alive) return;
      const d = Math.hypot(other.x - spawn.x, other.y - spawn.y);
      if (d < nearest) nearest = d;
    });
    if (nearest > bestScore) {
      bestScore = nearest;
      best = spawn;
    }
  }
  if (best === undefined) throw new Error("map has no spawn points");
  return best;
}

/** Brings `player` to life at the best spawn point with full health and spawn protection. */
export function spawnPlayer(state: ArenaState, sessionId: string, player: Player, map: ArenaMap, rules: Rules): void {
  const at = chooseSpawn(state, sessionId, map);
  player.x = at.x;
  player.y = at.y;
  player.hp = MAX_HP;
  player.alive = true;
  player.cooldown = 0;
  player.respawnAt = 0;
  player.protectedUntil = state.tick + rules.protectionTicks;
}

/** The lowest palette index no seated player has: colors differ within a room (the client's palette wraps past its size). */
export function freeColor(state: ArenaState): number {
  const taken = new Set<number>();
  state.players.forEach((p) => taken.add(p.color));
  let color = 0;
  while (taken.has(color)) color++;
  return color;
}
