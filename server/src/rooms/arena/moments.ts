/**
 * Each player's best moments of the match, for the results screen: the longest kill streak (kills in a row
 * without dying) and the most damage dealt within one life. Counted from the step's events; a match taken
 * over from a checkpoint counts on from the tallies the checkpoint carried (checkpointCodec.ts).
 */
import type { GameEvent, Standing } from "@arena/shared";

/** One player's count so far: the current streak and life's damage, and the best of each. */
export interface Tally {
  streak: number;
  bestStreak: number;
  life: number;
  bestLife: number;
}

export class MatchMoments {
  private readonly tallies = new Map<string, Tally>();

  private of(id: string): Tally {
    let t = this.tallies.get(id);
    if (t === undefined) this.tallies.set(id, (t = { streak: 0, bestStreak: 0, life: 0, bestLife: 0 }));
    return t;
  }

  /** Counts one event of the step (call for every event, in order). */
  observe(e: GameEvent): void {
    switch (e.type) {
      case "matchStart":
        this.tallies.clear();
        break;
      case "hit": {
        const t = this.of(e.shooter);
        t.life += e.damage;
        t.bestLife = Math.max(t.bestLife, t.life);
        break;
      }
      case "kill": {
        const victim = this.of(e.victim);
        victim.streak = 0;
        victim.life = 0;
        if (e.killer === e.victim) break;
        const k = this.of(e.killer);
        k.streak++;
        k.bestStreak = Math.max(k.bestStreak, k.streak);
        break;
      }
      default:
        break;
    }
  }

  /** `id`'s tally (undefined: nothing counted for them this match), for a checkpoint. */
  tallyOf(id: string): Readonly<Tally> | undefined {
    return this.tallies.get(id);
  }

  /** Takes back the tallies a checkpoint carried: a match taken over counts on from them. */
  restore(tallies: Iterable<Readonly<Tally> & { readonly id: string }>): void {
    this.tallies.clear();
    for (const { id, streak, bestStreak, life, bestLife } of tallies) this.tallies.set(id, { streak, bestStreak, life, bestLife });
  }

  /** The standings with each player's best moments filled in. */
  fill(standings: readonly Standing[]): Standing[] {
    return standings.map((s) => {
      const t = this.tallies.get(s.sessionId);
      return { ...s, bestStreak: t?.bestStreak ?? 0, bestLife: t?.bestLife ?? 0 };
    });
  }
}
