/**
 * Playback of a recording (format.ts), in Node and in the browser: `ReplayReader.open` checks the whole
 * file (framing, every chunk's SHA-256, every segment inflates and parses, nothing missing) before
 * anything is shown, and refuses a corrupted, truncated or unfinished one with a ReplayError; `seek`
 * decodes the nearest keyframe at or before a tick, checks its state hash, then applies the patches up
 * to that tick; a cursor plays forward from there, checking the state it built against each keyframe
 * it passes.
 */
import { Decoder, Reflection } from "@colyseus/schema";
import { strFromU8 } from "fflate";
import type { ArenaState } from "../wire/schema.ts";
import { ChunkKind, RecordKind, SEGMENT_FRESH, type ReplayEnd, type ReplayEvent, type ReplayFormat, type ReplayHeader } from "./format.ts";
import {
  ReplayError, equalBytes, fileFormat, readChunks, readJsonChunk, readSegmentBody, readSegmentHead,
  type SegmentBody, type SegmentHead, type SegmentRecord,
} from "./framing.ts";
import { hex, stateHashOf } from "./stateHash.ts";

/** One keyframe of the index: where a seek can start. */
export interface KeyframeEntry {
  readonly keyTick: number;
  /** Last tick the segment it starts has a record for. */
  readonly lastTick: number;
  /** It starts a new patch stream (a takeover, or a stretch nobody was sent patches): see SEGMENT_FRESH. */
  readonly fresh: boolean;
  readonly stateHash: Uint8Array;
}

interface Segment {
  readonly head: SegmentHead;
  readonly body: SegmentBody;
  /** Patch records only, in order. */
  readonly patches: readonly SegmentRecord[];
}

/** A decoded state at some tick; `advance` plays forward. */
export interface ReplayCursor {
  /** The decoded state (reflected from the recording's handshake, as the SDK does for a room). */
  readonly state: ArenaState;
  /** Its decoder (for `getDecoderStateCallbacks`); replaced, with `state`, when a fresh keyframe is crossed. */
  readonly decoder: Decoder<ArenaState>;
  /** The tick the state is at. */
  readonly tick: number;
  /**
   * Plays forward to `tick` (not back: seek for that). Returns true when the state object was replaced
   * (a fresh keyframe was crossed: a takeover or a gap); false when it was patched in place.
   */
  advance(tick: number): boolean;
}

export class ReplayReader {
  /** Every keyframe, in tick order. */
  readonly keyframes: readonly KeyframeEntry[];
  /** The match's events, in tick order. */
  readonly events: readonly ReplayEvent[];

  private constructor(
    readonly header: ReplayHeader,
    readonly end: ReplayEnd,
    private readonly segments: readonly Segment[],
    private readonly handshake: Uint8Array,
    /** Bytes of the recording. */
    readonly bytes: number,
  ) {
    this.keyframes = segments.map((s) => ({ keyTick: s.head.keyTick, lastTick: s.head.lastTick, fresh: (s.head.flags & SEGMENT_FRESH) !== 0, stateHash: s.head.stateHash }));
    const events: ReplayEvent[] = [];
    for (const s of segments) {
      for (const r of s.body.records) if (r.kind === RecordKind.Event) events.push(parseEvent(r, s.head.keyTick));
    }
    this.events = events;
  }

