/**
 * Projectiles as a client knows them. The server replicates no projectile
 * entities: each player carries its latest shot (`shotTick`, `shotX`,
 * `shotY`, `shotAngle`), and a client turns every new shot it sees into a
 * projectile it flies itself with {@link projectilePosition}, until its
 * lifetime, its wall, or a hit ends it.
 */
import type { Rules } from "./constants.ts";
import { firstWallAt } from "./combat.ts";
import type { ArenaMap } from "./map.ts";

/** The shot fields of a replicated player. */
export interface ShotFields {
  readonly shotTick: number;
  readonly shotX: number;
  readonly shotY: number;
  readonly shotAngle: number;
}

/** A projectile in flight on a client. */
export interface FlyingShot {
  /** Session id of the shooter. */
  readonly shooter: string;
  readonly x: number;
  readonly y: number;
  readonly angle: number;
  /** Tick it was fired on. */
  readonly tick: number;
  /** Age in steps at which it is gone: its lifetime, or where its path meets a wall. */
  readonly endsAt: number;
}

/** Names a shot: shooter and firing tick (as `landedShot` does on the shooter). */
export const shotKey = (shooter: string, tick: number): string => `${shooter}@${tick}`;

export class ShotTracker {
  /** Projectiles in flight, by {@link shotKey}. */
  readonly flying = new Map<string, FlyingShot>();
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly map: ArenaMap, private readonly rules: Rules) {}

  /**
   * Reads the players' shot fields (after a state change, or every frame) and
   * starts a projectile for each shot not seen before. Returns the new ones.
   */
  update(players: { forEach(cb: (player: ShotFields, sessionId: string) => void): void }, tick: number): FlyingShot[] {
    const added: FlyingShot[] = [];
    const present = new Set<string>();
    players.forEach((p, id) => {
      present.add(id);
      if (p.shotTick === 0 || this.lastSeen.get(id) === p.shotTick) return;
      this.lastSeen.set(id, p.shotTick);
      if (tick - p.shotTick > this.rules.projectileLifetimeTicks) return; // already over (e.g. the last shot in a full state)
      const shot = { shooter: id, x: p.shotX, y: p.shotY, angle: p.shotAngle, tick: p.shotTick };
      const endsAt = Math.min(this.rules.projectileLifetimeTicks, firstWallAt(shot, this.map, this.rules));
      const flying: FlyingShot = { ...shot, endsAt };
      this.flying.set(shotKey(id, p.shotTick), flying);
      added.push(flying);
    });
    for (const id of this.lastSeen.keys()) if (!present.has(id)) this.lastSeen.delete(id);
    return added;
  }

  /** Ends a projectile early (it hit someone). */
  end(shooter: string, tick: number): void {
    this.flying.delete(shotKey(shooter, tick));
  }

  /** Drops projectiles past their end; `ageOf` says how old one is on the timeline it is drawn on. */
  prune(ageOf: (shot: FlyingShot) => number): void {
    for (const [key, shot] of this.flying) if (ageOf(shot) > shot.endsAt) this.flying.delete(key);
  }

  clear(): void {
    this.flying.clear();
    this.lastSeen.clear();
  }
}
