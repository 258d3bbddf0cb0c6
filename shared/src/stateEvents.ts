/**
 * Hits and kills ride in the state instead of in messages of their own (one
 * message per event per client costs the server more than the few bytes they
 * add to a patch). A client compares each patch with the last one it saw:
 * `hp` going down is a hit taken, `landedShot` changing is a hit made, and
 * `deaths` going up, with `killedBy`, is a kill.
 */

/** The fields of a replicated player this reads. */
export interface EventFields {
  readonly hp: number;
  readonly deaths: number;
  readonly killedBy: string;
  readonly landedShot: number;
}

export type StateEvent =
  /** `target` lost health. */
  | { type: "hurt"; target: string; damage: number }
  /** A shot `shooter` fired on tick `firedAt` hit someone. */
  | { type: "landed"; shooter: string; firedAt: number }
  /** `killer` killed `victim` (`killer` may have left the room since). */
  | { type: "kill"; killer: string; victim: string };

interface Last {
  hp: number;
  deaths: number;
  landedShot: number;
}

export class StateEvents {
  private readonly last = new Map<string, Last>();

  /** Call once per state change; returns what happened since the previous call. Nothing for players seen the first time. */
  update(players: { forEach(cb: (player: EventFields, sessionId: string) => void): void }): StateEvent[] {
    const out: StateEvent[] = [];
    const present = new Set<string>();
    players.forEach((p, id) => {
      present.add(id);
      const last = this.last.get(id);
      if (last === undefined) {
        this.last.set(id, { hp: p.hp, deaths: p.deaths, landedShot: p.landedShot });
        return;
      }
      if (p.hp < last.hp) out.push({ type: "hurt", target: id, damage: last.hp - p.hp });
      if (p.landedShot !== last.landedShot && p.landedShot !== 0) out.push({ type: "landed", shooter: id, firedAt: p.landedShot });
      // Deaths only go down when a new match resets the scores.
      if (p.deaths > last.deaths) out.push({ type: "kill", killer: p.killedBy, victim: id });
      last.hp = p.hp;
      last.deaths = p.deaths;
      last.landedShot = p.landedShot;
    });
    for (const id of this.last.keys()) if (!present.has(id)) this.last.delete(id);
    return out;
  }
}