  /** Checks and indexes a whole recording; throws a ReplayError saying what is wrong with it. */
  static open(file: Uint8Array): ReplayReader {
    const chunks = readChunks(file);
    const first = chunks[0];
    if (first === undefined || first.kind !== ChunkKind.Header) throw new ReplayError("corrupted", "replay is corrupted: it does not start with its header");
    const header = parseHeader(readJsonChunk(first), fileFormat(file));
    const last = chunks[chunks.length - 1]!;
    if (last.kind !== ChunkKind.End) {
      throw new ReplayError("unfinished", `replay is unfinished or truncated: it has no end chunk (${chunks.length - 1} segments read)`);
    }
    const end = parseEnd(readJsonChunk(last));
    const middle = chunks.slice(1, -1);
    const stray = middle.find((c) => c.kind !== ChunkKind.Segment);
    if (stray !== undefined) throw new ReplayError("corrupted", `replay is corrupted: a ${stray.kind === ChunkKind.Header ? "header" : "end"} chunk at byte ${stray.offset} is not where it belongs`);
    if (middle.length !== end.segments) {
      throw new ReplayError("truncated", `replay is truncated: its end chunk counts ${end.segments} segments, ${middle.length} are there`);
    }
    if (middle.length === 0) throw new ReplayError("corrupted", "replay is corrupted: it has no segment");
    const segments: Segment[] = [];
    let previous: SegmentHead | undefined;
    for (const chunk of middle) {
      const head = readSegmentHead(chunk);
      if (previous !== undefined && head.keyTick < previous.lastTick) {
        throw new ReplayError("corrupted", `replay is corrupted: segment at byte ${chunk.offset} starts at tick ${head.keyTick}, before the previous one ends (${previous.lastTick})`);
      }
      const body = readSegmentBody(chunk, head);
      segments.push({ head, body, patches: body.records.filter((r) => r.kind === RecordKind.Patch) });
      previous = head;
    }
    let handshake: Uint8Array;
    try {
      handshake = fromHex(header.handshake);
      Reflection.decode(handshake);
    } catch {
      throw new ReplayError("corrupted", "replay is corrupted: its schema handshake does not decode");
    }
    return new ReplayReader(header, end, segments, handshake, file.length);
  }

  /** First tick with a state (the first keyframe's). */
  get firstTick(): number {
    return this.keyframes[0]!.keyTick;
  }

  /** Last tick recorded. */
  get lastTick(): number {
    return Math.max(this.end.endTick, this.keyframes[this.keyframes.length - 1]!.lastTick);
  }

  /** The index of the keyframe a seek to `tick` starts from: the last one at or before it. */
  keyframeIndexAt(tick: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid]!.head.keyTick <= tick) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The state at `tick` (as of the last patch at or before it): the nearest keyframe decoded and its
   * hash checked, then its patches applied. Throws out_of_range outside [firstTick, lastTick].
   */
  seek(tick: number): ReplayCursor {
    if (!Number.isFinite(tick) || tick < this.firstTick || tick > this.lastTick) {
      throw new ReplayError("out_of_range", `tick ${tick} is outside the recording (${this.firstTick} to ${this.lastTick})`);
    }
    const cursor = new Cursor(this.segments, this.handshake, this.header.format, this.keyframeIndexAt(tick));
    cursor.advance(tick);
    return cursor;
  }

  /**
   * Plays the whole recording and checks the state at every keyframe: decoded from the keyframe, and
   * (where the patch stream runs on into it) as the previous patches built it. Returns how many
   * keyframe hashes were checked; throws hash_mismatch at the first difference.
   */
  verify(): number {
    const cursor = new Cursor(this.segments, this.handshake, this.header.format, 0);
    cursor.advance(this.lastTick);
    return cursor.checked;
  }
}

class Cursor implements ReplayCursor {
  decoder!: Decoder<ArenaState>;
  tick = 0;
  /** Keyframe hashes checked so far. */
  checked = 0;
  /** Segment and next patch within it. */
  private segment: number;
  private next = 0;
  /** The recording's state hash (it changed with format 2). */
  private readonly hash: (state: ArenaState) => Uint8Array;

  constructor(private readonly segments: readonly Segment[], private readonly handshake: Uint8Array, format: ReplayFormat, segment: number) {
    this.hash = stateHashOf(format);
    this.segment = segment;
    this.load(segment);
  }

  get state(): ArenaState {
    return this.decoder.state;
  }

