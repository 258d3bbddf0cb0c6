/**
 * The replay store of one process (DATA_DIR/replays): retention by count and by age, a recording cut off by
 * a crash sealed up to its last whole segment (and still played back), what is listed to whom, and ids that
 * are not ids never reaching the filesystem.
 */
import { appendFile, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Encoder, Reflection } from "@colyseus/schema";
import { ARENA_MAP, ArenaState, Player } from "@arena/shared";
import {
  ChunkKind, REPLAY_FORMAT, RecordKind, ReplayReader, SEGMENT_FRESH, SegmentBuilder, encodeChunk, encodeJsonChunk, encodeSegmentBody, fileStart, hex, stateHash,
  type ReplayEnd, type ReplayHeader,
} from "@arena/shared/replay";
import { FileReplayStore } from "../src/replay/fileStore.ts";
import type { ReplayMeta } from "../src/replay/meta.ts";

const DAY = 24 * 3600 * 1000;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "replay-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A small real recording, written to `store` as the recorder does: start, `segments` segments, end (unless `end` is false). */
async function record(store: FileReplayStore, id: string, o: { segments: number; end?: boolean; endedAt?: number; private?: boolean; players?: string[] }): Promise<ReplayMeta> {
  const state = new ArenaState();
  const p = new Player();
  p.name = "ann";
  state.players.set("s1", p);
  const encoder = new Encoder(state);
  const header: ReplayHeader = {
    format: REPLAY_FORMAT, id, roomId: `room-${id.slice(0, 4)}`, mode: "ffa", private: o.private ?? false, startedAt: 1000, tickRate: 30, patchRate: 20,
    keyframeTicks: 150, map: ARENA_MAP, handshake: hex(Reflection.encode(encoder)),
  };
  const start = new Uint8Array([...fileStart(), ...encodeJsonChunk(ChunkKind.Header, header)]);
  let meta: ReplayMeta = {
    id, roomId: header.roomId, mode: "ffa", private: header.private, startedAt: 1000, tickRate: 30, state: "recording", updatedAt: 1000,
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
    meta = { ...meta, segments: s + 1, lastTick: seg.lastTick, bytes: meta.bytes + chunk.length, updatedAt: 1000 + s };
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

const id = (n: number): string => `${"A".repeat(21)}${"ABCDEFGHIJ"[n]}`;

describe("the data directory's replays", () => {
  it("keeps at most `keep` ended replays, deleting the oldest first, files and all", async () => {
    const store = new FileReplayStore(dir, { keep: 2, maxAgeMs: DAY, staleMs: 60_000 });
    const now = Date.now();
    for (let i = 0; i < 3; i++) await record(store, id(i), { segments: 1, endedAt: now + i });
    expect((await store.list({ limit: 10 })).map((m) => m.id)).toEqual([id(2), id(1)]);
    expect(await store.get(id(0))).toBeUndefined();
    expect(await store.read(id(0))).toBeUndefined();
    expect((await readdir(join(dir, "replays"))).filter((f) => f.startsWith(id(0)))).toEqual([]);
    // What is kept still plays.
    expect(ReplayReader.open((await store.read(id(2)))!).verify()).toBe(1);
  });

  it("deletes replays older than the maximum age", async () => {
    const store = new FileReplayStore(dir, { keep: 10, maxAgeMs: DAY, staleMs: 60_000 });
    const now = Date.now();
    await record(store, id(0), { segments: 1, endedAt: now - 2 * DAY });
    await record(store, id(1), { segments: 1, endedAt: now });
    expect((await store.list({ limit: 10 })).map((m) => m.id)).toEqual([id(1)]);
    expect(await store.prune(now + DAY + 1)).toBe(1);
    expect(await store.list({ limit: 10 })).toEqual([]);
  });

  it("seals, at the next start, a recording its process died in, up to its last whole segment (a half-written chunk cut off), and plays it", async () => {
    const before = new FileReplayStore(dir, { keep: 10, maxAgeMs: DAY, staleMs: 60_000 });
    await record(before, id(0), { segments: 2, end: false });
    await record(before, id(1), { segments: 0, end: false });
    // The crash hit in the middle of the third segment's write.
    await appendFile(join(dir, "replays", `${id(0)}.arpl`), new Uint8Array([ChunkKind.Segment, 200, 0, 0, 0, 1, 2, 3]));
    // As it lies, the reader refuses it.
    const cut = await readFile(join(dir, "replays", `${id(0)}.arpl`));
    expect(() => ReplayReader.open(cut)).toThrow(/truncated/);

    const after = new FileReplayStore(dir, { keep: 10, maxAgeMs: DAY, staleMs: 60_000 });
    const sealed = await after.get(id(0));
    expect(sealed).toMatchObject({ state: "ended", reason: "interrupted", segments: 2 });
    const reader = ReplayReader.open((await after.read(id(0)))!);
    expect(reader.end).toMatchObject({ reason: "interrupted", segments: 2, endTick: 300 });
    expect(reader.verify()).toBe(2);
    // Nothing whole was written of the other one: it is gone.
    expect(await after.get(id(1))).toBeUndefined();
    expect((await readdir(join(dir, "replays"))).filter((f) => f.startsWith(id(1)))).toEqual([]);
  });

  it("lists a private replay only as its players' own, and refuses appends to an ended one", async () => {
    const store = new FileReplayStore(dir, { keep: 10, maxAgeMs: DAY, staleMs: 60_000 });
    const meta = await record(store, id(0), { segments: 1, private: true, players: ["g_ann", "g_bob"] });
    expect(await store.list({ limit: 10 })).toEqual([]);
    expect(await store.list({ roomId: meta.roomId, limit: 10 })).toEqual([]);
    expect((await store.list({ userId: "g_bob", limit: 10 })).map((m) => m.id)).toEqual([id(0)]);
    expect(await store.list({ userId: "g_eve", limit: 10 })).toEqual([]);
    await expect(store.append(meta, new Uint8Array(8))).rejects.toThrow("not being recorded");
  });

  it("never looks up what is not an id (paths, other lengths)", async () => {
    const store = new FileReplayStore(dir, { keep: 10, maxAgeMs: DAY, staleMs: 60_000 });
    for (const bad of ["../../etc/passwd", "..%2Fx", "", "A".repeat(23), `${"A".repeat(21)}/`]) {
      expect(await store.get(bad), bad).toBeUndefined();
      expect(await store.read(bad), bad).toBeUndefined();
    }
  });
});
