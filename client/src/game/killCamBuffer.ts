/**
 * The last seconds as this page drew them, for the kill-cam: each recorded
 * frame holds every player where the scene drew it (interpolated in the past
 * for others, predicted for this player), with aim, health and state, and
 * every projectile in flight with its trail. A ring of typed arrays allocated
 * once: recording a frame allocates nothing (a player's first frame adds one
 * map entry), so it can run on every drawn frame.
 */

/** Players a frame holds (MAX_PLAYERS seats, plus room for people who left while their frames are kept). */
export const KILLCAM_SLOTS = 24;
/** Projectiles a frame holds (16 players × 5 shots/s × 0.8 s of flight = 64 at the very most; 48 in practice is plenty). */
export const KILLCAM_SHOTS = 48;
/** Frames kept: at one frame per KILLCAM_FRAME_MS at least 7.5 s, the window before a death and the replay after it. */
export const KILLCAM_FRAMES = 480;
/** Frames closer together than this are not recorded (a 120 Hz screen records every other frame). */
export const KILLCAM_FRAME_MS = 1000 / 60 - 1;

/** Per player and frame. */
export const Flag = { Present: 1, Alive: 2, Me: 4, Shielded: 8, Disconnected: 16 } as const;

/** Floats per recorded projectile: x, y, angle, trail length. */
const SHOT_FIELDS = 4;

export class KillCamBuffer {
  /** Frame times (the scene's clock, ms). */
  private readonly time = new Float64Array(KILLCAM_FRAMES);
  /** Frame sequence numbers (a slot's data counts only from the frame its current player took it). */
  private readonly seq = new Float64Array(KILLCAM_FRAMES);
  readonly x = new Float32Array(KILLCAM_FRAMES * KILLCAM_SLOTS);
  readonly y = new Float32Array(KILLCAM_FRAMES * KILLCAM_SLOTS);
  readonly aim = new Float32Array(KILLCAM_FRAMES * KILLCAM_SLOTS);
  readonly hp = new Uint8Array(KILLCAM_FRAMES * KILLCAM_SLOTS);
  readonly flags = new Uint8Array(KILLCAM_FRAMES * KILLCAM_SLOTS);
  readonly shotCount = new Uint16Array(KILLCAM_FRAMES);
  readonly shots = new Float32Array(KILLCAM_FRAMES * KILLCAM_SHOTS * SHOT_FIELDS);
  /** Who holds each slot now, and how they are shown. */
  readonly ids: string[] = new Array<string>(KILLCAM_SLOTS).fill("");
  readonly names: string[] = new Array<string>(KILLCAM_SLOTS).fill("");
  readonly colors = new Uint8Array(KILLCAM_SLOTS);
  readonly bots = new Uint8Array(KILLCAM_SLOTS);
  /** Sequence number of the first frame of the slot's current player. */
  private readonly since = new Float64Array(KILLCAM_SLOTS);
  /** Sequence number of the last frame the slot's player was recorded in. */
  private readonly lastSeen = new Float64Array(KILLCAM_SLOTS).fill(-1);
  private readonly slotOf = new Map<string, number>();
  private head = -1;
  private count = 0;
  private nextSeq = 0;
  private recording = false;
  private lastAt = -Infinity;

  /** Starts a frame at `t` (ms); false (and nothing recorded until the next begin) when too soon after the last one. */
  begin(t: number): boolean {
    if (t - this.lastAt < KILLCAM_FRAME_MS) {
      this.recording = false;
      return false;
    }
    this.lastAt = t;
    this.head = (this.head + 1) % KILLCAM_FRAMES;
    if (this.count < KILLCAM_FRAMES) this.count++;
    const f = this.head;
    this.time[f] = t;
    this.seq[f] = this.nextSeq++;
    this.flags.fill(0, f * KILLCAM_SLOTS, (f + 1) * KILLCAM_SLOTS);
    this.shotCount[f] = 0;
    this.recording = true;
    return true;
  }

