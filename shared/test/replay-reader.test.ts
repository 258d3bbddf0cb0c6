/** The replay format's framing, keyframe index, seek and refusals, on recordings built here from a real schema encoder. */
import { Encoder, Reflection } from "@colyseus/schema";
import { deflateSync, inflateSync } from "fflate";
import { describe, expect, it } from "vitest";
import { ArenaState, Player } from "../src/index.ts";
import {
  CHUNK_HEAD_BYTES, ChunkKind, REPLAY_FORMAT, RecordKind, ReplayError, ReplayReader, SEGMENT_FRESH, SEGMENT_HEAD_BYTES, SegmentBuilder,
  canonicalJson, encodeChunk, encodeJsonChunk, encodeSegmentBody, fileStart, hex, readChunks, readSegmentBody, readSegmentHead, stateHash,
  type ReplayEnd, type ReplayHeader,
} from "../src/replay/index.ts";

const TICK_RATE = 30;
const KEY_TICKS = 30;

interface Built {
  file: Uint8Array;
  /** The server's state (canonical JSON) after each tick's patch. */
  truth: Map<number, string>;
  chunks: Uint8Array[];
}

/**
 * A match of `ticks` steps with three players who move every tick and a kill every 20 ticks, recorded as the
 * server does: a patch per tick, a keyframe every KEY_TICKS. `freshAt`: at that tick the state moves to a new
 * encoder (as a takeover does) and the next segment is fresh.
 */
function build(ticks: number, freshAt?: number): Built {
  let state = new ArenaState();
  for (const id of ["a", "b", "c"]) {
    const p = new Player();
    p.name = `P-${id}`;
    p.x = 100;
    p.y = 100;
    p.alive = true;
    state.players.set(id, p);
  }
  let encoder = new Encoder(state);
  const truth = new Map<number, string>();
  const header: ReplayHeader = {
    format: REPLAY_FORMAT, id: "AAAAAAAAAAAAAAAAAAAAAA", roomId: "room", mode: "ffa", private: false, startedAt: 1, tickRate: TICK_RATE, patchRate: TICK_RATE,
    keyframeTicks: KEY_TICKS, map: { name: "t", width: 100, height: 100, walls: [], spawns: [] }, handshake: hex(Reflection.encode(encoder)),
  };
  const chunks: Uint8Array[] = [concat(fileStart(), encodeJsonChunk(ChunkKind.Header, header))];
  let segment: SegmentBuilder | undefined;
  let flags = SEGMENT_FRESH;
  let hash: Uint8Array = new Uint8Array(32);
  const close = (): void => {
    if (segment === undefined) return;
    chunks.push(encodeChunk(ChunkKind.Segment, encodeSegmentBody({ keyTick: segment.keyTick, lastTick: segment.lastTick, flags, stateHash: hash }, segment.bytes(), (raw) => deflateSync(raw))));
  };
  const keyframe = (f: number): void => {
    close();
    segment = new SegmentBuilder(state.tick, encoder.encodeAll().slice());
    flags = f;
    hash = stateHash(state);
  };
  keyframe(SEGMENT_FRESH);
  truth.set(0, canonicalJson(state.toJSON()));
  for (let t = 1; t <= ticks; t++) {
    state.tick = t;
    state.players.forEach((p, id) => {
      p.x = 100 + ((t * (id.charCodeAt(0) - 96)) % 700);
      p.y = 100 + ((t * 3) % 500);
    });
    if (t % 20 === 0) {
      const victim = state.players.get("b")!;
      victim.deaths++;
      victim.killedBy = "a";
      state.players.get("a")!.kills++;
      segment!.add(RecordKind.Event, t, new TextEncoder().encode(JSON.stringify({ type: "kill", tick: t, killer: "a", killerName: "P-a", victim: "b", victimName: "P-b" })));
    }
    if (t === 50) state.players.delete("c");
    if (freshAt !== undefined && t === freshAt) {
      // A takeover: the same match on another process, whose new encoder numbers every reference afresh.
      const moved = new ArenaState();
      moved.tick = state.tick;
      state.players.forEach((p, id) => {
        const copy = new Player();
        Object.assign(copy, p.toJSON());
        moved.players.set(id, copy);
      });
      state = moved;
      encoder = new Encoder(state);
      truth.set(t, canonicalJson(state.toJSON()));
      keyframe(SEGMENT_FRESH);
      continue;
    }
    segment!.add(RecordKind.Patch, t, encoder.encode().slice());
    encoder.discardChanges();
    truth.set(t, canonicalJson(state.toJSON()));
    if (t - segment!.keyTick >= KEY_TICKS) keyframe(0);
  }
  close();
  const end: ReplayEnd = { segments: chunks.length - 1, endTick: ticks, endedAt: 2, reason: "match_over", standings: [] };
  chunks.push(encodeJsonChunk(ChunkKind.End, end));
  return { file: concatAll(chunks), truth, chunks };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  return concatAll([a, b]);
}

