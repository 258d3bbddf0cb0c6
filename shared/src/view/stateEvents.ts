/**
 * Shots, hits and kills ride in the state instead of in messages of their own
 * (one message per event per client costs the server more than the few bytes
 * they add to a patch). A client compares each patch with the last one it saw:
 * `shotTick` changing is a shot fired, `hp` going down is a hit taken,
 * `landedShot` changing is a hit made, and `deaths` going up, with
 * `killedBy`, is a kill.
 */
import type { FiredShot, ShotFields } from "./shots.ts";

/** The fields of a replicated player this reads. */
export interface EventFields extends ShotFields {
  readonly hp: number;
  readonly deaths: number;
  readonly killedBy: string;
  readonly landedShot: number;
}

/** What happened between two patches, as a client tells from the players' fields. */
export type StateEvent =
  /** `shooter` fired from (x, y) along `angle` on `tick` (see shots.ts). */
  | ({ type: "shot" } & FiredShot)
  /** `target` lost health. */
  | { type: "hurt"; target: string; damage: number }
  /** A shot `shooter` fired on tick `firedAt` hit someone. */
  | { type: "landed"; shooter: string; firedAt: number }
  /** `killer` killed `victim` (`killer` may have left the room since). */
  | { type: "kill"; killer: string; victim: string };

interface Last {
  shotTick: number;
  hp: number;
  deaths: number;
  landedShot: number;
}

/** Turns successive player states into shot, hurt, landed and kill events, for one client. */
export class StateEvents {
  private readonly last = new Map<string, Last>();

  /**
   * Call once per state change; returns what happened since the previous call.
   * A player seen for the first time has no history to compare with: only its
   * latest shot is reported (it may still be in flight).
   */
  update(players: { forEach(cb: (player: EventFields, sessionId: string) => void): void }): StateEvent[] {
    const out: StateEvent[] = [];
    const present = new Set<string>();
    players.forEach((p, id) => {
      present.add(id);
      const last = this.last.get(id);
      if (p.shotTick !== 0 && p.shotTick !== last?.shotTick) {
        out.push({ type: "shot", shooter: id, x: p.shotX, y: p.shotY, angle: p.shotAngle, tick: p.shotTick });
      }
      if (last === undefined) {
        this.last.set(id, { shotTick: p.shotTick, hp: p.hp, deaths: p.deaths, landedShot: p.landedShot });
        return;
      }
      if (p.hp < last.hp) out.push({ type: "hurt", target: id, damage: last.hp - p.hp });
      if (p.landedShot !== last.landedShot && p.landedShot !== 0) out.push({ type: "landed", shooter: id, firedAt: p.landedShot });
      // Deaths only go down when a new match resets the scores.
      if (p.deaths > last.deaths) out.push({ type: "kill", killer: p.killedBy, victim: id });
      last.shotTick = p.shotTick;
      last.hp = p.hp;
      last.deaths = p.deaths;
      last.landedShot = p.landedShot;
    });
    for (const id of this.last.keys()) if (!present.has(id)) this.last.delete(id);
    return out;
  }
}
