/** Shots and projectiles: firing, flight, wall and player hits, damage and death. */
import { PLAYER_RADIUS, PROJECTILE_DAMAGE, PROJECTILE_RADIUS, PROJECTILE_SPEED } from "../constants.ts";
import type { Rules } from "../constants.ts";
import type { GameEvent } from "./events.ts";
import { segmentCircleTime, segmentRectTime, type Vec } from "./geometry.ts";
import type { ArenaMap } from "./map.ts";
import { Projectile, type ArenaState, type Player } from "../wire/schema.ts";

/** Where a target was as the shooter of a projectile saw it (lag compensation); live by default. */
export type SeenPosition = (projectile: Projectile, target: Player) => Vec;

/** Lag-compensated hit tests: where each target was for a shooter, and how far that can be from where it is now. */
export interface Seen {
  readonly position: SeenPosition;
  /**
   * The farthest a target's seen position can be from its live one for this projectile's shooter (world units):
   * targets farther than this from the projectile's path are skipped without asking. It grows with how far back
   * the shooter is rewound, so a shooter who sees the present (a bot, a player on a fast link) asks about the
   * few targets near the path, not about everyone within the longest rewind's run.
   */
  reach(projectile: Projectile): number;
}

const live: Seen = { position: (_projectile, target) => target, reach: () => 0 };

/** Position of a projectile `age` ticks after it was fired, written into `out` if given. Clients use it to draw projectiles. */
export function projectilePosition(p: { x: number; y: number; angle: number }, age: number, dt: number, out: { x: number; y: number } = { x: 0, y: 0 }): Vec {
  const d = PROJECTILE_SPEED * dt * age;
  out.x = p.x + Math.cos(p.angle) * d;
  out.y = p.y + Math.sin(p.angle) * d;
  return out;
}

/**
 * Fires a projectile from `shooter` along `angle`; the caller has checked
 * cooldown and phase. The shot is recorded on the shooter (that is what
 * clients receive) and flown from the recorded, wire-exact values.
 */
export function fireProjectile(
  state: ArenaState, shooterId: string, shooter: Player, angle: number, rewindMs: number, map: ArenaMap, rules: Rules,
): string {
  shooter.shotTick = state.tick;
  shooter.shotX = shooter.x;
  shooter.shotY = shooter.y;
  shooter.shotAngle = angle;
  const id = String(state.nextProjectileId++);
  const p = new Projectile();
  p.ownerId = shooterId;
  p.x = shooter.shotX;
  p.y = shooter.shotY;
  p.angle = shooter.shotAngle;
  p.tick = state.tick;
  p.rewindMs = rewindMs;
  p.wallAt = firstWallAt(p, map, rules);
  state.projectiles.set(id, p);
  return id;
}

/**
 * The path is straight, so where it meets a wall is known when it is fired:
 * the age, in steps, at which the whole flight first enters a wall, or Infinity.
 * Clients use it to end the projectiles they draw.
 */
export function firstWallAt(p: { x: number; y: number; angle: number }, map: ArenaMap, rules: Rules): number {
  const steps = rules.projectileLifetimeTicks + 1;
  const end = projectilePosition(p, steps, rules.dt);
  const dx = end.x - p.x;
  const dy = end.y - p.y;
  let first = 2;
  for (const wall of map.walls) {
    const t = segmentRectTime(p.x, p.y, dx, dy, wall, PROJECTILE_RADIUS);
    if (t >= 0 && t < first) first = t;
  }
  return first > 1 ? Infinity : first * steps;
}

/**
 * Advances every projectile by one step: expiry, then the earliest of a wall,
 * the arena edge or a player along its path this step. Returns the session id
 * of a player who reached the kill limit, if any.
 */
