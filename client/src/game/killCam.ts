/**
 * The kill-cam: after this player's death, the last seconds before it shown
 * again from the killer's side (the camera on the killer, their shots in
 * flight), from what this page drew (killCamBuffer.ts), in the game's own
 * scene (killCamView.ts). It starts KILLCAM_START_MS after the death is seen
 * and ends KILLCAM_END_MARGIN_MS before the respawn is due; the respawn comes
 * after RESPAWN_DELAY_S, so the ~4 s are shown faster, except the last moments
 * before the death, which play at their own speed. Space, Enter, Escape, a
 * click or a tap skips it; the setting (kept in localStorage) turns it off.
 */
import type { ArenaState, Player } from "@arena/shared";
import { KillCamBuffer } from "./killCamBuffer.ts";

/** How much of the time before the death the kill-cam replays, ms. */
export const KILLCAM_HISTORY_MS = 4000;
/** From the death being seen to the kill-cam on screen, ms (the death burst is seen first). */
export const KILLCAM_START_MS = 250;
/** The kill-cam ends this long before the respawn is due, ms. */
export const KILLCAM_END_MARGIN_MS = 300;
/** Share of the kill-cam's screen time that plays the moments before the death at their own speed. */
export const KILLCAM_REALTIME_SHARE = 0.5;
/** Less history than this (just joined, or just respawned into a fresh room) is not worth a kill-cam, ms. */
const MIN_HISTORY_MS = 500;
/** Less screen time than this (a very short respawn) is no kill-cam either, ms. */
const MIN_SHOWN_MS = 400;
/** The kill-cam's camera looks this far (world units) above the killer: it is drawn below the death banner and the kill-cam's label. */
export const KILLCAM_FRAMING_Y = 60;
/** Keys that skip the kill-cam (moving keys do not: a player still moving must not lose it by accident). */
const SKIP_KEYS: ReadonlySet<string> = new Set(["Space", "Enter", "NumpadEnter", "Escape"]);

const STORAGE_KEY = "arena.killcam";

/** The kill-cam's on/off setting, remembered in the browser (on unless turned off). */
export class KillCamSetting {
  private on: boolean;

  constructor(private readonly storage: Pick<Storage, "getItem" | "setItem"> | undefined) {
    let saved: string | null = null;
    try {
      saved = storage?.getItem(STORAGE_KEY) ?? null;
    } catch {
      // Storage refused: the default.
    }
    this.on = saved !== "off";
  }

  get enabled(): boolean {
    return this.on;
  }

  set enabled(on: boolean) {
    this.on = on;
    try {
      this.storage?.setItem(STORAGE_KEY, on ? "on" : "off");
    } catch {
      // Private mode or a full quota: the setting lasts this visit only.
    }
  }
}

/** What one kill-cam shows (history, the scene's clock) and when (screen time, the same clock), ms. */
export interface KillCamPlan {
  from: number;
  to: number;
  startAt: number;
  endAt: number;
}

/** The kill-cam for a death seen at `deathSeenAt`, or undefined when there is too little to show or time to show it. */
export function planKillCam(deathSeenAt: number, respawnMs: number, oldestFrame: number): KillCamPlan | undefined {
  const startAt = deathSeenAt + KILLCAM_START_MS;
  const endAt = deathSeenAt + respawnMs - KILLCAM_END_MARGIN_MS;
  const from = Math.max(oldestFrame, deathSeenAt - KILLCAM_HISTORY_MS);
  if (!(deathSeenAt - from >= MIN_HISTORY_MS) || endAt - startAt < MIN_SHOWN_MS) return undefined;
  return { from, to: deathSeenAt, startAt, endAt };
}

/**
 * The moment of history shown at screen time `now`: the run-up fast, then the last
 * KILLCAM_REALTIME_SHARE of the screen time at the history's own speed, up to the death.
 */
export function historyAt(plan: KillCamPlan, now: number): number {
  const shown = plan.endAt - plan.startAt;
  const history = plan.to - plan.from;
  const realtime = Math.min(history, shown * KILLCAM_REALTIME_SHARE);
  const runUp = shown - realtime;
  const e = Math.min(shown, Math.max(0, now - plan.startAt));
  if (e < runUp) return plan.from + (e * (history - realtime)) / runUp;
  return plan.to - realtime + (e - runUp);
}

export type KillCamPhase = "idle" | "waiting" | "showing";
/** Why the last kill-cam ended. */
export type KillCamEnd = "done" | "skipped" | "respawned" | "phase" | "left";

/** For tests and the debug overlay: the last kill-cam's times (the scene's clock) and how it ended. */
export interface KillCamStatus {
  phase: KillCamPhase;
  killer: string;
  deathSeenAt: number;
  shownAt: number;
  endedAt: number;
  ended: KillCamEnd | "";
  /** Frames drawn and the most projectiles one of them showed, in the last kill-cam. */
  framesShown: number;
  /** The moment of history drawn last, and the death's (the end of the history shown). */
  moment: number;
  deathAt: number;
  mostShots: number;
}

