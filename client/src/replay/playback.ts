/**
 * The replay viewer's clock over a recording: where playback is (a fractional tick), how fast, whether it
 * runs, and the decoded state at the tick shown. Moving forward a little plays the patches on from the
 * cursor; moving back, or far ahead, seeks (the nearest keyframe, then at most one keyframe interval of
 * patches: ReplayReader.seek). No drawing here: ReplayScene draws `state`.
 */
import type { ArenaState } from "@arena/shared";
import type { ReplayCursor, ReplayReader } from "@arena/shared/replay";

/** The speeds offered, slowest first. */
export const SPEEDS = [0.25, 0.5, 1, 2, 4] as const;

export class Playback {
  private cursor: ReplayCursor;
  /** Where playback is, in ticks (fractional between two). */
  private at: number;
  playing = true;
  speed = 1;
  /** Bumped whenever `state` is another object or jumped (a seek): drawing starts its events afresh. */
  generation = 0;

  constructor(readonly reader: ReplayReader) {
    this.at = reader.firstTick;
    this.cursor = reader.seek(this.at);
  }

  get firstTick(): number {
    return this.reader.firstTick;
  }

  get lastTick(): number {
    return this.reader.lastTick;
  }

  get tickRate(): number {
    return this.reader.header.tickRate;
  }

  /** The fractional tick playback is at. */
  get time(): number {
    return this.at;
  }

  /** The tick of the state decoded (the whole tick at or before `time`). */
  get tick(): number {
    return this.cursor.tick;
  }

  get state(): ArenaState {
    return this.cursor.state;
  }

  /** Seconds from the recording's start to `tick`. */
  secondsOf(tick: number): number {
    return (tick - this.firstTick) / this.tickRate;
  }

  /** The tick `seconds` after the recording's start, within it. */
  tickAt(seconds: number): number {
    return this.clamp(this.firstTick + seconds * this.tickRate);
  }

  /** Runs the clock `ms` of wall time on at the current speed; it stops at the end. */
  run(ms: number): void {
    if (!this.playing) return;
    const to = this.at + (ms / 1000) * this.tickRate * this.speed;
    if (to >= this.lastTick) this.playing = false;
    this.go(to);
  }

  /** Shows `tick` (clamped to the recording): forward within a keyframe interval plays on, otherwise seeks. */
  seek(tick: number): void {
    this.go(tick);
  }

  /** Seeks by `seconds` (negative: back). */
  skip(seconds: number): void {
    this.go(this.at + seconds * this.tickRate);
  }

  toggle(): void {
    // At the end, play starts over.
    if (!this.playing && this.at >= this.lastTick) this.go(this.firstTick);
    this.playing = !this.playing;
  }

  /** The next speed up (+1) or down (-1) the list. */
  step(direction: 1 | -1): void {
    const i = SPEEDS.indexOf(this.speed as (typeof SPEEDS)[number]);
    this.speed = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (i < 0 ? 2 : i) + direction))]!;
  }

  private clamp(tick: number): number {
    return Math.min(this.lastTick, Math.max(this.firstTick, tick));
  }

  private go(to: number): void {
    const target = this.clamp(to);
    const whole = Math.floor(target);
    const ahead = whole - this.cursor.tick;
    if (ahead >= 0 && ahead <= this.reader.header.keyframeTicks) {
      if (this.cursor.advance(whole)) this.generation++;
    } else {
      this.cursor = this.reader.seek(whole);
      this.generation++;
    }
    this.at = target;
  }
}
