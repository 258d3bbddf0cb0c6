/**
 * What the player sees and hears in answer to each moment of play, decided
 * without Phaser so it can be tested: which state events make which effects,
 * how red the screen's edge is at a given HP, where a damage indicator points,
 * when the heartbeat beats, and when the shooter's own muzzle flash shows
 * (at the press, predicted, not when the server confirms the shot).
 * GameScene draws the answers with pooled objects (effects.ts).
 */
import type { FlyingShot, StateEvent } from "@arena/shared/view";

export interface Point {
  x: number;
  y: number;
}

/** One effect to show, named by what the player should take from it. */
export type Feedback =
  /** Someone else fired: a flash at their muzzle (mine was shown when I pressed fire). */
  | { kind: "muzzle"; x: number; y: number; angle: number }
  /** A hit I landed: a marker at the crosshair and the damage over the target. */
  | { kind: "hitLanded"; target: string; damage: number }
  /** A hit I took: an indicator toward `from` (undefined: the shooter is unknown) and a flash of the red edge. */
  | { kind: "hitTaken"; from: string | undefined; damage: number }
  /** Someone else was hit: a small puff on them. */
  | { kind: "hitSeen"; target: string }
  /** `victim` died: a burst where they were. */
  | { kind: "death"; victim: string };

/** A hit as the server reported it: who fired the shot and whom it hurt, by how much. */
export interface PairedHit {
  shooter: string;
  target: string;
  damage: number;
}

/**
 * Pairs the patch's "landed" events (who hit) with its "hurt" events (who was
 * hit): the patch carries both but not the link. Each landed shot takes the
 * hurt target nearest to where that shot was last drawn (or, when it is not
 * flying here, nearest to its shooter); a hurt nobody claims stays unpaired.
 */
