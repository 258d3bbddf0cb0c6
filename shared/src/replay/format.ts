/**
 * The replay file format, version 2 (docs/REPLAYS.md is its description; this file is its definition).
 * Version 1 differs only in its keyframes' state hash (stateHash.ts) and is still read.
 *
 * A recording is what the room broadcast: a full-state keyframe (Colyseus schema `encodeAll`) every
 * KEYFRAME_INTERVAL_S, the patch frames (`encode`) in between, each tagged with the simulation tick it
 * carries, and the match's events by tick. Bytes, all integers little-endian:
 *
 *   file    = "ARPL" u8(format) chunk*             header chunk first, end chunk last
 *   chunk   = u8(kind) u32(bodyLength) sha256(body)[32] body
 *   header  = UTF-8 JSON ReplayHeader                                   (kind 1)
 *   segment = u32(keyTick) u32(lastTick) u8(flags) stateHash[32] u32(rawLength) deflateRaw(raw)   (kind 2)
 *   raw     = u32(keyframeLength) keyframe record*
 *   record  = u8(recordKind) u32(tick) u32(length) bytes                patch bytes, or UTF-8 JSON ReplayEvent
 *   end     = UTF-8 JSON ReplayEnd                                      (kind 3)
 */
import type { ArenaMap } from "../sim/map.ts";
import type { GameMode, MapRef, MatchEndReason, Standing } from "../wire/protocol.ts";

/** The first four bytes of every recording. */
export const REPLAY_MAGIC = "ARPL";
/** The format version this code writes. */
export const REPLAY_FORMAT = 2;
/** The format versions this code reads: 1 hashed keyframes from JSON, 2 walks the schema (stateHash.ts). */
export const READABLE_FORMATS = [1, 2] as const;
export type ReplayFormat = (typeof READABLE_FORMATS)[number];
/** Seconds between two keyframes (the most a seek has to play forward). */
export const KEYFRAME_INTERVAL_S = 5;
/** Bytes of a chunk's SHA-256 and of a keyframe's state hash. */
export const HASH_BYTES = 32;

/** What a chunk holds. */
export const ChunkKind = { Header: 1, Segment: 2, End: 3 } as const;
export type ChunkKind = (typeof ChunkKind)[keyof typeof ChunkKind];

/** What a record inside a segment holds. */
export const RecordKind = { Patch: 1, Event: 2 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

/**
 * Segment flag: this keyframe does not continue the previous segment's patch stream (the match was
 * taken over by another process, whose encoder numbers the state's references afresh, or patches were
 * not broadcast for a while): playback switches to this keyframe instead of checking it against the
 * state the previous patches built. Ticks between the previous segment's last tick and this keyTick
 * were not recorded.
 */
export const SEGMENT_FRESH = 1;

/** Header chunk: what the recording is of, and how to decode it. */
export interface ReplayHeader {
  /** The file's format byte, repeated. */
  readonly format: ReplayFormat;
  /** Unguessable id (22 base64url characters: 128 random bits); the HTTP routes name it. */
  readonly id: string;
  /** The room it was played in (a private room's id is its invite code). */
  readonly roomId: string;
  readonly mode: GameMode;
  /** A private room's replay is served only to those who played in it. */
  readonly private: boolean;
  /** Unix ms when recording began (the first keyframe). */
  readonly startedAt: number;
  /** Simulation steps per second: ticks / tickRate = seconds. */
  readonly tickRate: number;
  /** Patch broadcasts per second. */
  readonly patchRate: number;
  /** Ticks between keyframes (KEYFRAME_INTERVAL_S * tickRate). */
  readonly keyframeTicks: number;
  /** The map played, in full (the built-in map may change in later versions of the game). */
  readonly map: ArenaMap;
  /** The published map played; absent on the built-in map. */
  readonly mapRef?: MapRef;
  /** Lower-case hex of the Colyseus schema handshake (`Reflection.encode`): decodes the keyframes and patches. */
  readonly handshake: string;
}

/** Something that happened in the match, at a tick (the tick its step ran). */
export type ReplayEvent =
  | { readonly type: "matchStart"; readonly tick: number; readonly endsAt: number }
  | { readonly type: "kill"; readonly tick: number; readonly killer: string; readonly killerName: string; readonly victim: string; readonly victimName: string }
  | { readonly type: "matchEnd"; readonly tick: number; readonly reason: MatchEndReason; readonly winner: string; readonly standings: readonly Standing[] }
  | { readonly type: "chat"; readonly tick: number; readonly from: string; readonly name: string; readonly text: string };

/** Why a recording ended. */
export type ReplayEndReason =
  /** The results were shown and the room went back to warm-up. */
  | "match_over"
  /** The room closed during the match (everyone left, or the process stopped with nobody to take it over). */
  | "room_closed"
  /** Its process died and no other took the match over: sealed later by the store, up to its last segment. */
  | "interrupted"
  /** It reached the per-recording size cap (REPLAY_MAX_KB) and stopped there. */
  | "too_large";

/** End chunk: the recording is complete. */
export interface ReplayEnd {
  /** Segment chunks before this one: fewer means the file lost some (refused as truncated). */
  readonly segments: number;
  /** Tick of the last record. */
  readonly endTick: number;
  /** Unix ms when it ended. */
  readonly endedAt: number;
  readonly reason: ReplayEndReason;
  /** The last standings recorded (at the match's end, or when the recording stopped). */
  readonly standings: readonly Standing[];
}

/** One replay as the list routes show it (GET /api/replays, ?mine=1). */
export interface ReplaySummary {
  readonly id: string;
  readonly roomId: string;
  readonly mode: GameMode;
  readonly private: boolean;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Seconds of match recorded (endTick - first keyTick) / tickRate. */
  readonly seconds: number;
  readonly reason: ReplayEndReason;
  /** Size of the recording, bytes. */
  readonly bytes: number;
  /** The published map played; absent on the built-in map. */
  readonly map?: MapRef;
  /** Final standings (names, kills, deaths, damage), best first. */
  readonly standings: readonly Standing[];
}

/** Body of GET /api/replays. */
export interface ReplayListOut {
  readonly replays: readonly ReplaySummary[];
}
