/**
 * How a bot plays, apart from how it talks to a server: wander or strafe
 * around the nearest enemy, aim at it with a little error, fire when it is in
 * range. The Colyseus bots and the baseline bots share it, so every server in
 * the benchmark gets the same inputs.
 */
import { MOVE_SCALE, PROJECTILE_LIFETIME_S, PROJECTILE_SPEED } from "@arena/shared";

/** Bots fire at enemies within a projectile's range. */
const FIRE_RANGE = PROJECTILE_SPEED * PROJECTILE_LIFETIME_S;

export interface Seen {
  x: number;
  y: number;
  alive: boolean;
}

export interface InputFields {
  mx: number;
  my: number;
  aim: number;
  fire: boolean;
}

export class Pilot {
  private move = { mx: 0, my: 0, until: 0 };

  constructor(readonly rand: () => number) {}

  /** Fills `input` from what the bot sees: itself (if known) and the others. */
  steer(me: Seen | undefined, others: Iterable<Seen>, input: InputFields, now = performance.now()): void {
    let target: Seen | undefined;
    let best = Infinity;
    if (me !== undefined) {
      for (const p of others) {
        if (!p.alive) continue;
        const d = (p.x - me.x) ** 2 + (p.y - me.y) ** 2;
        if (d < best) {
          best = d;
          target = p;
        }
      }
    }
    if (now >= this.move.until) {
      const angle = this.rand() * Math.PI * 2;
      this.move = { mx: Math.cos(angle), my: Math.sin(angle), until: now + 300 + this.rand() * 1200 };
      if (target !== undefined && me !== undefined && this.rand() < 0.6) {
        // Strafe: sideways to the enemy, a little towards or away from it.
        const a = Math.atan2(target.y - me.y, target.x - me.x) + (this.rand() < 0.5 ? 1 : -1) * (Math.PI / 2 + (this.rand() - 0.5));
        this.move.mx = Math.cos(a);
        this.move.my = Math.sin(a);
      }
    }
    input.mx = Math.round(this.move.mx * MOVE_SCALE);
    input.my = Math.round(this.move.my * MOVE_SCALE);
    if (target !== undefined && me !== undefined) {
      input.aim = Math.atan2(target.y - me.y, target.x - me.x) + (this.rand() - 0.5) * 0.1;
      input.fire = best < FIRE_RANGE * FIRE_RANGE;
    } else {
      input.aim += (this.rand() - 0.5) * 0.2;
      input.fire = false;
    }
  }
}
