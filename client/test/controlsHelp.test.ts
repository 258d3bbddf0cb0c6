import { describe, expect, it } from "vitest";
import { CONTROLS_SEEN_KEY, ControlsHelpState, controlsFor, controlsSeen } from "../src/ui/controlsHelp.ts";

function memoryStorage(): Pick<Storage, "getItem" | "setItem"> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe("first-visit controls card", () => {
  it("shows once a first-timer is in play, stays until the first move, then is remembered and never shows again", () => {
    const storage = memoryStorage();
    const help = new ControlsHelpState(storage);
    expect(help.step(false, false)).toBe("hidden"); // not in play yet (dead, or results)
    expect(help.step(true, false)).toBe("show");
    expect(help.step(true, false)).toBe("shown");
    expect(help.step(true, true)).toBe("dismiss");
    expect(storage.data.get(CONTROLS_SEEN_KEY)).toBe("1");
    expect(help.step(true, false)).toBe("hidden");
    expect(new ControlsHelpState(storage).step(true, false)).toBe("hidden");
  });

  it("leaving before moving hides it and shows it again in the next room, still unremembered", () => {
    const storage = memoryStorage();
    const help = new ControlsHelpState(storage);
    expect(help.step(true, false)).toBe("show");
    expect(help.leave()).toBe(true);
    expect(storage.data.size).toBe(0);
    expect(help.step(true, false)).toBe("show");
  });

  it("a browser that refuses storage is treated as having seen it (it never nags)", () => {
    expect(controlsSeen(undefined)).toBe(true);
    expect(controlsSeen({ getItem: () => { throw new Error("denied"); } })).toBe(true);
  });

  it("names the controls of the device: keys and mouse, or the twin sticks", () => {
    expect(controlsFor(false).join(" ")).toMatch(/WASD.*Mouse/);
    expect(controlsFor(true).join(" ")).toMatch(/Left thumb.*Right thumb/);
  });
});
