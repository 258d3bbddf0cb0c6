/** A small real recording written to a replay store as the recorder writes one (the replay store tests share it). */
import { deflateRawSync } from "node:zlib";
import { Encoder, Reflection } from "@colyseus/schema";
import { ARENA_MAP, ArenaState, Player } from "@arena/shared";
import {
  ChunkKind, REPLAY_FORMAT, RecordKind, SEGMENT_FRESH, SegmentBuilder, encodeChunk, encodeJsonChunk, encodeSegmentBody, fileStart, hex, stateHash,
  type ReplayEnd, type ReplayHeader,
} from "@arena/shared/replay";
import type { ReplayMeta } from "../src/replay/meta.ts";
import type { ReplayStore } from "../src/replay/store.ts";

/**
 * A small real recording, written to `store` as the recorder does: start, `segments` segments, end (unless `end`
 * is false). Its writes are dated `updatedAt` (1970 unless given).
 */
export async function record(store: ReplayStore, id: string, o: { segments: number; end?: boolean; endedAt?: number; private?: boolean; players?: string[]; updatedAt?: number }): Promise<ReplayMeta> {
  const state = new ArenaState();
  const p = new Player();
  p.name = "ann";
  state.players.set("s1", p);
  const encoder = new Encoder(state);
  const header: ReplayHeader = {
    format: REPLAY_FORMAT, id, roomId: `room-${id.slice(-4)}`, mode: "ffa", private: o.private ?? false, startedAt: 1000, tickRate: 30, patchRate: 20,
    keyframeTicks: 150, map: ARENA_MAP, handshake: hex(Reflection.encode(encoder)),
  };
  const start = new Uint8Array([...fileStart(), ...encodeJsonChunk(ChunkKind.Header, header)]);
  let meta: ReplayMeta = {
    id, roomId: header.roomId, mode: "ffa", private: header.private, startedAt: 1000, tickRate: 30, state: "recording", updatedAt: o.updatedAt ?? 1000,
    segments: 0, firstTick: 0, lastTick: 0, bytes: start.length, players: o.players ?? ["g_ann"], standings: [],
  };
  await store.begin(meta, start);
  for (let s = 0; s < o.segments; s++) {
    const keyTick = s * 150;
    const seg = new SegmentBuilder(keyTick, encoder.encodeAll().slice());
    const hash = stateHash(state);
    for (let t = keyTick + 1; t <= keyTick + 150; t++) {
      state.tick = t;
      p.x = t % 900;
      seg.add(RecordKind.Patch, t, encoder.encode().slice());
      encoder.discardChanges();
    }
    const chunk = encodeChunk(ChunkKind.Segment, encodeSegmentBody({ keyTick, lastTick: seg.lastTick, flags: s === 0 ? SEGMENT_FRESH : 0, stateHash: hash }, seg.bytes(), (r) => deflateRawSync(r)));
    meta = { ...meta, segments: s + 1, lastTick: seg.lastTick, bytes: meta.bytes + chunk.length, updatedAt: (o.updatedAt ?? 1000) + s };
    await store.append(meta, chunk);
  }
  if (o.end === false) return meta;
  const endedAt = o.endedAt ?? Date.now();
  const end: ReplayEnd = { segments: meta.segments, endTick: meta.lastTick, endedAt, reason: "match_over", standings: [] };
  const chunk = encodeJsonChunk(ChunkKind.End, end);
  meta = { ...meta, state: "ended", reason: "match_over", endedAt, updatedAt: endedAt, bytes: meta.bytes + chunk.length };
  await store.finish(meta, chunk);
  return meta;
}

/** The n-th test id (22 base64url characters). */
export const id = (n: number): string => `${"A".repeat(21)}${"ABCDEFGHIJ"[n]}`;
