/**
 * Touch controls: twin floating sticks on a layer over the game. A finger
 * that lands on the left half of the screen is the move stick, one on the
 * right half the aim-and-fire stick; each stick is centred where its finger
 * came down. The sticks show on devices with a touch screen (or after the
 * first touch), only while playing; the HUD's buttons and chat keep their touches.
 */
import { STICK_RADIUS_PX, aimFromStick, moveFromStick } from "./sticks.ts";

interface Stick {
  id: number;
  cx: number;
  cy: number;
  dx: number;
  dy: number;
  base: HTMLElement;
  knob: HTMLElement;
}

export interface TouchCommand {
  mx: number;
  my: number;
  aim: number;
  fire: boolean;
}

export class TouchSticks {
  private move: Stick | undefined;
  private look: Stick | undefined;
  private aim = 0;
  private used = false;
  private readonly command: TouchCommand = { mx: 0, my: 0, aim: 0, fire: false };

  constructor(private readonly layer: HTMLElement) {
    // Touches are taken from the page (the layer only draws, so a mouse still reaches the game beneath it).
    const opts = { passive: false } as const;
    window.addEventListener("touchstart", (e) => this.onTouch(e, "start"), opts);
    window.addEventListener("touchmove", (e) => this.onTouch(e, "move"), opts);
    window.addEventListener("touchend", (e) => this.onTouch(e, "end"), opts);
    window.addEventListener("touchcancel", (e) => this.onTouch(e, "end"), opts);
  }

  /** True on a touch screen, or once it has been touched. */
  get available(): boolean {
    return this.used || navigator.maxTouchPoints > 0 || matchMedia("(pointer: coarse)").matches;
  }

  /** Shows the layer while playing on a touch screen; releases the sticks otherwise. */
  show(playing: boolean): void {
    const visible = playing && this.available;
    if (this.layer.hidden === !visible) return;
    this.layer.hidden = !visible;
    if (!visible) this.release();
  }

  /** What the sticks say now, or undefined when no stick has been touched since the sticks were shown. */
  read(): TouchCommand | undefined {
    if (this.layer.hidden || (!this.used && this.move === undefined && this.look === undefined)) return undefined;
    // Written into the one command object (nothing allocated per frame).
    const c = this.command;
    if (this.move === undefined) {
      c.mx = 0;
      c.my = 0;
    } else moveFromStick(this.move.dx, this.move.dy, c);
    if (this.look === undefined) {
      c.aim = this.aim;
      c.fire = false;
    } else aimFromStick(this.look.dx, this.look.dy, this.aim, c);
    this.aim = c.aim;
    return c;
  }

  private onTouch(e: TouchEvent, phase: "start" | "move" | "end"): void {
    this.used = true; // a phone whose browser reports no touch points
    if (this.layer.hidden) return;
    let mine = false;
    for (const t of Array.from(e.changedTouches)) {
      if (phase === "start") {
        // The HUD's buttons and the chat input keep their touches.
        if (t.target instanceof Element && t.target.closest("input, button, a, select, textarea, table") !== null) continue;
        mine = true;
        const left = t.clientX < window.innerWidth / 2;
        if (left && this.move === undefined) this.move = this.stick(t, "move");
        else if (!left && this.look === undefined) this.look = this.stick(t, "aim");
        continue;
      }
      const stick = this.move?.id === t.identifier ? this.move : this.look?.id === t.identifier ? this.look : undefined;
      if (stick === undefined) continue;
      mine = true;
      if (phase === "move") {
        stick.dx = t.clientX - stick.cx;
        stick.dy = t.clientY - stick.cy;
        const d = Math.hypot(stick.dx, stick.dy);
        const k = d > STICK_RADIUS_PX ? STICK_RADIUS_PX / d : 1;
        stick.knob.style.transform = `translate(${stick.dx * k}px, ${stick.dy * k}px)`;
      } else {
        this.drop(stick);
      }
    }
    if (mine && e.cancelable) e.preventDefault(); // no scrolling, zooming or synthesized mouse events
  }

  private stick(t: Touch, kind: string): Stick {
    const base = document.createElement("div");
    base.className = `stick stick-${kind}`;
    base.dataset.testid = `stick-${kind}`;
    base.style.left = `${t.clientX - STICK_RADIUS_PX}px`;
    base.style.top = `${t.clientY - STICK_RADIUS_PX}px`;
    const knob = document.createElement("div");
    knob.className = "knob";
    base.append(knob);
    this.layer.append(base);
    return { id: t.identifier, cx: t.clientX, cy: t.clientY, dx: 0, dy: 0, base, knob };
  }

  private drop(stick: Stick): void {
    stick.base.remove();
    if (stick === this.move) this.move = undefined;
    if (stick === this.look) this.look = undefined;
  }

  private release(): void {
    if (this.move) this.drop(this.move);
    if (this.look) this.drop(this.look);
  }
}
