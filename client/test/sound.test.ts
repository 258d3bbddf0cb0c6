import { describe, expect, it } from "vitest";
import { ArenaState } from "@arena/shared";
import { MatchCues, cueOf } from "../src/audio/cues.ts";
import { loadSoundSettings, saveSoundSettings } from "../src/audio/sound.ts";

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.items.set(k, v);
  }
}

describe("sound cues", () => {
  it("tells my shots, hits given and taken, my death and my kills apart from others'", () => {
    expect(cueOf({ type: "shot", shooter: "me", tick: 1, x: 0, y: 0, angle: 0 }, "me")).toBe("shot");
    expect(cueOf({ type: "shot", shooter: "you", tick: 1, x: 0, y: 0, angle: 0 }, "me")).toBe("otherShot");
    expect(cueOf({ type: "hurt", target: "me", damage: 10 }, "me")).toBe("hitTaken");
    expect(cueOf({ type: "hurt", target: "you", damage: 10 }, "me")).toBeUndefined();
    expect(cueOf({ type: "landed", shooter: "me", firedAt: 3 }, "me")).toBe("hitGiven");
    expect(cueOf({ type: "kill", killer: "you", victim: "me" }, "me")).toBe("death");
    expect(cueOf({ type: "kill", killer: "me", victim: "you" }, "me")).toBe("kill");
  });

  it("beeps the last three seconds of the warm-up once each, then the start, then the end", () => {
    const s = new ArenaState();
    s.tickRate = 30;
    s.phase = "warmup";
    s.phaseEndsAt = 150;
    const cues = new MatchCues();
    const heard: string[] = [];
    for (let tick = 0; tick < 150; tick++) {
      s.tick = tick;
      const c = cues.update(s);
      if (c) heard.push(c);
    }
    s.phase = "playing";
    heard.push(cues.update(s) ?? "");
    s.phase = "results";
    heard.push(cues.update(s) ?? "");
    expect(heard).toEqual(["countdown", "countdown", "countdown", "go", "matchEnd"]);
  });

  it("keeps volume and mute across visits, and ignores a corrupt saved value", () => {
    const storage = new MemoryStorage();
    expect(loadSoundSettings(storage)).toEqual({ volume: 0.6, muted: false });
    saveSoundSettings(storage, { volume: 0.25, muted: true });
    expect(loadSoundSettings(storage)).toEqual({ volume: 0.25, muted: true });
    storage.setItem("arena.sound", "{not json");
    expect(loadSoundSettings(storage)).toEqual({ volume: 0.6, muted: false });
    storage.setItem("arena.sound", JSON.stringify({ volume: 7, muted: "yes" }));
    expect(loadSoundSettings(storage)).toEqual({ volume: 1, muted: false });
  });
});
