/**
 * The hash a keyframe carries: SHA-256 of the replicated state as canonical JSON (the schema's own
 * `toJSON()`, which holds only the fields clients receive, with every object's keys sorted). The
 * server hashes its live state; playback hashes the state it decoded, so equal hashes mean playback
 * reached exactly what the server had at that tick. Keys are sorted because a map's insertion order
 * differs between the server and a decoder that started from a later keyframe.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { strToU8 } from "fflate";

/** Anything with the schema's `toJSON()` (the server's ArenaState, or a decoded one). */
export interface JsonState {
  toJSON(): unknown;
}

/** SHA-256 (32 bytes) of `state`'s canonical JSON; `hash` may be any SHA-256 (the server passes node:crypto's). */
export function stateHash(state: JsonState, hash: (bytes: Uint8Array) => Uint8Array = sha256): Uint8Array {
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
