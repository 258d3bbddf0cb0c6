/**
 * The fuzzer's frames, one maker per kind: random bytes, every Colyseus
 * protocol code with a random body, real SDK frames with flipped bits or cut
 * short, our messages carrying msgpack values of the wrong types (encoded by
 * the SDK's own encoder), and frames at or over the server's size limit.
 */
import { Protocol, Room } from "@colyseus/sdk";
import { ClientMessage } from "@arena/shared";
import { Packr } from "msgpackr";

export const FRAME_KINDS = ["random", "protocol", "flipped", "truncated", "wrongType", "oversized"] as const;
export type FrameKind = (typeof FRAME_KINDS)[number];

/**
 * Share of each kind in a campaign. Wrong types and oversized frames always
 * get the sender dropped (a re-join each), so they are fewer; oversized ones
 * are big besides.
 */
export const KIND_WEIGHTS: Readonly<Record<FrameKind, number>> = {
  random: 30,
  protocol: 25,
  flipped: 16,
  truncated: 13,
  wrongType: 13,
  oversized: 3,
};

/** A frame the SDK sent for real, with what it was (e.g. "input", "chat", "leave"). */
export interface RecordedFrame {
  readonly label: string;
  readonly bytes: Uint8Array;
}

export interface Frame {
  readonly kind: FrameKind;
  readonly bytes: Uint8Array;
}

type Rand = () => number;

const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)]!;

function randomBytes(rand: Rand, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = int(rand, 256);
  return out;
}

/** Mostly short lengths, sometimes up to `max`: short frames reach more decoder branches per byte. */
function length(rand: Rand, max: number): number {
  return rand() < 0.8 ? int(rand, 24) : int(rand, max + 1);
}

/** Every base code the protocol defines (from the SDK's `Protocol`, not hand-typed). */
export const PROTOCOL_CODES: ReadonlyArray<readonly [string, number]> = Object.entries(Protocol);

/** The high three bits of a frame's first byte are modifier flags (e.g. TIMED on inputs). */
const MODIFIER_SHIFT = 5;

