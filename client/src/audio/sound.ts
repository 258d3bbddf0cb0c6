/**
 * The game's sounds, synthesized with Web Audio (no files to download): each
 * cue is a short oscillator or noise burst with an envelope. The audio context
 * is created on the first user gesture (browsers keep it suspended until one)
 * and the volume and mute are kept in localStorage.
 */

export type Cue = "shot" | "otherShot" | "hitGiven" | "hitTaken" | "death" | "kill" | "countdown" | "go" | "matchEnd" | "heartbeat";

const STORAGE_KEY = "arena.sound";

export interface SoundSettings {
  /** 0..1 */
  volume: number;
  muted: boolean;
}

/** Reads the saved settings; anything unreadable falls back to the default. */
export function loadSoundSettings(storage: Pick<Storage, "getItem"> | undefined): SoundSettings {
  const fallback: SoundSettings = { volume: 0.6, muted: false };
  try {
    const raw = JSON.parse(storage?.getItem(STORAGE_KEY) ?? "null") as Partial<SoundSettings> | null;
    if (raw === null || typeof raw !== "object") return fallback;
    const volume = typeof raw.volume === "number" && Number.isFinite(raw.volume) ? Math.min(1, Math.max(0, raw.volume)) : fallback.volume;
    return { volume, muted: raw.muted === true };
  } catch {
    return fallback;
  }
}

export function saveSoundSettings(storage: Pick<Storage, "setItem"> | undefined, s: SoundSettings): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(s));
  } catch {
    // Private mode or a full quota: the setting lasts this visit only.
  }
}

interface Tone {
  type: OscillatorType | "noise";
  /** Start and end frequency, Hz (noise: the band-pass centre). */
  from: number;
  to: number;
  ms: number;
  gain: number;
}

/** Each cue as one or more tones (offset ms, tone). */
const CUES: Record<Cue, Array<[number, Tone]>> = {
  shot: [[0, { type: "square", from: 880, to: 220, ms: 70, gain: 0.18 }]],
  otherShot: [[0, { type: "square", from: 660, to: 200, ms: 60, gain: 0.07 }]],
  hitGiven: [[0, { type: "triangle", from: 1400, to: 1800, ms: 60, gain: 0.25 }]],
  hitTaken: [[0, { type: "noise", from: 300, to: 120, ms: 140, gain: 0.5 }]],
  death: [[0, { type: "sawtooth", from: 400, to: 60, ms: 500, gain: 0.25 }]],
  kill: [[0, { type: "triangle", from: 660, to: 660, ms: 80, gain: 0.25 }], [90, { type: "triangle", from: 990, to: 990, ms: 120, gain: 0.25 }]],
  countdown: [[0, { type: "sine", from: 660, to: 660, ms: 120, gain: 0.3 }]],
  go: [[0, { type: "sine", from: 990, to: 990, ms: 300, gain: 0.35 }]],
  // Low HP: a soft double thump ("lub-dub").
  heartbeat: [[0, { type: "sine", from: 70, to: 50, ms: 110, gain: 0.5 }], [160, { type: "sine", from: 60, to: 45, ms: 130, gain: 0.35 }]],
  matchEnd: [[0, { type: "triangle", from: 523, to: 523, ms: 160, gain: 0.3 }], [170, { type: "triangle", from: 659, to: 659, ms: 160, gain: 0.3 }], [340, { type: "triangle", from: 784, to: 784, ms: 320, gain: 0.3 }]],
};

export class Sound {
  private context: AudioContext | undefined;
  private master: GainNode | undefined;
  private noise: AudioBuffer | undefined;
  private settings: SoundSettings;

  constructor(private readonly storage: Storage | undefined) {
    this.settings = loadSoundSettings(storage);
  }

  /** Creates (or resumes) the audio context; call from a user gesture's handler. */
  unlock(): void {
    if (this.context === undefined) {
      const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (Ctor === undefined) return;
      this.context = new Ctor();
      this.master = this.context.createGain();
      this.master.connect(this.context.destination);
      this.applyVolume();
    }
    if (this.context.state === "suspended") void this.context.resume();
  }

  /** "none" before the first gesture, else the context's state. */
  get state(): AudioContextState | "none" {
    return this.context?.state ?? "none";
  }

  get volume(): number {
    return this.settings.volume;
  }

  get muted(): boolean {
    return this.settings.muted;
  }

  setVolume(volume: number): void {
    this.settings = { ...this.settings, volume: Math.min(1, Math.max(0, volume)) };
    this.persist();
  }

  setMuted(muted: boolean): void {
    this.settings = { ...this.settings, muted };
    this.persist();
  }

  play(cue: Cue): void {
    const ctx = this.context;
    if (ctx === undefined || ctx.state !== "running" || this.settings.muted || this.settings.volume === 0) return;
    for (const [offset, tone] of CUES[cue]) this.tone(ctx, tone, ctx.currentTime + offset / 1000);
  }

  private tone(ctx: AudioContext, t: Tone, at: number): void {
    const env = ctx.createGain();
    const end = at + t.ms / 1000;
    env.gain.setValueAtTime(t.gain, at);
    env.gain.exponentialRampToValueAtTime(0.001, end);
    env.connect(this.master!);
    if (t.type === "noise") {
      const src = ctx.createBufferSource();
      src.buffer = this.noise ??= noiseBuffer(ctx);
      const band = ctx.createBiquadFilter();
      band.type = "bandpass";
      band.frequency.setValueAtTime(t.from, at);
      band.frequency.exponentialRampToValueAtTime(t.to, end);
      src.connect(band).connect(env);
      src.start(at);
      src.stop(end);
      return;
    }
    const osc = ctx.createOscillator();
    osc.type = t.type;
    osc.frequency.setValueAtTime(t.from, at);
    osc.frequency.exponentialRampToValueAtTime(t.to, end);
    osc.connect(env);
    osc.start(at);
    osc.stop(end);
  }

  private persist(): void {
    saveSoundSettings(this.storage, this.settings);
    this.applyVolume();
  }

  private applyVolume(): void {
    if (this.master === undefined || this.context === undefined) return;
    this.master.gain.setValueAtTime(this.settings.muted ? 0 : this.settings.volume, this.context.currentTime);
  }
}

function noiseBuffer(ctx: AudioContext): AudioBuffer {
  const buffer = ctx.createBuffer(1, Math.floor(ctx.sampleRate * 0.5), ctx.sampleRate);
  const data = buffer.getChannelData(0);
  for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
  return buffer;
}
