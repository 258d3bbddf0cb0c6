/** Display settings (client/src/ui/settings.ts) and the palette that follows them (client/src/game/palette.ts). */
import { afterEach, describe, expect, it } from "vitest";
import { applySettings, loadSettings, settings } from "../src/ui/settings.ts";
import { COLORBLIND_PLAYER_COLORS, COLORS, PLAYER_COLORS, playerColor } from "../src/game/palette.ts";

/** A Storage that keeps items in a Map (Node has no localStorage). */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() { return items.size; },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, String(v)),
  };
}

afterEach(() => applySettings({ reducedMotion: false, palette: "standard" }, undefined));

describe("display settings", () => {
  it("start from the system's reduced-motion wish and the standard palette, and come back as they were saved", () => {
    const storage = memoryStorage();
    expect(loadSettings(storage, true)).toEqual({ reducedMotion: true, palette: "standard" });
    expect(loadSettings(storage, false)).toEqual({ reducedMotion: false, palette: "standard" });
    applySettings({ reducedMotion: false, palette: "colorblind" }, storage);
    // Saved: the choice wins over the system's wish on the next visit.
    expect(loadSettings(storage, true)).toEqual({ reducedMotion: false, palette: "colorblind" });
  });

  it("ignore what is not theirs in storage: garbage, other types, unknown palettes", () => {
    const storage = memoryStorage();
    storage.setItem("arena.settings", "{not json");
    expect(loadSettings(storage, false)).toEqual({ reducedMotion: false, palette: "standard" });
    storage.setItem("arena.settings", JSON.stringify({ reducedMotion: "yes", palette: "neon" }));
    expect(loadSettings(storage, true)).toEqual({ reducedMotion: true, palette: "standard" });
    expect(loadSettings(undefined, false)).toEqual({ reducedMotion: false, palette: "standard" });
  });

  it("switch players' colours and the health bar to the colour-blind-safe set at once", () => {
    expect(playerColor(2)).toBe(PLAYER_COLORS[2]);
    const hp = COLORS.hp;
    applySettings({ reducedMotion: settings.reducedMotion, palette: "colorblind" }, undefined);
    expect(playerColor(2)).toBe(COLORBLIND_PLAYER_COLORS[2]);
    expect(playerColor(18)).toBe(COLORBLIND_PLAYER_COLORS[2]);
    expect(COLORS.hp).not.toBe(hp);
  });
});
