/** How a player's input is bounded and buffered before the step reads it. */
import { MOVE_SCALE, PlayerInput, wrapAngle, type InputCommand } from "@arena/shared";

/**
 * Inputs buffered per player: ~670 ms at 30 Hz; older ones are dropped if a
 * client floods. Long enough for the burst after one TCP retransmission
 * (max(200 ms, 1.5 × RTT) plus the inputs already queued) up to ~350 ms RTT:
 * with 10, a 375 ms stall at 250 ms RTT dropped the burst's oldest inputs, and
 * a shot among them was never fired.
 */
export const MAX_BUFFERED_INPUTS = 20;

/**
 * The input type the room decodes into. On Colyseus' own input path (a socket
 * whose frames the room does not take itself: inputWire.ts) it buffers a clone
 * of each decoded input; the step only reads four numbers from it, so the clone
 * is a plain object, as the direct path's copies are: a change-tracked schema
 * clone per input costs allocation the step never uses.
 */
export class BufferedPlayerInput extends PlayerInput {
  override clone(): this {
    const copy: InputCommand = { mx: this.mx, my: this.my, aim: this.aim, fire: this.fire };
    return copy as this;
  }
}

/** Clamps a decoded input in place to what a real controller can produce. */
export function sanitizeInput(i: InputCommand): void {
  i.mx = Math.max(-MOVE_SCALE, Math.min(MOVE_SCALE, i.mx | 0));
  i.my = Math.max(-MOVE_SCALE, Math.min(MOVE_SCALE, i.my | 0));
  i.aim = wrapAngle(i.aim);
  i.fire = i.fire === true;
}
