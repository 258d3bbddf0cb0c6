/** The mic button, the push-to-talk key, and the plain message shown when the microphone cannot be used. */
import type { MicProblem } from "../voice/micErrors.ts";
import type { VoiceChat } from "../voice/VoiceChat.ts";
import { byTestId } from "./dom.ts";

/** Hold to talk (turns voice on in push-to-talk mode the first time). */
export const PUSH_TO_TALK_KEY = "KeyV";

export class VoiceControls {
  private readonly button = byTestId<HTMLButtonElement>("mic-button");
  private readonly message = byTestId("voice-message");
  private readonly onClick = (): void => {
    if (this.voice.mode === "open") this.voice.disable();
    else void this.voice.enable("open");
  };

  constructor(private readonly voice: VoiceChat) {
    this.button.addEventListener("click", this.onClick);
    this.message.hidden = true;
    this.message.textContent = "";
    this.render();
  }

  /** Push-to-talk; returns true when the key was ours. */
  key(event: KeyboardEvent, down: boolean): boolean {
    if (event.code !== PUSH_TO_TALK_KEY || event.repeat) return event.code === PUSH_TO_TALK_KEY;
    this.voice.pushToTalk(down);
    return true;
  }

  /** Shows a microphone problem; the game goes on without voice. */
  problem(text: string, kind: MicProblem): void {
    this.message.textContent = text;
    this.message.dataset.kind = kind;
    this.message.hidden = false;
    this.render();
  }

  render(): void {
    const mode = this.voice.mode;
    const b = this.button;
    b.setAttribute("aria-pressed", String(mode === "open"));
    b.dataset.mode = mode;
    b.classList.toggle("on", this.voice.transmitting);
    b.textContent = mode === "open" ? "Mic on" : mode === "ptt" ? (this.voice.transmitting ? "Talking" : "Hold V to talk") : "Mic off";
    b.title = "Turn voice on or off (or hold V to talk)";
    if (mode !== "off") this.message.hidden = true;
  }

  dispose(): void {
    this.button.removeEventListener("click", this.onClick);
  }
}