export function pairHits(events: readonly StateEvent[], where: (id: string) => Point | undefined, shotAt: (shooter: string, tick: number) => Point | undefined): { hits: PairedHit[]; unpaired: Array<{ target: string; damage: number }> } {
  const hurts: Array<{ target: string; damage: number } | undefined> = [];
  for (const e of events) if (e.type === "hurt") hurts.push({ target: e.target, damage: e.damage });
  const hits: PairedHit[] = [];
  for (const e of events) {
    if (e.type !== "landed") continue;
    const from = shotAt(e.shooter, e.firedAt) ?? where(e.shooter);
    let best = -1;
    let bestD = Infinity;
    hurts.forEach((h, i) => {
      if (h === undefined || h.target === e.shooter) return;
      const at = where(h.target);
      const d = from === undefined || at === undefined ? Number.MAX_VALUE : (at.x - from.x) ** 2 + (at.y - from.y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    const h = hurts[best];
    if (h === undefined) continue;
    hurts[best] = undefined;
    hits.push({ shooter: e.shooter, target: h.target, damage: h.damage });
  }
  const unpaired = hurts.filter((h): h is { target: string; damage: number } => h !== undefined);
  return { hits, unpaired };
}

/**
 * The effects one patch's events make, as seen by player `me`. A hit on me
 * that no landed shot explains (e.g. the shooter left) still shows, without
 * a direction; a kill names its killer, which points the indicator when the
 * killing hit was not paired.
 */
export function feedbackOf(events: readonly StateEvent[], me: string, where: (id: string) => Point | undefined, shotAt: (shooter: string, tick: number) => Point | undefined): Feedback[] {
  const out: Feedback[] = [];
  const { hits, unpaired } = pairHits(events, where, shotAt);
  for (const e of events) {
    if (e.type === "shot" && e.shooter !== me) out.push({ kind: "muzzle", x: e.x, y: e.y, angle: e.angle });
  }
  for (const h of hits) {
    if (h.shooter === me) out.push({ kind: "hitLanded", target: h.target, damage: h.damage });
    if (h.target === me) out.push({ kind: "hitTaken", from: h.shooter, damage: h.damage });
    else out.push({ kind: "hitSeen", target: h.target });
  }
  for (const h of unpaired) {
    if (h.target !== me) {
      out.push({ kind: "hitSeen", target: h.target });
      continue;
    }
    const kill = events.find((e) => e.type === "kill" && e.victim === me);
    out.push({ kind: "hitTaken", from: kill?.type === "kill" && kill.killer !== "" ? kill.killer : undefined, damage: h.damage });
  }
  for (const e of events) if (e.type === "kill") out.push({ kind: "death", victim: e.victim });
  return out;
}

/** HP at or below this share of the maximum is "low": the heartbeat starts and the edge pulses. */
export const LOW_HP_SHARE = 0.3;

/**
 * How strongly the screen's edge is red (0..1) at `hp` of `maxHp`: nothing at
 * full health, growing faster as HP falls (squared, so the last hits read
 * clearly), nothing while dead (the death view takes over).
 */
export function dangerEdge(hp: number, maxHp: number, alive: boolean): number {
  if (!alive || maxHp <= 0) return 0;
  const lost = Math.min(1, Math.max(0, 1 - hp / maxHp));
  return 0.75 * lost * lost;
}

/** The angle (radians, as Math.atan2 and the aim use) from `from` toward `to`. */
export function indicatorAngle(from: Point, to: Point): number {
  return Math.atan2(to.y - from.y, to.x - from.x);
}

/** Milliseconds between heartbeats at `hp`: undefined above the low-HP share or while dead; faster as HP falls. */
export function heartbeatPeriodMs(hp: number, maxHp: number, alive: boolean): number | undefined {
  if (!alive || hp <= 0 || hp > maxHp * LOW_HP_SHARE) return undefined;
  return Math.round(500 + 500 * (hp / (maxHp * LOW_HP_SHARE)));
}

/** Beats the heartbeat cue at the period the HP calls for; call as often as the HUD refreshes. */
export class Heartbeat {
  private lastAt = -Infinity;

  /** True when a beat is due at `now`. */
  due(now: number, hp: number, maxHp: number, alive: boolean): boolean {
    const period = heartbeatPeriodMs(hp, maxHp, alive);
    if (period === undefined) {
      this.lastAt = -Infinity;
      return false;
    }
    if (now - this.lastAt < period) return false;
    this.lastAt = now;
    return true;
  }
}

/**
 * The shooter's own muzzle flash, predicted: it shows on the frame the fire
 * input first goes out and then at the weapon's rate while it is held, as the
 * shared step fires (cooldown in steps), without waiting for the server's shot.
 */
export class MuzzlePrediction {
  private readyAt = 0;

  constructor(private readonly cooldownMs: number) {}

  /** True when a shot goes out now: fire held, alive, the match running, and the cooldown over. */
  fires(now: number, fire: boolean, alive: boolean, playing: boolean): boolean {
    if (!fire || !alive || !playing || now < this.readyAt) return false;
    this.readyAt = now + this.cooldownMs;
    return true;
  }
}

/** Where a projectile stopped at a wall (for the sparks), or undefined when its lifetime ended it in the open. */
export function wallStop(shot: FlyingShot, lifetimeTicks: number, positionAt: (shot: FlyingShot, age: number) => Point): Point | undefined {
  return shot.endsAt < lifetimeTicks ? positionAt(shot, shot.endsAt) : undefined;
}

/** Tells which players came alive (spawned or respawned) since the last call: each gets the spawn-in effect. */
export class Spawns {
  private readonly alive = new Map<string, boolean>();

  /** Records `id`'s state this frame; true when it just came alive (not on the first sight of a player already alive). */
  cameAlive(id: string, alive: boolean): boolean {
    const before = this.alive.get(id);
    if (before !== alive) this.alive.set(id, alive);
    return before === false && alive;
  }

  forget(id: string): void {
    this.alive.delete(id);
  }

  clear(): void {
    this.alive.clear();
  }
}
