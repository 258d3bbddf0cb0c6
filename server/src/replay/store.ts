/**
 * Where recordings are kept: the data directory on one process (fileStore.ts), Redis with REDIS_URL
 * (redisStore.ts), like the editor's maps. A recording is written as it goes: its start (magic and
 * header), a segment chunk every keyframe, the end chunk last; the meta beside it is rewritten with each.
 * Retention: at most `keep` ended replays (oldest go first) and none older than `maxAgeMs`.
 */
import { createHash } from "node:crypto";
import { ChunkKind, encodeJsonChunk, type ReplayEnd } from "@arena/shared/replay";
import type { ReplayMeta } from "./meta.ts";

export interface ReplayStore {
  /** Starts a recording with its first bytes (magic and header chunk). */
  begin(meta: ReplayMeta, start: Uint8Array): Promise<void>;
  /** Appends a segment chunk; `meta` is as it stands with it (segments, lastTick, bytes counted). */
  append(meta: ReplayMeta, chunk: Uint8Array): Promise<void>;
  /** Appends the end chunk: the replay is complete, listed, and retention runs. */
  finish(meta: ReplayMeta, end: Uint8Array): Promise<void>;
  /** The meta, or undefined; a recording nobody has written to for `staleMs` is sealed as interrupted first. */
  get(id: string): Promise<ReplayMeta | undefined>;
  /** The id of the recording in progress of the match in room `roomId` (a process taking the match over goes on with it). */
  recordingOf(roomId: string): Promise<string | undefined>;
  /** The recording's bytes (ended ones only), or undefined. */
  read(id: string): Promise<Uint8Array | undefined>;
  /** Ended replays, newest first (see ListQuery). */
  list(query: ListQuery): Promise<ReplayMeta[]>;
  /** Applies retention now; returns how many replays were deleted. */
  prune(now?: number): Promise<number>;
  close(): void;
}

/**
 * A store that keeps and finds nothing, with any of its parts replaced: for what only watches the recorder's writes
 * (server/bench/replayCost.ts counts the bytes, a test makes the first write fail).
 */
export function storeOf(parts: Partial<ReplayStore> = {}): ReplayStore {
  return {
    begin: async () => {},
    append: async () => {},
    finish: async () => {},
    recordingOf: async () => undefined,
    get: async () => undefined,
    read: async () => undefined,
    list: async () => [],
    prune: async () => 0,
    close: () => {},
    ...parts,
  };
}

/** Which ended replays to list: `userId`'s own (public or private), else a public room's, else all public ones. */
export interface ListQuery {
  readonly userId?: string;
  readonly roomId?: string;
  readonly limit: number;
}

export interface Retention {
  /** Ended replays kept at most (the oldest go first). */
  readonly keep: number;
  /** Replays older than this (by their end, or last write) are deleted. */
  readonly maxAgeMs: number;
  /** A recording not written to for this long was interrupted (its process died, nobody took it over). */
  readonly staleMs: number;
}

/** SHA-256 with node:crypto (the same bytes as the reader's @noble/hashes, faster). */
export function nodeSha256(bytes: Uint8Array): Uint8Array {
  return createHash("sha256").update(bytes).digest();
}

/** The end chunk that closes an interrupted recording up to its last whole segment, and its meta. */
export function sealInterrupted(meta: ReplayMeta, now: number): { meta: ReplayMeta; end: Uint8Array } {
  const end: ReplayEnd = { segments: meta.segments, endTick: meta.lastTick, endedAt: meta.updatedAt, reason: "interrupted", standings: meta.standings };
  const chunk = encodeJsonChunk(ChunkKind.End, end, nodeSha256);
  return { meta: { ...meta, state: "ended", reason: "interrupted", endedAt: meta.updatedAt, updatedAt: now, bytes: meta.bytes + chunk.length }, end: chunk };
}
