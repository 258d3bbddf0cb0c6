/**
 * Which sound each moment of play makes: state events (shots, hits, kills)
 * and the match clock (the last seconds of the warm-up, the start, the end).
 */
import { MAX_HP, type ArenaState } from "@arena/shared";
import type { StateEvent } from "@arena/shared/view";
import type { Cue } from "./sound.ts";
import { Heartbeat } from "../game/feedback.ts";

/** The cue for a state event, as seen by player `me` (undefined: silent). */
export function cueOf(e: StateEvent, me: string): Cue | undefined {
  switch (e.type) {
    case "shot":
      return e.shooter === me ? "shot" : "otherShot";
    case "hurt":
      return e.target === me ? "hitTaken" : undefined;
    case "landed":
      return e.shooter === me ? "hitGiven" : undefined;
    case "kill":
      return e.victim === me ? "death" : e.killer === me ? "kill" : undefined;
  }
}

/** Warm-up countdown beeps (last 3 seconds), the start, and the match end, from successive states. */
export class MatchCues {
  private phase = "";
  private secondsLeft = -1;

  update(state: ArenaState): Cue | undefined {
    const phase = state.phase;
    const left = state.phaseEndsAt > 0 ? Math.ceil((state.phaseEndsAt - state.tick) / state.tickRate) : -1;
    const before = this.phase;
    const beforeLeft = this.secondsLeft;
    this.phase = phase;
    this.secondsLeft = left;
    if (before === "") return undefined; // the first state seen: nothing happened yet
    if (phase !== before) return phase === "playing" ? "go" : phase === "results" ? "matchEnd" : undefined;
    if (phase === "warmup" && left !== beforeLeft && left >= 1 && left <= 3) return "countdown";
    return undefined;
  }
}

/** The low-HP heartbeat: due at the period player `me`'s HP calls for (feedback.ts), silent otherwise. */
export class HeartbeatCue {
  private readonly beat = new Heartbeat();

  update(state: ArenaState | undefined, me: string, now: number): Cue | undefined {
    const p = state?.players?.get(me);
    if (p === undefined || state?.phase !== "playing") return undefined;
    return this.beat.due(now, p.hp, MAX_HP, p.alive) ? "heartbeat" : undefined;
  }
}
