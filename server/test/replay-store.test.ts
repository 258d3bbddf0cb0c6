/**
 * The replay store of one process (DATA_DIR/replays): retention by count and by age, a recording cut off by
 * a crash sealed up to its last whole segment (and still played back), what is listed to whom, and ids that
 * are not ids never reaching the filesystem.
 */
import { appendFile, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChunkKind, ReplayReader } from "@arena/shared/replay";
import { FileReplayStore } from "../src/replay/fileStore.ts";
import { id, record } from "./replayRecording.ts";

const DAY = 24 * 3600 * 1000;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "replay-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});


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
