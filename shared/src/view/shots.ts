/**
 * Projectiles as a client knows them. The server replicates no projectile
 * entities: each player carries its latest shot (`shotTick`, `shotX`,
 * `shotY`, `shotAngle`); `StateEvents` reports each new one as a "shot"
 * event, and a client turns it into a projectile it flies itself with
 * {@link projectilePosition}, until its lifetime, its wall, or a hit ends it.
 */
import type { Rules } from "../constants.ts";
import { firstWallAt } from "../sim/combat.ts";
import type { ArenaMap } from "../sim/map.ts";

/** The shot fields of a replicated player. */
export interface ShotFields {
  readonly shotTick: number;
  readonly shotX: number;
  readonly shotY: number;
  readonly shotAngle: number;
}

/** A shot fired: who, from where, along which angle, on which tick. */
export interface FiredShot {
  /** Session id of the shooter. */
  readonly shooter: string;
  readonly x: number;
  readonly y: number;
  readonly angle: number;
  /** Tick it was fired on. */
  readonly tick: number;
}

/** A projectile in flight on a client. */
export interface FlyingShot extends FiredShot {
  /** Age in steps at which it is gone: its lifetime, or where its path meets a wall. */
  readonly endsAt: number;
}

/** Names a shot: shooter and firing tick (as `landedShot` does on the shooter). */
export const shotKey = (shooter: string, tick: number): string => `${shooter}@${tick}`;

/** The projectiles a client draws: started from reported shots, ended by hits, walls and lifetime. */
export class ShotTracker {
  /** Projectiles in flight, by {@link shotKey}. */
  readonly flying = new Map<string, FlyingShot>();

  constructor(private readonly map: ArenaMap, private readonly rules: Rules) {}

  /** Starts flying `shot`, unless it is already over at `tick` (e.g. the last shot in a late joiner's first state). */
  start(shot: FiredShot, tick: number): FlyingShot | undefined {
    if (tick - shot.tick > this.rules.projectileLifetimeTicks) return undefined;
    const { shooter, x, y, angle } = shot;
    const endsAt = Math.min(this.rules.projectileLifetimeTicks, firstWallAt(shot, this.map, this.rules));
    const flying: FlyingShot = { shooter, x, y, angle, tick: shot.tick, endsAt };
    this.flying.set(shotKey(shooter, shot.tick), flying);
    return flying;
  }

  /** Ends a projectile early (it hit someone). */
  end(shooter: string, tick: number): void {
    this.flying.delete(shotKey(shooter, tick));
  }

  /** Drops projectiles past their end; `ageOf` says how old one is on the timeline it is drawn on. */
  prune(ageOf: (shot: FlyingShot) => number): void {
    for (const [key, shot] of this.flying) if (ageOf(shot) > shot.endsAt) this.flying.delete(key);
  }
}
