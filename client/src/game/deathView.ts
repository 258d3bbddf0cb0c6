/**
 * What you see while dead: who killed you (the camera turns to them) and the
 * seconds until you respawn. The server keeps the respawn tick to itself; the
 * client counts from the tick at which it saw you die.
 */
import type { ArenaState, Player } from "@arena/shared";
import { byTestId } from "../ui/dom.ts";

export interface DeathInfo {
  /** Killer's session id ("" when unknown, e.g. joined while dead). */
  killer: string;
  killerName: string;
  /** Whole seconds until respawn (0 when it is due). */
  secondsLeft: number;
}

export class DeathView {
  private diedAt = -1;

  constructor(private readonly respawnTicks: number) {}

  /** Called each frame with your player; returns what to show while dead, undefined while alive. */
  update(state: ArenaState, me: Player): DeathInfo | undefined {
    if (me.alive || state.phase !== "playing") {
      this.diedAt = -1;
      return undefined;
    }
    if (this.diedAt < 0) this.diedAt = state.tick;
    const killer = me.killedBy;
    const ticksLeft = this.diedAt + this.respawnTicks - state.tick;
    return {
      killer,
      killerName: state.players.get(killer)?.name ?? "",
      secondsLeft: Math.max(0, Math.ceil(ticksLeft / state.tickRate)),
    };
  }
}

/** Share of the way to the killer the camera covers in a 60 Hz frame (about 90 % in 0.37 s). */
const GLIDE_PER_60HZ_FRAME = 0.1;

/**
 * Share of the way to the killer the camera covers in a frame of `deltaMs`: the same glide in the same time at any
 * frame rate (a fixed share per frame took 0.37 s at 60 frames a second and 0.73 s at 30). A frame longer than a
 * second (a page brought back from the background) arrives at once.
 */
export function glideShare(deltaMs: number): number {
  if (!(deltaMs > 0)) return 0;
  return 1 - (1 - GLIDE_PER_60HZ_FRAME) ** (Math.min(deltaMs, 1000) / (1000 / 60));
}

/** The death banner's words. */
export function describeDeath(d: DeathInfo): string {
  const by = d.killerName === "" ? "You died" : `Killed by ${d.killerName}`;
  return d.secondsLeft > 0 ? `${by} · respawn in ${d.secondsLeft}` : `${by} · respawning…`;
}

/** Shows (or hides, with undefined) the death banner; touches the page only when its text changes. */
export function showDeath(d: DeathInfo | undefined): void {
  const el = byTestId("death-view");
  const text = d === undefined ? "" : describeDeath(d);
  if (el.textContent === text) return;
  el.textContent = text;
  el.hidden = d === undefined;
}
