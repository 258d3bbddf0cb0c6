/**
 * Editor maps in Redis (a snapshot and a stream of ops per map): a process started after the first one
 * stopped hosts the map, with an empty data directory, and still catches clients up by replay; the
 * store's own rules (gaps, a stale writer, records from before the stream).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EDITOR_LOG_WINDOW, EditorAuthority, emptyMapDocument, textInsert, type AuthoritySnapshot, type EditOp } from "@arena/shared/editor";
import { EDITOR_REDIS_SNAPSHOT_EVERY, RedisMapStore, editorMapKey, editorOpsKey, type StoredMap } from "../src/rooms/editor/store.ts";
import { startRedis, startTestServer, type RedisProcess, type RunningServer } from "@arena/testkit";
import { joinEditor, newMapId } from "@arena/testkit";

let redis: RedisProcess;
const dirs: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function serverOnRedis(): Promise<RunningServer> {
  const dir = await mkdtemp(join(tmpdir(), "arena-editor-redis-"));
  dirs.push(dir);
  return startTestServer({ REDIS_URL: redis.url, DATA_DIR: dir });
}

it("with REDIS_URL the map outlives its process: the next process, with no local data, serves it", async () => {
  const first = await serverOnRedis();
  const mapId = newMapId();
  const a = await joinEditor(first.url, "ann", { mapId, create: true });
  a.doc.edit({ t: "addWall", id: "r-1", x: 100, y: 100, w: 40, h: 40 });
  await a.settled();
  const behind = await joinEditor(first.url, "cy", { mapId, code: a.hello.codes!.edit });
  await behind.leave();
  a.doc.edit({ t: "text", field: "notes", op: textInsert(0, "in redis") });
  for (let i = 0; i < 20; i++) a.doc.edit({ t: "set", id: "r-1", x: 100 + i });
  await a.settled();
  const doc = a.doc.doc;
  const code = a.hello.codes!.edit;
  await a.leave();
  await first.close();
  const second = await serverOnRedis();
  try {
    const b = await joinEditor(second.url, "ben", { mapId, code });
    expect(b.doc.doc).toEqual(doc);
    expect(b.doc.v).toBe(22);
    // A client 21 ops behind catches up by replay from the stream, not by snapshot.
    await behind.rejoin(second.url);
    expect(behind.hello.catchUp.kind).toBe("ops");
    if (behind.hello.catchUp.kind === "ops") expect(behind.hello.catchUp.ops).toHaveLength(21);
    expect(behind.doc.doc).toEqual(doc);
    await Promise.all([b.leave(), behind.leave()]);
  } finally {
    await second.close();
  }
});

/** A map of `n` committed ops, as the room would store it: each op appended, a snapshot every period. */
async function storeOps(store: RedisMapStore, mapId: string, n: number): Promise<EditorAuthority> {
  const authority = new EditorAuthority(emptyMapDocument("m"));
  const map = (a: AuthoritySnapshot): StoredMap => ({ mapId, editCode: "e".repeat(16), viewCode: "v".repeat(16), creator: "u1", authority: a });
  await store.save(map(authority.snapshot()));
  for (let i = 1; i <= n; i++) {
    const op: EditOp = i === 1 ? { t: "addWall", id: "w", x: 0, y: 0, w: 20, h: 20 } : { t: "set", id: "w", x: i };
    const r = authority.submit("u1.tab1", i, i - 1, op);
    if (!r.ok) throw new Error(r.error);
    await store.append(mapId, r.committed);
    if (i % EDITOR_REDIS_SNAPSHOT_EVERY === 0) await store.save(map(authority.snapshot()));
  }
  return authority;
}

it("the store: snapshot + stream give back document, version and a full replay log; a gap stops the document before it; a stale snapshot does not overwrite a newer one; a pre-stream record still loads", async () => {
  const r = new Redis(redis.url);
  const store = new RedisMapStore(new Redis(redis.url));
  try {
    const mapId = newMapId();
    const authority = await storeOps(store, mapId, 750);
    const t0 = performance.now();
    const loaded = (await store.load(mapId))!;
    console.log(`editor map of 750 ops loaded from Redis (snapshot at 700 + ${EDITOR_LOG_WINDOW}-op log) in ${(performance.now() - t0).toFixed(1)} ms`);
    expect(loaded.gapAt).toBeUndefined();
    expect(loaded.authority.v).toBe(750);
    expect(loaded.authority.doc).toEqual(authority.doc);
    expect(loaded.authority.log).toEqual(authority.snapshot().log);
    expect(loaded.authority.log).toHaveLength(EDITOR_LOG_WINDOW);
    expect(loaded.authority.lastSeq).toEqual({ "u1.tab1": 750 });
    // The stream is capped near the log window, not grown with every op.
    expect(await r.xlen(editorOpsKey(mapId))).toBeLessThan(EDITOR_LOG_WINDOW + 200);

    // An op lost from the stream: the map opens at the version before it and says so.
    await r.xdel(editorOpsKey(mapId), "720-0");
    const gapped = (await store.load(mapId))!;
    expect(gapped.gapAt).toBe(720);
    expect(gapped.authority.v).toBe(719);
    // The room then saves with distrustLog: the stream is dropped and appends start after the snapshot.
    await store.save({ ...gapped, authority: gapped.authority }, { distrustLog: true });
    expect(await r.exists(editorOpsKey(mapId))).toBe(0);
    const healed = (await store.load(mapId))!;
    expect(healed.gapAt).toBeUndefined();
    expect(healed.authority.v).toBe(719);
    expect(healed.authority.log).toEqual([]);

    // A process that lost the map must not roll it back.
    await store.save({ ...healed, authority: { ...healed.authority, v: 10 } });
    expect((await store.load(mapId))!.authority.v).toBe(719);

    // A record written before the op stream (the whole authority in one key) loads as it was.
    const old = newMapId();
    const snap = authority.snapshot();
    await r.set(editorMapKey(old), JSON.stringify({ mapId: old, editCode: "e", viewCode: "v", creator: "u1", authority: snap }));
    expect((await store.load(old))!.authority).toEqual(snap);
  } finally {
    r.disconnect();
    store.close();
  }
});
