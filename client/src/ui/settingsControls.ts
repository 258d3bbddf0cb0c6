/** The lobby's display settings (settings.ts): reduced motion and the colour-blind-safe palette, remembered in the browser. */
import { applySettings, loadSettings, onSettings, type PaletteName } from "./settings.ts";
import { byTestId } from "./dom.ts";

/** Loads the remembered settings (or the system's reduced-motion wish) and binds the lobby's controls to them. */
export function bindSettingsControls(storage: Storage | undefined): void {
  const systemReduced = typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;
  const motion = byTestId<HTMLInputElement>("settings-reduced-motion");
  const palette = byTestId<HTMLSelectElement>("settings-palette");
  applySettings(loadSettings(storage, systemReduced), storage);
  onSettings((s) => {
    motion.checked = s.reducedMotion;
    palette.value = s.palette;
  });
  motion.addEventListener("change", () => applySettings({ reducedMotion: motion.checked, palette: palette.value as PaletteName }, storage));
  palette.addEventListener("change", () => applySettings({ reducedMotion: motion.checked, palette: palette.value as PaletteName }, storage));
}