export function stepProjectiles(
  state: ArenaState, map: ArenaMap, rules: Rules, events: GameEvent[], seen: Seen = live,
): string | undefined {
  let limitReachedBy: string | undefined;
  const removed: string[] = [];
  const step = PROJECTILE_SPEED * rules.dt;
  const radii = PLAYER_RADIUS + PROJECTILE_RADIUS;
  // Who can be hit, listed once per step rather than walked per projectile, with where they are now: players do
  // not move while projectiles step, and a schema field read per projectile and target was most of this loop.
  const targets: Array<{ id: string; player: Player; x: number; y: number }> = [];
  state.players.forEach((player, id) => {
    if (player.alive) targets.push({ id, player, x: player.x, y: player.y });
  });
  state.projectiles.forEach((p, id) => {
    const age = state.tick - p.tick;
    if (age > rules.projectileLifetimeTicks) {
      removed.push(id);
      return;
    }
    const cos = Math.cos(p.angle);
    const sin = Math.sin(p.angle);
    const fromX = p.x + cos * (step * (age - 1));
    const fromY = p.y + sin * (step * (age - 1));
    const dx = p.x + cos * (step * age) - fromX;
    const dy = p.y + sin * (step * age) - fromY;
    const toX = fromX + dx;
    const toY = fromY + dy;

    const wallT = p.wallAt - (age - 1);
    let firstT = wallT <= 1 ? Math.max(0, wallT) : 2;
    if (toX < 0 || toY < 0 || toX > map.width || toY > map.height) firstT = Math.min(firstT, 1);

    // Only targets near this step's path can be hit: a box test before any rewound position is looked up.
    const margin = radii + seen.reach(p);
    const minX = Math.min(fromX, toX) - margin;
    const maxX = Math.max(fromX, toX) + margin;
    const minY = Math.min(fromY, toY) - margin;
    const maxY = Math.max(fromY, toY) + margin;
    let hit: { id: string; player: Player } | undefined;
    for (const target of targets) {
      const { x, y } = target;
      if (x < minX || x > maxX || y < minY || y > maxY || target.id === p.ownerId || !target.player.alive) continue;
      const at = seen.position(p, target.player);
      const t = segmentCircleTime(fromX, fromY, dx, dy, at.x, at.y, PLAYER_RADIUS + PROJECTILE_RADIUS);
      if (t >= 0 && t < firstT) {
        firstT = t;
        hit = target;
      }
    }

    if (firstT > 1) return; // still flying
    removed.push(id);
    if (hit === undefined) return;
    const winner = applyHit(state, p, hit.id, hit.player, id, fromX + dx * firstT, fromY + dy * firstT, rules, events);
    if (winner !== undefined) limitReachedBy = winner;
  });
  for (const id of removed) state.projectiles.delete(id);
  return limitReachedBy;
}

/** Damages `target`; on death credits the shooter. Returns the shooter's id if it reached the kill limit. */
function applyHit(
  state: ArenaState, projectile: Projectile, targetId: string, target: Player, projectileId: string,
  x: number, y: number, rules: Rules, events: GameEvent[],
): string | undefined {
  if (state.phase !== "playing" || state.tick < target.protectedUntil) return undefined;
  const damage = Math.min(PROJECTILE_DAMAGE, target.hp);
  target.hp -= damage;
  const shooterId = projectile.ownerId;
  const shooter = state.players.get(shooterId);
  if (shooter !== undefined) {
    shooter.damage += damage;
    shooter.landedShot = projectile.tick;
  }
  events.push({ type: "hit", shooter: shooterId, target: targetId, projectile: projectileId, firedAt: projectile.tick, damage, x, y });
  if (target.hp > 0) return undefined;
  target.alive = false;
  target.killedBy = shooterId;
  target.deaths += 1;
  target.respawnAt = state.tick + rules.respawnTicks;
  events.push({ type: "kill", killer: shooterId, victim: targetId, tick: state.tick });
  if (shooter === undefined) return undefined;
  shooter.kills += 1;
  return shooter.kills >= rules.killLimit ? shooterId : undefined;
}
