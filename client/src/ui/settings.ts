/**
 * The player's display settings, remembered in the browser (localStorage `arena.settings`): reduced motion (no
 * camera shake, fewer particles; on by default when the system asks for reduced motion) and a colour-blind-safe
 * palette. The volume is the sound's own (audio/sound.ts keeps it). Modules that draw read `settings` as they
 * draw, so a change applies at once.
 */
export type PaletteName = "standard" | "colorblind";

export interface Settings {
  reducedMotion: boolean;
  palette: PaletteName;
}

const KEY = "arena.settings";

/** The settings stored in `storage`, else the defaults (reduced motion as the system prefers). */
export function loadSettings(storage: Storage | undefined, systemReducedMotion: boolean): Settings {
  const defaults: Settings = { reducedMotion: systemReducedMotion, palette: "standard" };
  let raw: unknown;
  try {
    raw = JSON.parse(storage?.getItem(KEY) ?? "null");
  } catch {
    return defaults;
  }
  if (typeof raw !== "object" || raw === null) return defaults;
  const r = raw as Partial<Record<keyof Settings, unknown>>;
  return {
    reducedMotion: typeof r.reducedMotion === "boolean" ? r.reducedMotion : defaults.reducedMotion,
    palette: r.palette === "colorblind" || r.palette === "standard" ? r.palette : defaults.palette,
  };
}

export function saveSettings(storage: Storage | undefined, s: Settings): void {
  try {
    storage?.setItem(KEY, JSON.stringify(s));
  } catch {
    // A browser that refuses storage (quota, private mode) keeps the settings for this visit only.
  }
}

/** The settings in force (read by the drawing code each frame or effect). */
export const settings: Settings = { reducedMotion: false, palette: "standard" };

const listeners: Array<(s: Settings) => void> = [];

/** Calls `listener` now and after every change. */
export function onSettings(listener: (s: Settings) => void): void {
  listeners.push(listener);
  listener(settings);
}

/** Applies `next`, remembers it in `storage`, and tells the listeners. */
export function applySettings(next: Settings, storage: Storage | undefined): void {
  Object.assign(settings, next);
  saveSettings(storage, settings);
  for (const l of listeners) l(settings);
}
