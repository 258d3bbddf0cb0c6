/**
 * Two inputs in one websocket frame. Each input a client sends through the SDK (`room.input().send()`) is a
 * Colyseus reliable-input frame of its own (`[19 | TIMED][stamp][body]`, 3–12 bytes); at 30 a second the
 * server pays a socket read, a websocket frame and our frame guard for each. A pairing client holds every
 * other input frame back and sends it with the next one, as one frame:
 *
 *     [INPUT_PAIR_CODE][n = length of the first, 1 byte][first input frame: n bytes][second input frame]
 *
 * The server (frameLimit.ts) splits the pair and hands Colyseus the two frames, unchanged and in order, so
 * the stamps (render time), the acknowledgements and the one-input-per-step buffer see each input as they
 * would unpaired. What it costs: the held input reaches the server one step later (see docs/PROTOCOL.md).
 * Any other frame (a pong, chat, leaving) first sends a held input alone, so nothing is reordered.
 */

/** Protocol code of a pair frame: outside Colyseus' codes (10–22), inside its code mask. */
export const INPUT_PAIR_CODE = 30;
/** Colyseus' `Protocol.ROOM_INPUT_RELIABLE`: the code (low 6 bits) of each half of a pair. */
const ROOM_INPUT_RELIABLE = 19;
/** Colyseus' `PROTOCOL_CODE_MASK`: the modifier bits (TIMED) sit above it. */
const CODE_MASK = 0x1f;
/** The longest input frame a pair carries (one length byte; real ones are under 16 bytes). */
export const MAX_PAIRED_INPUT_BYTES = 255;

function isInputFrame(frame: Uint8Array): boolean {
  return frame.length > 0 && (frame[0]! & CODE_MASK) === ROOM_INPUT_RELIABLE;
}

/** One frame carrying `first` then `second` (both reliable-input frames). */
export function packInputPair(first: Uint8Array, second: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + first.length + second.length);
  out[0] = INPUT_PAIR_CODE;
  out[1] = first.length;
  out.set(first, 2);
  out.set(second, 2 + first.length);
  return out;
}

/** Whether a frame claims to be a pair (by its code; see splitInputPair for whether it is a well-formed one). */
export function isInputPair(frame: Uint8Array): boolean {
  return frame.length > 0 && (frame[0]! & CODE_MASK) === INPUT_PAIR_CODE;
}

/**
 * The two input frames of a pair, as views of `frame`; undefined when it is not a well-formed pair (a length
 * past its end, an empty half, or a half that is not a reliable-input frame).
 */
export function splitInputPair<T extends Uint8Array>(frame: T): [T, T] | undefined {
  if (frame.length < 4 || frame[0] !== INPUT_PAIR_CODE) return undefined;
  const n = frame[1]!;
  if (n === 0 || 2 + n >= frame.length) return undefined;
  const first = frame.subarray(2, 2 + n) as T;
  const second = frame.subarray(2 + n) as T;
  return isInputFrame(first) && isInputFrame(second) ? [first, second] : undefined;
}

/** The part of an SDK connection a pairer wraps. */
export interface SendingConnection {
  send(data: Uint8Array): void;
  readonly isOpen?: boolean;
}

/**
 * Makes `connection` send its input frames two to a frame; returns a function that undoes the wrapping and
 * sends a held input (`"flush"`) or forgets it (`"drop"`: after a reconnection, when the SDK has started its
 * inputs and their stamps afresh and an old one would corrupt the server's stamp baseline). A held input goes
 * out alone if no other input follows within `holdMs` (a client that stopped stepping) or before any other
 * frame, and is forgotten if the connection closed meanwhile. It is copied when held: the SDK reuses its buffer.
 */
export function pairInputs(connection: SendingConnection, holdMs: number): (held: "flush" | "drop") => void {
  const send = connection.send;
  let held: Uint8Array | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const h = held;
    held = undefined;
    if (h !== undefined && connection.isOpen !== false) send.call(connection, h);
  };
  connection.send = (data: Uint8Array): void => {
    if (!isInputFrame(data) || data.length > MAX_PAIRED_INPUT_BYTES) {
      flush();
      send.call(connection, data);
    } else if (held === undefined) {
      held = data.slice();
      timer = setTimeout(flush, holdMs);
    } else {
      const first = held;
      held = undefined;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      send.call(connection, packInputPair(first, data));
    }
  };
  return (what) => {
    if (what === "drop") held = undefined;
    flush();
    connection.send = send;
  };
}
