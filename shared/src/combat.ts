/** Shots and projectiles: firing, flight, wall and player hits, damage and death. */
import { PLAYER_RADIUS, PROJECTILE_DAMAGE, PROJECTILE_RADIUS, PROJECTILE_SPEED } from "./constants.ts";
import type { Rules } from "./constants.ts";
import type { GameEvent } from "./events.ts";
import { segmentCircleTime, segmentRectTime, type Vec } from "./geometry.ts";
import type { ArenaMap } from "./map.ts";
import { Projectile, type ArenaState, type Player } from "./schema.ts";

/** Where a target was as the shooter of a projectile saw it (lag compensation); live by default. */
export type SeenPosition = (projectile: Projectile, target: Player) => Vec;

const livePosition: SeenPosition = (_projectile, target) => target;

/** Position of a projectile `age` ticks after it was fired. Clients use it to draw projectiles. */
export function projectilePosition(p: { x: number; y: number; angle: number }, age: number, dt: number): Vec {
  const d = PROJECTILE_SPEED * dt * age;
  return { x: p.x + Math.cos(p.angle) * d, y: p.y + Math.sin(p.angle) * d };
}

/** Fires a projectile from `shooter` along `angle`; the caller has checked cooldown and phase. */
export function fireProjectile(state: ArenaState, shooterId: string, shooter: Player, angle: number, rewindMs: number): string {
  const id = String(state.nextProjectileId++);
  const p = new Projectile();
  p.owner = shooterId;
  p.x = shooter.x;
  p.y = shooter.y;
  p.angle = Math.fround(angle);
  p.tick = state.tick;
  p.rewindMs = rewindMs;
  state.projectiles.set(id, p);
  return id;
}

/**
 * Advances every projectile by one step: expiry, then the earliest of a wall,
 * the arena edge or a player along its path this step. Returns the session id
 * of a player who reached the kill limit, if any.
 */
export function stepProjectiles(
  state: ArenaState, map: ArenaMap, rules: Rules, events: GameEvent[],
  seen: SeenPosition = livePosition,
): string | undefined {
  let limitReachedBy: string | undefined;
  const removed: string[] = [];
  state.projectiles.forEach((p, id) => {
    const age = state.tick - p.tick;
    if (age > rules.projectileLifetimeTicks) {
      removed.push(id);
      return;
    }
    const from = projectilePosition(p, age - 1, rules.dt);
    const to = projectilePosition(p, age, rules.dt);
    const dx = to.x - from.x;
    const dy = to.y - from.y;

    let firstT = 2;
    for (const wall of map.walls) {
      const t = segmentRectTime(from.x, from.y, dx, dy, wall, PROJECTILE_RADIUS);
      if (t >= 0 && t < firstT) firstT = t;
    }
    if (to.x < 0 || to.y < 0 || to.x > map.width || to.y > map.height) firstT = Math.min(firstT, 1);

    let hitId: string | undefined;
    let hitPlayer: Player | undefined;
    state.players.forEach((target, targetId) => {
      if (targetId === p.owner || !target.alive) return;
      const at = seen(p, target);
      const t = segmentCircleTime(from.x, from.y, dx, dy, at.x, at.y, PLAYER_RADIUS + PROJECTILE_RADIUS);
      if (t >= 0 && t < firstT) {
        firstT = t;
        hitId = targetId;
        hitPlayer = target;
      }
    });

    if (firstT > 1) return; // still flying
    removed.push(id);
    if (hitId === undefined || hitPlayer === undefined) return;
    const winner = applyHit(state, p.owner, hitId, hitPlayer, id, from.x + dx * firstT, from.y + dy * firstT, rules, events);
    if (winner !== undefined) limitReachedBy = winner;
  });
  for (const id of removed) state.projectiles.delete(id);
  return limitReachedBy;
}

/** Damages `target`; on death credits the shooter. Returns the shooter's id if it reached the kill limit. */
function applyHit(
  state: ArenaState, shooterId: string, targetId: string, target: Player, projectile: string,
  x: number, y: number, rules: Rules, events: GameEvent[],
): string | undefined {
  if (state.phase !== "playing" || state.tick < target.protectedUntil) return undefined;
  const damage = Math.min(PROJECTILE_DAMAGE, target.hp);
  target.hp -= damage;
  const shooter = state.players.get(shooterId);
  if (shooter !== undefined) shooter.damage += damage;
  events.push({ type: "hit", shooter: shooterId, target: targetId, projectile, damage, x, y });
  if (target.hp > 0) return undefined;
  target.alive = false;
  target.deaths += 1;
  target.respawnAt = state.tick + rules.respawnTicks;
  events.push({ type: "kill", killer: shooterId, victim: targetId, tick: state.tick });
  if (shooter === undefined) return undefined;
  shooter.kills += 1;
  return shooter.kills >= rules.killLimit ? shooterId : undefined;
}
