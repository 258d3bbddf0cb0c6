/**
 * The viewer's controls: play/pause, ±5 s, speed (0.25–4×), the timeline with the kills marked (a click on
 * one goes to 2 s before it), whom the camera follows, the tick and time shown, and the scoreboard at that
 * moment. Every control is a button or a select (touch works as a click); the keyboard has space
 * (play/pause), ←/→ (5 s back/on), ↑/↓ (faster/slower), 1–9 (follow the scoreboard's n-th), 0 (free camera).
 */
import type { ReplayEvent } from "@arena/shared/replay";
import { byTestId } from "../ui/dom.ts";
import type { Playback } from "./playback.ts";
import type { ReplayScene } from "./ReplayScene.ts";
import { renderScoreboard, scoreRows } from "./scoreboard.ts";

/** Seconds a kill mark's click lands before the kill: the lead-up is what one wants to see. */
const KILL_LEAD_S = 2;
/** Seconds the arrows and the ±buttons move. */
const SKIP_S = 5;

const clock = (seconds: number): string => {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

export class ReplayControls {
  private readonly timeline = byTestId<HTMLInputElement>("replay-timeline");
  private readonly follow = byTestId<HTMLSelectElement>("replay-follow");
  private readonly play = byTestId<HTMLButtonElement>("replay-play");
  private readonly speed = byTestId("replay-speed");
  private readonly tick = byTestId("replay-tick");
  private readonly time = byTestId("replay-time");
  private readonly scoreboard = byTestId<HTMLTableElement>("replay-scoreboard");
  /** The follow list's options, by what they say (rewritten when the players change). */
  private followKey = "";

  constructor(private readonly pb: Playback, private readonly scene: ReplayScene, private readonly kills: readonly Extract<ReplayEvent, { type: "kill" }>[]) {
    this.timeline.min = String(pb.firstTick);
    this.timeline.max = String(pb.lastTick);
    this.timeline.step = "1";
    this.timeline.addEventListener("input", () => pb.seek(Number(this.timeline.value)));
    this.markKills();
    this.play.addEventListener("click", () => pb.toggle());
    byTestId("replay-back").addEventListener("click", () => pb.skip(-SKIP_S));
    byTestId("replay-forward").addEventListener("click", () => pb.skip(SKIP_S));
    byTestId("replay-slower").addEventListener("click", () => pb.step(-1));
    byTestId("replay-faster").addEventListener("click", () => pb.step(1));
    this.follow.addEventListener("change", () => {
      scene.follow = this.follow.value === "" ? undefined : this.follow.value;
    });
    window.addEventListener("keydown", (e) => this.key(e));
    scene.onFrame = () => this.render();
  }

  private markKills(): void {
    const marks = byTestId("replay-kills");
    const span = Math.max(1, this.pb.lastTick - this.pb.firstTick);
    for (const k of this.kills) {
      const mark = document.createElement("button");
      mark.type = "button";
      mark.className = "kill-mark";
      mark.dataset.testid = "replay-kill-mark";
      mark.dataset.tick = String(k.tick);
      mark.style.left = `${((k.tick - this.pb.firstTick) / span) * 100}%`;
      mark.title = `${clock(this.pb.secondsOf(k.tick))} ${k.killerName} killed ${k.victimName}`;
      mark.setAttribute("aria-label", mark.title);
      mark.addEventListener("click", () => this.pb.seek(k.tick - KILL_LEAD_S * this.pb.tickRate));
      marks.appendChild(mark);
    }
  }

  private key(e: KeyboardEvent): void {
    if (e.target instanceof HTMLInputElement && e.target.type !== "range") return;
    const pb = this.pb;
    if (e.code === "Space") pb.toggle();
    else if (e.code === "ArrowLeft") pb.skip(-SKIP_S);
    else if (e.code === "ArrowRight") pb.skip(SKIP_S);
    else if (e.code === "ArrowUp") pb.step(1);
    else if (e.code === "ArrowDown") pb.step(-1);
    else if (/^Digit[0-9]$/.test(e.code)) {
      const n = Number(e.code.slice(5));
      this.scene.follow = n === 0 ? undefined : scoreRows(pb.state)[n - 1]?.id ?? this.scene.follow;
    } else return;
    e.preventDefault();
  }

  /** Called after every frame drawn. */
  private render(): void {
    const pb = this.pb;
    const state = pb.state;
    this.tick.textContent = String(pb.tick);
    this.time.textContent = `${clock(pb.secondsOf(pb.time))} / ${clock(pb.secondsOf(pb.lastTick))}`;
    if (document.activeElement !== this.timeline) this.timeline.value = String(pb.tick);
    this.play.textContent = pb.playing ? "Pause" : "Play";
    this.speed.textContent = `${pb.speed}×`;
    const rows = scoreRows(state);
    renderScoreboard(this.scoreboard, rows, this.scene.follow);
    const key = rows.map((r) => `${r.id}=${r.name}`).sort().join(",");
    if (key !== this.followKey) {
      this.followKey = key;
      const options = [new Option("Free camera (drag)", "")];
      for (const r of [...rows].sort((a, b) => a.name.localeCompare(b.name))) options.push(new Option(r.name, r.id));
      this.follow.replaceChildren(...options);
    }
    if (this.follow.value !== (this.scene.follow ?? "")) this.follow.value = this.scene.follow ?? "";
  }
}
