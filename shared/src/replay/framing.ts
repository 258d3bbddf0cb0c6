/**
 * The bytes of a recording (format.ts): writing chunks and segment bodies, and reading them back with
 * every length and hash checked. Compression and hashing are passed in where the two sides differ
 * (the server deflates with node:zlib and hashes with node:crypto; both give the same bytes as the
 * defaults here).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { inflateSync, strFromU8, strToU8 } from "fflate";
import { ChunkKind, HASH_BYTES, READABLE_FORMATS, REPLAY_FORMAT, REPLAY_MAGIC, RecordKind, type ReplayFormat } from "./format.ts";

/** Why a recording was refused; `code` for programs, the message for people. */
export type ReplayErrorCode = "not_a_replay" | "unsupported_format" | "truncated" | "corrupted" | "unfinished" | "hash_mismatch" | "out_of_range";

export class ReplayError extends Error {
  override name = "ReplayError";
  constructor(readonly code: ReplayErrorCode, message: string) {
    super(message);
  }
}

/** SHA-256 of some bytes (32 bytes). */
export type Hash = (bytes: Uint8Array) => Uint8Array;
/** Raw DEFLATE (RFC 1951, no zlib or gzip wrapper). */
export type Deflate = (bytes: Uint8Array) => Uint8Array;

/** Bytes of a chunk's head: kind, length, hash. */
export const CHUNK_HEAD_BYTES = 1 + 4 + HASH_BYTES;
/** Bytes of a segment body before its compressed records: keyTick, lastTick, flags, state hash, raw length. */
export const SEGMENT_HEAD_BYTES = 4 + 4 + 1 + HASH_BYTES + 4;
/** Bytes of a record's head: kind, tick, length. */
export const RECORD_HEAD_BYTES = 1 + 4 + 4;
/** A segment inflating past this is refused (a 16-player segment is some 40 KB). */
export const MAX_SEGMENT_RAW_BYTES = 64 * 1024 * 1024;

const MAGIC = strToU8(REPLAY_MAGIC);

/** What every recording starts with: the magic and the format version (an older one only in tests). */
export function fileStart(format: ReplayFormat = REPLAY_FORMAT): Uint8Array {
  const out = new Uint8Array(MAGIC.length + 1);
  out.set(MAGIC);
  out[MAGIC.length] = format;
  return out;
}

/** The format version of a recording that starts with the magic (readChunks checks both). */
export function fileFormat(file: Uint8Array): number {
  return file[MAGIC.length] ?? 0;
}

/** One chunk: its kind, its body's length and SHA-256, the body. */
export function encodeChunk(kind: ChunkKind, body: Uint8Array, hash: Hash = sha256): Uint8Array {
  const out = new Uint8Array(CHUNK_HEAD_BYTES + body.length);
  const view = new DataView(out.buffer);
  out[0] = kind;
  view.setUint32(1, body.length, true);
  out.set(hash(body), 5);
  out.set(body, CHUNK_HEAD_BYTES);
  return out;
}

/** A JSON chunk (header or end). */
export function encodeJsonChunk(kind: typeof ChunkKind.Header | typeof ChunkKind.End, value: unknown, hash: Hash = sha256): Uint8Array {
  return encodeChunk(kind, strToU8(JSON.stringify(value)), hash);
}

/** A segment's fixed head (not compressed, so an index is read without inflating anything). */
export interface SegmentHead {
  readonly keyTick: number;
  readonly lastTick: number;
  readonly flags: number;
  readonly stateHash: Uint8Array;
  readonly rawLength: number;
}

/** A segment chunk's body: its head, then the raw records deflated. */
export function encodeSegmentBody(head: Omit<SegmentHead, "rawLength">, raw: Uint8Array, deflate: Deflate): Uint8Array {
  const packed = deflate(raw);
  const out = new Uint8Array(SEGMENT_HEAD_BYTES + packed.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, head.keyTick, true);
  view.setUint32(4, head.lastTick, true);
  out[8] = head.flags;
  out.set(head.stateHash, 9);
  view.setUint32(9 + HASH_BYTES, raw.length, true);
  out.set(packed, SEGMENT_HEAD_BYTES);
  return out;
}

/**
 * Builds a segment's raw bytes: the keyframe, then records appended as they happen. Grows its buffer
 * by doubling, so a record costs a copy of its bytes and nothing else.
 *
 * A record is appended once per patch broadcast, on a room's thread whose caches the room's own work has
 * filled since the last one: what it costs is mostly the memory it touches, not its instructions (some 10 µs
 * cold against 1 µs warm, docs/BENCHMARKS.md "Replays"). So no DataView and no view of the source: bytes
 * written one by one into the one buffer, a short record copied by a loop.
 */