function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function refusal(fn: () => unknown): ReplayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ReplayError) return e;
    throw e;
  }
  throw new Error("not refused");
}

/** Chunk `index` of `b` replaced by `chunk`. */
function withChunk(b: Built, index: number, chunk: Uint8Array): Uint8Array {
  return concatAll(b.chunks.map((c, i) => (i === index ? chunk : c)));
}

describe("replay framing and index", () => {
  const built = build(100);

  it("frames records of any length, from any offset of their bytes, through the segment buffer's growth, as the reader splits them", () => {
    // Lengths about the short-copy bound (copied byte by byte below it, by `set` above), ticks past 2^24 (all four bytes).
    const lengths = [0, 1, 255, 256, 257, 3000, 7, 70_000];
    let seed = 7;
    const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const keyTick = 0x01_02_03_04;
    const keyframe = random(100);
    const builder = new SegmentBuilder(keyTick, keyframe, 64);
    const added = lengths.map((n, i) => {
      const from = i % 3; // a patch is the encoder's output after its protocol byte
      const source = random(from + n);
      const tick = keyTick + 0x01_00_00 * i;
      builder.add(i % 2 === 0 ? RecordKind.Patch : RecordKind.Event, tick, source, from);
      return { kind: i % 2 === 0 ? RecordKind.Patch : RecordKind.Event, tick, bytes: source.slice(from) };
    });
    const chunk = encodeChunk(ChunkKind.Segment, encodeSegmentBody({ keyTick, lastTick: builder.lastTick, flags: 0, stateHash: new Uint8Array(32) }, builder.bytes(), (raw) => deflateSync(raw)));
    const [segment] = readChunks(concatAll([fileStart(), chunk]));
    const read = readSegmentBody(segment!, readSegmentHead(segment!));
    expect(read.keyframe).toEqual(keyframe);
    expect(read.records.map((r) => ({ kind: r.kind, tick: r.tick, bytes: r.bytes.slice() }))).toEqual(added);
    expect(builder.lastTick).toBe(added.at(-1)!.tick);
  });

  it("writes a text record as the UTF-8 of its text, ASCII or not, through the buffer's growth", () => {
    const texts = ["", "plain ascii", "zoë", "忍者 and more", "🙂", "lone \ud83d surrogate", "x".repeat(5000) + "é"];
    const builder = new SegmentBuilder(0, new Uint8Array(4), 16);
    texts.forEach((t, i) => builder.addText(RecordKind.Event, i, t));
    const chunk = encodeChunk(ChunkKind.Segment, encodeSegmentBody({ keyTick: 0, lastTick: builder.lastTick, flags: 0, stateHash: new Uint8Array(32) }, builder.bytes(), (raw) => deflateSync(raw)));
    const [segment] = readChunks(concatAll([fileStart(), chunk]));
    const read = readSegmentBody(segment!, readSegmentHead(segment!));
    expect(read.records.map((r) => r.bytes.slice())).toEqual(texts.map((t) => new TextEncoder().encode(t)));
    expect(read.records.map((r) => r.tick)).toEqual(texts.map((_, i) => i));
  });

  it("splits a recording into header, segments and end, each chunk's hash checked", () => {
    const chunks = readChunks(built.file);
    expect(chunks.map((c) => c.kind)).toEqual([ChunkKind.Header, ChunkKind.Segment, ChunkKind.Segment, ChunkKind.Segment, ChunkKind.Segment, ChunkKind.End]);
    expect(readSegmentHead(chunks[1]!)).toMatchObject({ keyTick: 0, lastTick: 30, flags: SEGMENT_FRESH, rawLength: expect.any(Number) });
  });

  it("indexes a keyframe every KEY_TICKS and finds the one a seek starts from", () => {
    const reader = ReplayReader.open(built.file);
    expect(reader.keyframes.map((k) => [k.keyTick, k.lastTick, k.fresh])).toEqual([[0, 30, true], [30, 60, false], [60, 90, false], [90, 100, false]]);
    expect([0, 29, 30, 31, 89, 90, 100].map((t) => reader.keyframeIndexAt(t))).toEqual([0, 0, 1, 1, 2, 3, 3]);
    expect(reader.firstTick).toBe(0);
    expect(reader.lastTick).toBe(100);
    expect(reader.events.map((e) => e.tick)).toEqual([20, 40, 60, 80, 100]);
  });

  it("seeks to every tick and finds the server's state at that tick", () => {
    const reader = ReplayReader.open(built.file);
    for (let t = 0; t <= 100; t++) expect(canonicalJson(reader.seek(t).state.toJSON()), `tick ${t}`).toBe(built.truth.get(t));
  });

  it("plays forward from a seek to the same states, and verify checks every keyframe both ways", () => {
    const reader = ReplayReader.open(built.file);
    const cursor = reader.seek(7);
    for (const t of [8, 30, 31, 59, 60, 61, 100]) {
      expect(cursor.advance(t)).toBe(false);
      expect(canonicalJson(cursor.state.toJSON()), `tick ${t}`).toBe(built.truth.get(t));
    }
    // 4 keyframes decoded or crossed from the start: the first decoded, three reached by patches.
    expect(reader.verify()).toBe(4);
  });

  it("switches to a fresh keyframe (a takeover's new encoder) and says the state object was replaced", () => {
    const b = build(100, 45);
    const reader = ReplayReader.open(b.file);
    expect(reader.keyframes.filter((k) => k.fresh).map((k) => k.keyTick)).toEqual([0, 45]);
    const cursor = reader.seek(40);
    expect(cursor.advance(44)).toBe(false);
    expect(cursor.advance(46)).toBe(true);
    expect(canonicalJson(cursor.state.toJSON())).toBe(b.truth.get(46));
    for (const t of [44, 45, 46, 75, 100]) expect(canonicalJson(reader.seek(t).state.toJSON()), `tick ${t}`).toBe(b.truth.get(t));
    reader.verify();
  });

  it("refuses ticks outside the recording, and playing backwards", () => {
    const reader = ReplayReader.open(built.file);
    expect(refusal(() => reader.seek(101)).code).toBe("out_of_range");
    expect(refusal(() => reader.seek(-1)).code).toBe("out_of_range");
    expect(refusal(() => reader.seek(50).advance(10)).code).toBe("out_of_range");
  });
});

