/** The HUD's volume slider and mute button, and the first gesture that lets sound start. */
import type { Sound } from "../audio/sound.ts";
import { byTestId } from "./dom.ts";

export function bindSoundControls(sound: Sound): void {
  const volume = byTestId<HTMLInputElement>("volume");
  const mute = byTestId<HTMLButtonElement>("mute");
  const render = (): void => {
    volume.value = String(sound.volume);
    mute.textContent = sound.muted ? "Unmute" : "Mute";
    mute.setAttribute("aria-pressed", String(sound.muted));
  };
  volume.addEventListener("input", () => sound.setVolume(Number(volume.value)));
  mute.addEventListener("click", () => {
    sound.setMuted(!sound.muted);
    render();
  });
  render();
  // Browsers start audio only from a user gesture: the first click, key or touch creates the context.
  const unlock = (): void => {
    sound.unlock();
    if (sound.state === "running") for (const type of GESTURES) window.removeEventListener(type, unlock, true);
  };
  for (const type of GESTURES) window.addEventListener(type, unlock, true);
}

const GESTURES = ["pointerdown", "keydown", "touchend"] as const;