export class SegmentBuilder {
  private buf: Uint8Array;
  private length = 0;
  /** The keyframe's tick. */
  keyTick: number;
  lastTick: number;

  constructor(keyTick: number, keyframe: Uint8Array, initialBytes = 16 * 1024) {
    this.buf = new Uint8Array(Math.max(initialBytes, 4 + keyframe.length));
    this.keyTick = keyTick;
    this.lastTick = keyTick;
    this.restart(keyTick, keyframe);
  }

  /** Starts the next segment in the same buffer (the bytes of the last one must have been used up). */
  restart(keyTick: number, keyframe: Uint8Array): void {
    this.length = 0;
    this.reserve(4 + keyframe.length);
    putU32(this.buf, 0, keyframe.length);
    this.buf.set(keyframe, 4);
    this.length = 4 + keyframe.length;
    this.keyTick = keyTick;
    this.lastTick = keyTick;
  }

  /** Raw bytes so far. */
  get size(): number {
    return this.length;
  }

  /** Appends a record of `bytes` from index `from` on (no view made of them); ticks never go back. */
  add(kind: RecordKind, tick: number, bytes: Uint8Array, from = 0): void {
    const n = bytes.length - from;
    if (this.length + RECORD_HEAD_BYTES + n > this.buf.length) this.reserve(RECORD_HEAD_BYTES + n);
    const buf = this.buf;
    let at = this.length;
    buf[at] = kind;
    putU32(buf, at + 1, tick);
    putU32(buf, at + 5, n);
    at += RECORD_HEAD_BYTES;
    if (n <= SHORT_COPY) for (let i = 0; i < n; i++) buf[at + i] = bytes[from + i]!;
    else buf.set(from === 0 ? bytes : bytes.subarray(from), at);
    this.length = at + n;
    if (tick > this.lastTick) this.lastTick = tick;
  }

  /**
   * Appends a record of `text` in UTF-8, written straight into the buffer (no encoded copy made first): ASCII
   * byte by byte, the rest from the first other character by TextEncoder.encodeInto.
   */
  addText(kind: RecordKind, tick: number, text: string): void {
    const most = 3 * text.length; // UTF-8 bytes per UTF-16 code unit
    if (this.length + RECORD_HEAD_BYTES + most > this.buf.length) this.reserve(RECORD_HEAD_BYTES + most);
    const buf = this.buf;
    const head = this.length;
    const start = head + RECORD_HEAD_BYTES;
    let at = start;
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at++] = c;
    }
    if (i < text.length) at += utf8.encodeInto(text.slice(i), buf.subarray(at)).written;
    buf[head] = kind;
    putU32(buf, head + 1, tick);
    putU32(buf, head + 5, at - start);
    this.length = at;
    if (tick > this.lastTick) this.lastTick = tick;
  }

  /** The raw bytes (a view: copy before adding more). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  private reserve(more: number): void {
    if (this.length + more <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + more) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }
}

const utf8 = new TextEncoder();

/** Records up to this long are copied byte by byte (most patches: some 130 bytes at 16 players), longer ones by `set`. */
const SHORT_COPY = 256;

/** `value` as a little-endian u32 at `at`. */
function putU32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value;
  buf[at + 1] = value >>> 8;
  buf[at + 2] = value >>> 16;
  buf[at + 3] = value >>> 24;
}

/** A chunk read back, its hash checked. */
export interface Chunk {
  readonly kind: ChunkKind;
  /** Where the chunk starts in the file. */
  readonly offset: number;
  readonly body: Uint8Array;
}