export class KillCam {
  readonly buffer = new KillCamBuffer();
  private phase: KillCamPhase = "idle";
  private plan: KillCamPlan | undefined;
  /** This player alive in the last patch, and that patch's tick (-1: none yet). */
  private wasAlive = false;
  private lastTick = -1;
  private skipAsked = false;
  private readonly last: KillCamStatus = { phase: "idle", killer: "", deathSeenAt: NaN, shownAt: NaN, endedAt: NaN, ended: "", framesShown: 0, mostShots: 0, moment: NaN, deathAt: NaN };

  constructor(readonly setting: KillCamSetting, private readonly overlay: { show(killerName: string): void; hide(): void }) {}

  /** Listens for the skip gestures on `target` (the window). */
  listen(target: Pick<Window, "addEventListener">): void {
    target.addEventListener("keydown", (e) => {
      if (e.repeat || e.target instanceof HTMLInputElement || !SKIP_KEYS.has(e.code)) return;
      if (this.phase === "showing") {
        this.skipAsked = true;
        e.preventDefault();
      }
    });
    // A click or a tap (pointerdown covers both, and the overlay's Skip button).
    target.addEventListener("pointerdown", () => {
      if (this.phase === "showing") this.skipAsked = true;
    });
  }

  /**
   * Called on every patch, as it arrives (`now` on the frames' clock, performance.now()): the kill-cam is timed
   * from the patch that carries the death, not from the next frame drawn (which a busy page draws late), and the
   * respawn from the ticks: due `respawnTicks` after the death, which happened after the previous patch's tick.
   */
  patched(now: number, state: ArenaState, me: Player | undefined, stepMs: number, respawnTicks: number): void {
    const previous = this.lastTick;
    this.lastTick = state.tick;
    const died = me !== undefined && this.wasAlive && !me.alive;
    this.wasAlive = me?.alive === true;
    if (!died || state.phase !== "playing" || !this.setting.enabled || this.phase !== "idle") return;
    const deathTick = previous >= 0 && previous < state.tick ? previous + 1 : state.tick;
    this.arm(now, me.killedBy, (deathTick + respawnTicks - state.tick) * stepMs);
  }

  /**
   * Called once per frame after the live scene is drawn, with this player (undefined when spectating or
   * gone). Returns the history moment to draw instead of the live scene, or undefined to show it live.
   */
  update(now: number, state: ArenaState, me: Player | undefined): number | undefined {
    if (me === undefined) return this.stop(now, "left");
    if (this.phase !== "idle") {
      if (me.alive) return this.stop(now, "respawned");
      if (state.phase !== "playing") return this.stop(now, "phase");
    }
    if (this.phase === "waiting" && now >= this.plan!.startAt) {
      this.phase = "showing";
      this.skipAsked = false;
      this.last.phase = "showing";
      this.last.shownAt = now;
      this.overlay.show(state.players.get(this.last.killer)?.name ?? "");
    }
    if (this.phase !== "showing") return undefined;
    if (this.skipAsked) return this.stop(now, "skipped");
    if (now >= this.plan!.endAt) return this.stop(now, "done");
    this.last.framesShown++;
    this.last.moment = historyAt(this.plan!, now);
    return this.last.moment;
  }

  /** The killer's session id while a kill-cam waits or shows. */
  get killer(): string {
    return this.last.killer;
  }

  /** Counts the projectiles drawn in one kill-cam frame (for the status). */
  drewShots(n: number): void {
    if (n > this.last.mostShots) this.last.mostShots = n;
  }

  status(): KillCamStatus {
    return { ...this.last };
  }

  /** Ends any kill-cam and forgets the recording (a new room, or none). */
  reset(): void {
    this.stop(NaN, "left");
    this.buffer.clear();
    this.wasAlive = false;
    this.lastTick = -1;
  }

  private arm(now: number, killer: string, respawnMs: number): void {
    // Nobody to follow: an unknown killer, or one never drawn here.
    if (killer === "" || this.buffer.slotOfId(killer) < 0) return;
    const plan = planKillCam(now, respawnMs, this.buffer.oldest);
    if (plan === undefined) return;
    this.plan = plan;
    this.phase = "waiting";
    Object.assign(this.last, { phase: "waiting", killer, deathSeenAt: now, shownAt: NaN, endedAt: NaN, ended: "", framesShown: 0, mostShots: 0, moment: NaN, deathAt: plan.to });
  }

  private stop(now: number, why: KillCamEnd): undefined {
    if (this.phase === "idle") return undefined;
    if (this.phase === "showing") this.overlay.hide();
    this.phase = "idle";
    this.plan = undefined;
    this.last.phase = "idle";
    this.last.endedAt = now;
    this.last.ended = why;
    return undefined;
  }
}
