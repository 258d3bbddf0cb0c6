/**
 * The hash a keyframe carries. The server hashes its live state; playback hashes the state it decoded, so
 * equal hashes mean playback reached exactly what the server had at that tick. Both sides walk the same
 * fields: those the schema replicates (its metadata; `.noSync()` fields are not in it), in field-index
 * order, which the handshake gives a reflected state unchanged.
 *
 * - Format 2 (`stateHash`): SHA-256 of the state written by walking the schema straight into bytes (below).
 *   No JSON is built and only a map's keys are sorted: 2-5x cheaper than format 1 as the recorder runs it
 *   (once every 5 s, cold), 9x in a loop (docs/BENCHMARKS.md, "Replays").
 * - Format 1 (`jsonStateHash`, read only): SHA-256 of the state's `toJSON()` as JSON with every object's keys
 *   sorted (`canonicalJson`).
 *
 * Format 2's bytes, each value tagged with its kind so that no two states write the same bytes:
 *
 *   value  = 0x00                                        absent (undefined or null)
 *          | 0x01 f64                                    number (-0 written as 0, every NaN alike)
 *          | 0x02 string                                 string
 *          | 0x03 u8(0|1)                                boolean
 *          | 0x04 value*                                 schema: its fields in index order (deprecated ones skipped)
 *          | 0x05 u32(n) (string value){n}               map: entries by key, keys sorted by UTF-16 code units
 *          | 0x06 u32(n) value{n}                        array, set or collection: items in order
 *          | 0x07 string                                 bigint, in decimal
 *   string = u32(n) u16{n}                               UTF-16 code units
 *
 * A map's keys are sorted because insertion order differs between the server and a decoder that started
 * from a later keyframe. All integers little-endian.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { MapSchema, Schema, type Metadata } from "@colyseus/schema";
import { strToU8 } from "fflate";
import type { ReplayFormat } from "./format.ts";

/** SHA-256 of some bytes; the server passes node:crypto's, which gives the same bytes as the default. */
type Sha256 = (bytes: Uint8Array) => Uint8Array;

/** SHA-256 (32 bytes) of `state` as format 2 writes it (see above). */
export function stateHash(state: Schema, hash: Sha256 = sha256): Uint8Array {
  const writer = sharedWriter;
  writer.length = 0;
  writer.value(state);
  return hash(writer.bytes.subarray(0, writer.length));
}

/** The state hash of recording format `format`. */
export function stateHashOf(format: ReplayFormat): (state: Schema, hash?: Sha256) => Uint8Array {
  return format === 1 ? jsonStateHash : stateHash;
}

/** Anything with the schema's `toJSON()`. */
export interface JsonState {
  toJSON(): unknown;
}

/** Format 1's state hash: SHA-256 of `state`'s canonical JSON. */
export function jsonStateHash(state: JsonState, hash: Sha256 = sha256): Uint8Array {
  return hash(strToU8(canonicalJson(state.toJSON())));
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
}

/** Lower-case hex of `bytes` (hashes in messages and logs). */
export function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

const Tag = { Absent: 0, Number: 1, String: 2, Boolean: 3, Schema: 4, Map: 5, List: 6, BigInt: 7 } as const;

/** A schema class's replicated fields in index order, as `toJSON()` walks them (computed once per class). */
const fieldsOf = new WeakMap<object, readonly string[]>();

function replicatedFields(ctor: object): readonly string[] {
  let names = fieldsOf.get(ctor);
  if (names === undefined) {
    const metadata = (ctor as { [Symbol.metadata]?: Metadata | null })[Symbol.metadata];
    const fields: Array<{ index: number; name: string }> = [];
    if (metadata) {
      for (const key in metadata) {
        const field = metadata[Number(key)];
        if (field !== undefined && !field.deprecated) fields.push({ index: field.index, name: field.name });
      }
    }
    names = fields.sort((a, b) => a.index - b.index).map((f) => f.name);
    fieldsOf.set(ctor, names);
  }
  return names;
}

/** Writes values into one growing buffer, reused from one hash to the next (a hash runs start to end in one call). */
class Writer {
  bytes = new Uint8Array(8 * 1024);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  value(v: unknown): void {
    switch (typeof v) {
      case "number":
        this.reserve(9);
        this.bytes[this.length] = Tag.Number;
        // -0 + 0 is 0; NaN is written as one NaN whatever its bits.
        this.view.setFloat64(this.length + 1, Number.isNaN(v) ? Number.NaN : v + 0, true);
        this.length += 9;
        return;
      case "string":
        this.tag(Tag.String);
        this.string(v);
        return;
      case "boolean":
        this.reserve(2);
        this.bytes[this.length] = Tag.Boolean;
        this.bytes[this.length + 1] = v ? 1 : 0;
        this.length += 2;
        return;
      case "bigint":
        this.tag(Tag.BigInt);
        this.string(v.toString());
        return;
      case "undefined":
        this.tag(Tag.Absent);
        return;
      default:
        break;
    }
    if (v === null) {
      this.tag(Tag.Absent);
    } else if (v instanceof MapSchema) {
      const keys = [...(v as MapSchema<unknown>).keys()].sort();
      this.tag(Tag.Map);
      this.u32(keys.length);
      for (const key of keys) {
        this.string(key);
        this.value((v as MapSchema<unknown>).get(key));
      }
    } else if (v instanceof Schema) {
      this.tag(Tag.Schema);
      const record = v as unknown as Record<string, unknown>;
      for (const name of replicatedFields(v.constructor)) this.value(record[name]);
    } else if (typeof v === "object" && Symbol.iterator in v) {
      // ArraySchema, SetSchema, CollectionSchema: their order is the replicated order.
      const items = [...(v as Iterable<unknown>)];
      this.tag(Tag.List);
      this.u32(items.length);
      for (const item of items) this.value(item);
    } else {
      throw new TypeError(`stateHash: cannot hash a ${typeof v === "object" ? v.constructor?.name ?? "object" : typeof v} in a state`);
    }
  }

  private tag(tag: number): void {
    this.reserve(1);
    this.bytes[this.length++] = tag;
  }

  private u32(n: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, n, true);
    this.length += 4;
  }

  private string(s: string): void {
    this.reserve(4 + 2 * s.length);
    this.view.setUint32(this.length, s.length, true);
    let at = this.length + 4;
    for (let i = 0; i < s.length; i++, at += 2) {
      const unit = s.charCodeAt(i);
      this.bytes[at] = unit & 0xff;
      this.bytes[at + 1] = unit >>> 8;
    }
    this.length = at;
  }

  private reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + more) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}

const sharedWriter = new Writer();