function deepNest(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Values of every msgpack type, and shapes our validators must refuse. */
function wrongValues(rand: Rand): unknown[] {
  const long = "x".repeat(1000 + int(rand, 2000));
  return [
    null, undefined, true, false, 0, -1, 255, 65_536, -(2 ** 31), 2 ** 53, 1.5, NaN, Infinity, -Infinity,
    "", "hello", long, "\u0000\uffff\ud800", [], [1, "two", null], {}, new Map<unknown, unknown>([[1, 2], ["a", [3]]]),
    new Uint8Array([1, 2, 3]), new Date(int(rand, 2 ** 31) * 1000), 123n, deepNest(50 + int(rand, 400)),
    Array.from({ length: 500 }, (_, i) => i), JSON.parse('{"__proto__":{"polluted":true},"constructor":1}') as unknown,
  ];
}

/** Payloads of the wrong type or shape for `type` (see server/src/rooms/messages.ts). */
function wrongPayload(rand: Rand, type: string): unknown {
  const value = pick(rand, wrongValues(rand));
  const field = type === ClientMessage.Chat ? "text" : "typing";
  switch (int(rand, 5)) {
    case 0: return value; // not an object at all
    case 1: return { [field]: value }; // the right field, a wrong value
    case 2: return { [field]: type === ClientMessage.Chat ? "ok" : true, extra: value }; // an extra field
    case 3: return { [field.toUpperCase()]: value }; // a near-miss name
    default: return type === ClientMessage.Chat ? { text: "y".repeat(1001 + int(rand, 4000)) } : { typing: value };
  }
}

/** Message types a room may not expect: ours, unknown ones, numbers, and names that shadow object members. */
const TYPES: ReadonlyArray<string | number> = [
  ClientMessage.Chat, ClientMessage.Typing, ClientMessage.Chat, ClientMessage.Typing,
  "input", "", "__proto__", "constructor", "toString", "hasOwnProperty", "*", "x".repeat(300), 0, -1, 4_294_967_295, 1.5,
];

/**
 * Frames as `room.send(type, payload)` writes them: the header from an SDK
 * room that is never connected (its `send` writes into a variable instead of
 * a socket), then the payload packed by msgpackr, the SDK's own packer. The
 * two are joined here because the SDK's single-buffer path throws on some
 * large payloads (a client-side limit, not something the server may rely on).
 */
function detachedEncoder(): (type: string | number, payload: unknown) => Uint8Array {
  const room = new Room("fuzz");
  let header = new Uint8Array(0);
  const connection = { isOpen: true, send: (data: Uint8Array) => (header = data.slice()) };
  (room as unknown as { connection: unknown }).connection = connection;
  const packr = new Packr();
  return (type, payload) => {
    (room.send as (t: string | number, p?: unknown) => void)(type);
    const body = payload === undefined ? new Uint8Array(0) : packr.pack(payload);
    const frame = new Uint8Array(header.length + body.length);
    frame.set(header, 0);
    frame.set(body, header.length);
    return frame;
  };
}

/** Makes frames of each kind from a seeded random source and the frames the SDK was seen sending. */
export class FrameMaker {
  private readonly encode = detachedEncoder();
  private readonly kinds: FrameKind[] = [];
  private nextCode = 0;

  constructor(
    private readonly rand: Rand,
    private readonly recorded: readonly RecordedFrame[],
    /** The server's frame limit (MAX_FRAME_BYTES): oversized frames are at it or over it. */
    private readonly maxFrameBytes: number,
  ) {
    if (recorded.length === 0) throw new Error("no recorded SDK frames to mutate");
    for (const kind of FRAME_KINDS) for (let i = 0; i < KIND_WEIGHTS[kind]; i++) this.kinds.push(kind);
  }

  next(): Frame {
    const kind = pick(this.rand, this.kinds);
    return { kind, bytes: this.make(kind) };
  }

  /**
   * A payload of arrays nested `depth` deep (msgpack 0x91 = an array of one),
   * deeper than any encoder here would write: the server's decoder must not
   * overflow its stack on it.
   */
  private nested(type: string | number, depth: number): Uint8Array {
    const header = this.encode(type, 0); // msgpack 0 is one byte, 0x00
    const frame = new Uint8Array(header.length + depth);
    frame.set(header.subarray(0, header.length - 1), 0);
    frame.fill(0x91, header.length - 1, header.length - 1 + depth);
    frame[frame.length - 1] = 0;
    return frame;
  }

  make(kind: FrameKind): Uint8Array {
    const rand = this.rand;
    switch (kind) {
      case "random":
        return randomBytes(rand, 1 + length(rand, 512));
      case "protocol": {
        // Round-robin over the codes so each gets its share, with random modifier bits now and then.
        const [, code] = PROTOCOL_CODES[this.nextCode++ % PROTOCOL_CODES.length]!;
        const body = randomBytes(rand, length(rand, 256));
        const frame = new Uint8Array(1 + body.length);
        frame[0] = code | (rand() < 0.25 ? int(rand, 8) << MODIFIER_SHIFT : 0);
        frame.set(body, 1);
        return frame;
      }
      case "flipped": {
        const frame = pick(rand, this.recorded).bytes.slice();
        const flips = 1 + int(rand, 3);
        for (let i = 0; i < flips; i++) frame[int(rand, frame.length)]! ^= 1 << int(rand, 8);
        return frame;
      }
      case "truncated": {
        const frame = pick(rand, this.recorded).bytes;
        return frame.slice(0, int(rand, frame.length));
      }
      case "wrongType": {
        const type = pick(rand, TYPES);
        if (rand() < 0.05) return this.nested(type, 1000 + int(rand, this.maxFrameBytes - 1100));
        return this.encode(type, wrongPayload(rand, typeof type === "string" ? type : ClientMessage.Chat));
      }
      case "oversized": {
        // Half exactly at the limit (accepted by the transport, then decoded), half over it (refused).
        const size = rand() < 0.5 ? this.maxFrameBytes : this.maxFrameBytes + 1 + int(rand, 3 * this.maxFrameBytes);
        const frame = randomBytes(rand, size);
        frame[0] = pick(rand, PROTOCOL_CODES)[1];
        return frame;
      }
    }
  }
}