  advance(tick: number): boolean {
    if (tick < this.tick) throw new ReplayError("out_of_range", `a cursor plays forward only (at tick ${this.tick}, asked for ${tick}): seek instead`);
    let replaced = false;
    for (;;) {
      const seg = this.segments[this.segment]!;
      while (this.next < seg.patches.length && seg.patches[this.next]!.tick <= tick) {
        const patch = seg.patches[this.next++]!;
        this.decode(patch.bytes, `the patch at tick ${patch.tick}`);
      }
      const following = this.segments[this.segment + 1];
      if (this.next < seg.patches.length || following === undefined || following.head.keyTick > tick) break;
      this.segment++;
      this.next = 0;
      if ((following.head.flags & SEGMENT_FRESH) !== 0) {
        this.load(this.segment);
        replaced = true;
      } else {
        // The patches so far must have built exactly the state the server hashed at this keyframe.
        this.check(following.head, "as played from the previous keyframe's patches");
      }
    }
    this.tick = tick;
    return replaced;
  }

  /** A fresh decoder on segment `index`'s keyframe, its hash checked. */
  private load(index: number): void {
    const seg = this.segments[index]!;
    this.decoder = Reflection.decode<ArenaState>(this.handshake);
    this.decode(seg.body.keyframe, `the keyframe at tick ${seg.head.keyTick}`);
    this.check(seg.head, "as decoded from its keyframe");
    this.next = 0;
    this.tick = seg.head.keyTick;
  }

  private decode(bytes: Uint8Array, what: string): void {
    try {
      this.decoder.decode(bytes);
    } catch (e) {
      throw new ReplayError("corrupted", `replay is corrupted: ${what} does not decode (${(e as Error).message})`);
    }
  }

  private check(head: SegmentHead, how: string): void {
    const got = this.hash(this.decoder.state);
    if (!equalBytes(got, head.stateHash)) {
      throw new ReplayError("hash_mismatch", `replay does not match the server: the state at keyframe tick ${head.keyTick} ${how} hashes to ${hex(got).slice(0, 16)}…, the server recorded ${hex(head.stateHash).slice(0, 16)}…`);
    }
    this.checked++;
  }
}

/** The header of a recording whose format byte is `format` (readChunks accepted it): it must say the same. */
function parseHeader(raw: unknown, format: number): ReplayHeader {
  const h = raw as Partial<Record<keyof ReplayHeader, unknown>> | null;
  const ok = h !== null && typeof h === "object" && h.format === format && typeof h.id === "string" && typeof h.roomId === "string"
    && typeof h.mode === "string" && typeof h.private === "boolean" && isCount(h.startedAt) && isCount(h.tickRate) && h.tickRate > 0
    && isCount(h.patchRate) && isCount(h.keyframeTicks) && typeof h.handshake === "string" && typeof h.map === "object" && h.map !== null;
  if (!ok) throw new ReplayError("corrupted", `replay is corrupted: its header is not a format-${format} replay header`);
  return raw as ReplayHeader;
}

function parseEnd(raw: unknown): ReplayEnd {
  const e = raw as Partial<Record<keyof ReplayEnd, unknown>> | null;
  const ok = e !== null && typeof e === "object" && isCount(e.segments) && isCount(e.endTick) && isCount(e.endedAt) && typeof e.reason === "string" && Array.isArray(e.standings);
  if (!ok) throw new ReplayError("corrupted", "replay is corrupted: its end chunk is not a replay end");
  return raw as ReplayEnd;
}

function parseEvent(record: SegmentRecord, keyTick: number): ReplayEvent {
  let value: unknown;
  try {
    value = JSON.parse(strFromU8(record.bytes));
  } catch {
    throw new ReplayError("corrupted", `replay is corrupted: an event at tick ${record.tick} (segment ${keyTick}) is not JSON`);
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (type !== "matchStart" && type !== "kill" && type !== "matchEnd" && type !== "chat") {
    throw new ReplayError("corrupted", `replay is corrupted: an event at tick ${record.tick} has unknown type ${String(type)}`);
  }
  return value as ReplayEvent;
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

/** Lower-case hex to bytes (the header's handshake). */
export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text)) throw new Error("not lower-case hex");
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