describe("replay refusals", () => {
  const built = build(100);

  it("refuses what is not a recording, or another format", () => {
    expect(refusal(() => ReplayReader.open(new TextEncoder().encode("hello world"))).code).toBe("not_a_replay");
    const other = built.file.slice();
    other[4] = REPLAY_FORMAT + 1;
    expect(refusal(() => ReplayReader.open(other))).toMatchObject({ code: "unsupported_format", message: expect.stringContaining(`format ${REPLAY_FORMAT + 1}`) });
  });

  it("refuses a recording truncated anywhere: inside a chunk, or at a chunk's edge", () => {
    for (let cut = 1; cut < built.file.length; cut += 97) {
      const err = refusal(() => ReplayReader.open(built.file.subarray(0, cut)));
      expect(["not_a_replay", "truncated", "unfinished"], `cut at ${cut}: ${err.message}`).toContain(err.code);
    }
    // Cut right after a whole segment: no end chunk.
    const lastSegmentEnd = built.file.length - built.chunks[built.chunks.length - 1]!.length;
    expect(refusal(() => ReplayReader.open(built.file.subarray(0, lastSegmentEnd)))).toMatchObject({ code: "unfinished", message: expect.stringContaining("no end chunk") });
  });

  it("refuses a recording that lost a segment (the end chunk counts them)", () => {
    const missing = concatAll(built.chunks.filter((_, i) => i !== 2));
    expect(refusal(() => ReplayReader.open(missing))).toMatchObject({ code: "truncated", message: expect.stringContaining("counts 4 segments, 3 are there") });
  });

  it("refuses any flipped byte: its chunk no longer matches its hash", () => {
    for (let at = 5; at < built.file.length; at += 61) {
      const bad = built.file.slice();
      bad[at] = bad[at]! ^ 0x40;
      const err = refusal(() => ReplayReader.open(bad));
      expect(["corrupted", "truncated"], `byte ${at}: ${err.message}`).toContain(err.code);
    }
  });

  it("refuses, on seek, a keyframe whose state is not the one the server hashed (chunk re-hashed, so the framing passes)", () => {
    const body = built.chunks[2]!.subarray(CHUNK_HEAD_BYTES).slice();
    body[9] = body[9]! ^ 1; // the state hash's first byte
    const file = withChunk(built, 2, encodeChunk(ChunkKind.Segment, body));
    const reader = ReplayReader.open(file);
    expect(reader.seek(29).tick).toBe(29);
    expect(refusal(() => reader.seek(30))).toMatchObject({ code: "hash_mismatch", message: expect.stringContaining("keyframe tick 30 as decoded from its keyframe") });
    // Played from the start, the patches reach tick 30 with a state that does not match either.
    expect(refusal(() => reader.seek(10).advance(30))).toMatchObject({ code: "hash_mismatch", message: expect.stringContaining("as played from the previous keyframe's patches") });
  });

  it("refuses, when played, patches that no longer build the server's state (a re-framed segment missing one patch)", () => {
    // Segment 2 (ticks 30-60) rebuilt without the patch of tick 50, which removed a player: valid framing, valid deflate, wrong state.
    const head = readSegmentHead(readChunks(built.file)[2]!);
    const raw = inflateSync(built.chunks[2]!.subarray(CHUNK_HEAD_BYTES + SEGMENT_HEAD_BYTES));
    const dropped = splitRecords(raw).find((r) => r.kind === RecordKind.Patch && r.tick === 50)!;
    const without = concatAll([raw.subarray(0, dropped.start), raw.subarray(dropped.end)]);
    const body = encodeSegmentBody({ keyTick: head.keyTick, lastTick: head.lastTick, flags: head.flags, stateHash: head.stateHash }, without, (r) => deflateSync(r));
    const bad = ReplayReader.open(withChunk(built, 2, encodeChunk(ChunkKind.Segment, body)));
    expect(ReplayReader.open(built.file).verify()).toBe(4);
    expect(refusal(() => bad.verify())).toMatchObject({ code: "hash_mismatch", message: expect.stringContaining("keyframe tick 60 as played from the previous keyframe's patches") });
    // A seek past it starts from keyframe 60 and is not misled.
    expect(canonicalJson(bad.seek(61).state.toJSON())).toBe(built.truth.get(61));
  });
});

interface RawRecord {
  kind: number;
  tick: number;
  start: number;
  end: number;
  bytes: Uint8Array;
}

function splitRecords(raw: Uint8Array): RawRecord[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: RawRecord[] = [];
  let at = 4 + view.getUint32(0, true);
  while (at < raw.length) {
    const length = view.getUint32(at + 5, true);
    out.push({ kind: raw[at]!, tick: view.getUint32(at + 1, true), start: at, end: at + 9 + length, bytes: raw.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return out;
}

