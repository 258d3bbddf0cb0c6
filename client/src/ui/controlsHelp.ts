/**
 * The first minute: on a person's first match in this browser, a short card
 * with the controls for this device (keys and mouse, or the twin sticks on a
 * touch screen) shows over the game, and goes away on the first move. That it
 * was seen is kept in localStorage, so it does not come back on the next visit.
 */
import { byTestId } from "./dom.ts";

export const CONTROLS_SEEN_KEY = "arena.controlsSeen";

/** The lines of the card for a touch screen or for keys and mouse. */
export function controlsFor(touch: boolean): readonly string[] {
  return touch
    ? ["Left thumb: drag to move", "Right thumb: drag to aim — you fire while you hold it", "Move to start"]
    : ["WASD or arrow keys: move", "Mouse: aim · click or hold: fire", "Tab: scores · Enter: chat", "Move to start"];
}

/** Whether the card was already seen here (storage unreadable: treated as seen, so it never nags). */
export function controlsSeen(storage: Pick<Storage, "getItem"> | undefined): boolean {
  try {
    return storage === undefined || storage.getItem(CONTROLS_SEEN_KEY) !== null;
  } catch {
    return true;
  }
}

function markSeen(storage: Pick<Storage, "setItem"> | undefined): void {
  try {
    storage?.setItem(CONTROLS_SEEN_KEY, "1");
  } catch {
    // Private mode or a full quota: it shows again next visit, nothing worse.
  }
}

/** What the card should do this frame. */
export type HelpStep = "hidden" | "show" | "shown" | "dismiss";

/**
 * Decides the card from frame to frame: shown when a first-time player is in
 * play, dismissed (and remembered) on their first move; afterwards hidden.
 */
export class ControlsHelpState {
  private showing = false;
  private done: boolean;

  constructor(private readonly storage: Pick<Storage, "getItem" | "setItem"> | undefined) {
    this.done = controlsSeen(storage);
  }

  /** `playing`: the player is alive in a room; `moved`: a move input is held this frame. */
  step(playing: boolean, moved: boolean): HelpStep {
    if (this.done) return "hidden";
    if (!this.showing) {
      if (!playing) return "hidden";
      this.showing = true;
      return "show";
    }
    if (!moved) return "shown";
    this.showing = false;
    this.done = true;
    markSeen(this.storage);
    return "dismiss";
  }

  /** The player left the room with the card still up: it is hidden, and shows again in the next room. */
  leave(): boolean {
    const was = this.showing;
    this.showing = false;
    return was;
  }
}

/** The card on the page (data-testid="controls-help"), driven by ControlsHelpState. */
export class ControlsHelp {
  private readonly state: ControlsHelpState;

  constructor(storage: Storage | undefined, private readonly touch: () => boolean) {
    this.state = new ControlsHelpState(storage);
  }

  frame(playing: boolean, moved: boolean): void {
    const step = this.state.step(playing, moved);
    if (step === "show") {
      const el = byTestId("controls-help");
      const lines = controlsFor(this.touch());
      el.replaceChildren(...lines.map((line) => Object.assign(document.createElement("p"), { textContent: line })));
      el.dataset.device = this.touch() ? "touch" : "keys";
      el.hidden = false;
    } else if (step === "dismiss") {
      byTestId("controls-help").hidden = true;
    }
  }

  leave(): void {
    if (this.state.leave()) byTestId("controls-help").hidden = true;
  }
}