  /** Ends the frame begun last: nothing more is written into it. */
  end(): void {
    this.recording = false;
  }

  /** One player as drawn in the frame being recorded. */
  player(id: string, name: string, color: number, bot: boolean, x: number, y: number, aim: number, hp: number, flags: number): void {
    if (!this.recording) return;
    const s = this.slotFor(id);
    this.names[s] = name;
    this.colors[s] = color;
    this.bots[s] = bot ? 1 : 0;
    this.lastSeen[s] = this.seq[this.head]!;
    const i = this.head * KILLCAM_SLOTS + s;
    this.x[i] = x;
    this.y[i] = y;
    this.aim[i] = aim;
    this.hp[i] = hp;
    this.flags[i] = flags | Flag.Present;
  }

  /** One projectile as drawn in the frame being recorded (beyond KILLCAM_SHOTS they are dropped). */
  shot(x: number, y: number, angle: number, trail: number): void {
    if (!this.recording) return;
    const f = this.head;
    const n = this.shotCount[f]!;
    if (n >= KILLCAM_SHOTS) return;
    const i = (f * KILLCAM_SHOTS + n) * SHOT_FIELDS;
    this.shots[i] = x;
    this.shots[i + 1] = y;
    this.shots[i + 2] = angle;
    this.shots[i + 3] = trail;
    this.shotCount[f] = n + 1;
  }

  /** Frames held. */
  get size(): number {
    return this.count;
  }

  /** Ring index of the i-th frame held, oldest first. */
  frame(i: number): number {
    return (this.head - this.count + 1 + i + KILLCAM_FRAMES) % KILLCAM_FRAMES;
  }

  /** Time of the i-th frame held (oldest first). */
  timeOf(i: number): number {
    return this.time[this.frame(i)]!;
  }

  /** Time of the oldest frame held (NaN when empty). */
  get oldest(): number {
    return this.count === 0 ? NaN : this.timeOf(0);
  }

  /**
   * Where `t` falls among the frames held: i + k with frame i at or before t and k in [0, 1) of the way to
   * frame i + 1; clamped to the oldest and newest frames. -1 when nothing is held.
   */
  locate(t: number): number {
    if (this.count === 0) return -1;
    if (t <= this.timeOf(0)) return 0;
    const last = this.count - 1;
    if (t >= this.timeOf(last)) return last;
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.timeOf(mid) <= t) lo = mid;
      else hi = mid;
    }
    const a = this.timeOf(lo);
    return lo + (t - a) / (this.timeOf(hi) - a);
  }

  /** The slot `id` holds now, or -1. */
  slotOfId(id: string): number {
    return this.slotOf.get(id) ?? -1;
  }

  /** Whether slot `s` holds, in ring frame `f`, the player who holds it now. */
  present(f: number, s: number): boolean {
    return (this.flags[f * KILLCAM_SLOTS + s]! & Flag.Present) !== 0 && this.seq[f]! >= this.since[s]!;
  }

  /** Forgets everything (a new room). */
  clear(): void {
    this.head = -1;
    this.count = 0;
    this.lastAt = -Infinity;
    this.recording = false;
    this.slotOf.clear();
    this.ids.fill("");
    this.lastSeen.fill(-1);
  }

  /** The slot of `id`: its own, a free one, or the one whose player was seen longest ago. */
  private slotFor(id: string): number {
    const known = this.slotOf.get(id);
    if (known !== undefined) return known;
    let pick = 0;
    for (let s = 0; s < KILLCAM_SLOTS; s++) {
      if (this.lastSeen[s]! < this.lastSeen[pick]!) pick = s;
    }
    const previous = this.ids[pick]!;
    if (previous !== "") this.slotOf.delete(previous);
    this.ids[pick] = id;
    this.slotOf.set(id, pick);
    this.since[pick] = this.seq[this.head]!;
    return pick;
  }
}