/** Splits a recording into its chunks, checking the magic, the version, every length and every hash. */
export function readChunks(file: Uint8Array, hash: Hash = sha256): Chunk[] {
  if (file.length < MAGIC.length + 1 || MAGIC.some((b, i) => file[i] !== b)) {
    throw new ReplayError("not_a_replay", "this is not a replay recording (it does not start with ARPL)");
  }
  const version = fileFormat(file);
  if (!(READABLE_FORMATS as readonly number[]).includes(version)) {
    throw new ReplayError("unsupported_format", `replay format ${version} is not supported (this viewer reads formats ${READABLE_FORMATS.join(" and ")})`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const chunks: Chunk[] = [];
  let at = MAGIC.length + 1;
  while (at < file.length) {
    if (at + CHUNK_HEAD_BYTES > file.length) throw new ReplayError("truncated", `replay is truncated: chunk ${chunks.length} at byte ${at} is cut short in its head`);
    const kind = file[at]!;
    if (kind !== ChunkKind.Header && kind !== ChunkKind.Segment && kind !== ChunkKind.End) {
      throw new ReplayError("corrupted", `replay is corrupted: chunk ${chunks.length} at byte ${at} has unknown kind ${kind}`);
    }
    const length = view.getUint32(at + 1, true);
    const start = at + CHUNK_HEAD_BYTES;
    if (start + length > file.length) {
      throw new ReplayError("truncated", `replay is truncated: chunk ${chunks.length} at byte ${at} needs ${length} bytes, ${file.length - start} are left`);
    }
    const body = file.subarray(start, start + length);
    const expected = file.subarray(at + 5, start);
    if (!equalBytes(hash(body), expected)) throw new ReplayError("corrupted", `replay is corrupted: chunk ${chunks.length} at byte ${at} does not match its hash`);
    chunks.push({ kind, offset: at, body });
    at = start + length;
  }
  return chunks;
}

/** A JSON chunk's value (its shape is checked by the caller). */
export function readJsonChunk(chunk: Chunk): unknown {
  try {
    return JSON.parse(strFromU8(chunk.body));
  } catch {
    throw new ReplayError("corrupted", `replay is corrupted: chunk at byte ${chunk.offset} is not JSON`);
  }
}

/** A segment chunk's head, without inflating its records. */
export function readSegmentHead(chunk: Chunk): SegmentHead {
  const body = chunk.body;
  if (body.length < SEGMENT_HEAD_BYTES) throw new ReplayError("corrupted", `replay is corrupted: segment at byte ${chunk.offset} is shorter than its head`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const head = {
    keyTick: view.getUint32(0, true),
    lastTick: view.getUint32(4, true),
    flags: body[8]!,
    stateHash: body.slice(9, 9 + HASH_BYTES),
    rawLength: view.getUint32(9 + HASH_BYTES, true),
  };
  if (head.lastTick < head.keyTick) throw new ReplayError("corrupted", `replay is corrupted: segment at byte ${chunk.offset} ends (tick ${head.lastTick}) before it starts (tick ${head.keyTick})`);
  if (head.rawLength > MAX_SEGMENT_RAW_BYTES) throw new ReplayError("corrupted", `replay is corrupted: segment at byte ${chunk.offset} claims ${head.rawLength} bytes`);
  return head;
}

/** A record inside a segment; `bytes` are a view into the inflated segment. */
export interface SegmentRecord {
  readonly kind: RecordKind;
  readonly tick: number;
  readonly bytes: Uint8Array;
}

/** An inflated segment: its keyframe and records, checked against its head. */
export interface SegmentBody {
  readonly keyframe: Uint8Array;
  readonly records: readonly SegmentRecord[];
}

/** Inflates a segment chunk and splits it into its keyframe and records. */
export function readSegmentBody(chunk: Chunk, head: SegmentHead): SegmentBody {
  const where = `segment at byte ${chunk.offset} (tick ${head.keyTick})`;
  let raw: Uint8Array;
  try {
    raw = inflateSync(chunk.body.subarray(SEGMENT_HEAD_BYTES), { out: new Uint8Array(head.rawLength) });
  } catch (e) {
    throw new ReplayError("corrupted", `replay is corrupted: ${where} does not inflate (${(e as Error).message})`);
  }
  if (raw.length !== head.rawLength) throw new ReplayError("corrupted", `replay is corrupted: ${where} inflates to ${raw.length} bytes, its head says ${head.rawLength}`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (raw.length < 4) throw new ReplayError("corrupted", `replay is corrupted: ${where} has no keyframe`);
  const keyLength = view.getUint32(0, true);
  if (4 + keyLength > raw.length) throw new ReplayError("corrupted", `replay is corrupted: ${where} has a keyframe longer than the segment`);
  const keyframe = raw.subarray(4, 4 + keyLength);
  const records: SegmentRecord[] = [];
  let at = 4 + keyLength;
  let tick = head.keyTick;
  while (at < raw.length) {
    if (at + RECORD_HEAD_BYTES > raw.length) throw new ReplayError("corrupted", `replay is corrupted: ${where} ends inside a record's head`);
    const kind = raw[at]!;
    const recordTick = view.getUint32(at + 1, true);
    const length = view.getUint32(at + 5, true);
    if (kind !== RecordKind.Patch && kind !== RecordKind.Event) throw new ReplayError("corrupted", `replay is corrupted: ${where} has a record of unknown kind ${kind}`);
    if (recordTick < tick || recordTick > head.lastTick) throw new ReplayError("corrupted", `replay is corrupted: ${where} has a record at tick ${recordTick} out of order`);
    const start = at + RECORD_HEAD_BYTES;
    if (start + length > raw.length) throw new ReplayError("corrupted", `replay is corrupted: ${where} ends inside a record`);
    records.push({ kind, tick: recordTick, bytes: raw.subarray(start, start + length) });
    tick = recordTick;
    at = start + length;
  }
  return { keyframe, records };
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
