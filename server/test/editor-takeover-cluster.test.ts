/**
 * Two processes on one real Redis. The process hosting a map is SIGKILLed mid-edit; the editors come back
 * through the other one, which opens the map from Redis (snapshot + op stream): every acknowledged op is
 * there, replay catch-up still works, and edits that were in flight or made offline land exactly once.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { ErrorCode } from "@colyseus/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EditorMessage, textInsert, textLength, type CommittedOp } from "@arena/shared/editor";
import { joinEditor, newMapId, spawnServer, startRedis, waitForMessage, type Editor, type GameServerProcess, type RedisProcess } from "@arena/testkit";
import { EDITOR_OP_BURST } from "../src/rooms/editor/EditorRoom.ts";
import { EDITOR_REDIS_SNAPSHOT_EVERY, editorMapKey, editorOpsKey } from "../src/rooms/editor/store.ts";
import { GHOST_TIMEOUT_S } from "../src/scale/ghostSweeper.ts";

let redis: RedisProcess;
let a: GameServerProcess;
let b: GameServerProcess;
const dirs: string[] = [];

async function serverOnRedis(): Promise<GameServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), "arena-editor-takeover-"));
  dirs.push(dir);
  return spawnServer({ REDIS_URL: redis.url, DATA_DIR: dir });
}

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([serverOnRedis(), serverOnRedis()]);
}, 30_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/**
 * Rejoins through `url` after `dead` was SIGKILLed at `killedAt`. Until the dead process's listing is swept
 * (within GHOST_TIMEOUT_S: docs/OPERATIONS.md, "Dead processes") Colyseus may still route the join to its room:
 * the seat reservation gets no answer, and once Colyseus' own retries run out the join fails with "process
 * <dead> is not available." That error, from an attempt begun within GHOST_TIMEOUT_S of the kill, is the one
 * a takeover produces and is retried; any other error, or that one later, fails the test.
 */
async function rejoinThrough(ed: Editor, url: string, dead: GameServerProcess, killedAt: number): Promise<void> {
  for (;;) {
    const startedAt = performance.now();
    try {
      await ed.rejoin(url);
      return;
    } catch (err) {
      const { code, message } = err as { code?: number; message?: string };
      const deadListing = code === ErrorCode.MATCHMAKE_UNHANDLED && message === `process ${dead.processId} is not available.`;
      if (!deadListing || startedAt - killedAt > GHOST_TIMEOUT_S * 1000) throw err;
    }
  }
}

async function allAt(eds: readonly Editor[], v: number): Promise<void> {
  for (const ed of eds) while (ed.doc.v < v) await waitForMessage(ed.room, EditorMessage.Op, 10_000);
}

it("the map's process SIGKILLed mid-edit: the other process opens it from Redis with every acknowledged op, catches clients up by replay, and lands in-flight and offline edits exactly once", async () => {
  const mapId = newMapId();
  const ann = await joinEditor(a.url, "ann", { mapId, create: true });
  const ben = await joinEditor(a.url, "ben", { mapId, code: ann.hello.codes!.edit });
  const cy = await joinEditor(a.url, "cy", { mapId, code: ann.hello.codes!.edit });
  const editors = [ann, ben, cy];
  for (const ed of editors) ed.room.reconnection.enabled = false;

  // More ops than a snapshot period, so the map is reopened from a snapshot and a stream tail.
  const perEditor = EDITOR_OP_BURST - 10;
  for (const [i, ed] of editors.entries()) {
    for (let k = 0; k < perEditor; k++) {
      if (k % 10 === 0) ed.doc.edit({ t: "addWall", id: `${ed.hello.you.slice(-6)}-${k}`, x: 20 + k * 30, y: 100 + i * 300, w: 20, h: 20 });
      else ed.doc.edit({ t: "text", field: "notes", op: textInsert(0, String.fromCharCode(97 + i)) });
    }
  }
  await Promise.all(editors.map((ed) => ed.settled(20_000)));
  await allAt(editors, editors.length * perEditor);
  expect(ann.doc.v).toBeGreaterThan(EDITOR_REDIS_SNAPSHOT_EVERY);

  // cy goes offline and keeps editing.
  await cy.leave();
  cy.doc.edit({ t: "text", field: "notes", op: textInsert(textLength(cy.doc.doc.notes), " cy-offline") });
  cy.doc.edit({ t: "addSpawn", id: "cy-spawn", x: 50, y: 50 });

  // ben stops hearing the server: his text is committed on A (ann sees it) but never confirmed to him,
  // and his wall waits behind it, unsent.
  ben.room.removeAllListeners();
  const benCommitted = waitForMessage<CommittedOp>(ann.room, EditorMessage.Op, 5000, (c) => c.by === ben.hello.you);
  ben.doc.edit({ t: "text", field: "notes", op: textInsert(0, "ben-inflight ") });
  ben.doc.edit({ t: "addWall", id: "ben-wall", x: 900, y: 900, w: 40, h: 40 });
  await benCommitted;
  expect(ben.doc.state).toBe("awaitingWithBuffer");

  // ann's last edit is acknowledged just before the kill.
  ann.doc.edit({ t: "text", field: "name", op: textInsert(0, "acked ") });
  await ann.settled();
  const acknowledged = ann.doc.doc;
  const ackedV = ann.doc.v;

  const killedAt = performance.now();
  await a.kill("SIGKILL");
  ann.doc.disconnected();
  ben.doc.disconnected();

  await rejoinThrough(ann, b.url, a, killedAt);
  const backAfter = performance.now() - killedAt;
  // The map's room now lives on B, rebuilt from Redis: ann, who held the latest version, gets nothing to replay.
  expect(ann.hello.catchUp).toEqual({ kind: "ops", ops: [] });
  expect(ann.doc.doc).toEqual(acknowledged);
  await rejoinThrough(ben, b.url, a, killedAt);
  // ben is behind by his own op and ann's: replayed from the log B rebuilt, his own confirming the one in flight.
  expect(ben.hello.catchUp.kind).toBe("ops");
  if (ben.hello.catchUp.kind === "ops") expect(ben.hello.catchUp.ops.map((c) => c.by)).toEqual([ben.hello.you, ann.hello.you]);
  await rejoinThrough(cy, b.url, a, killedAt);
  expect(cy.hello.catchUp.kind).toBe("ops");

  await Promise.all(editors.map((ed) => ed.settled(10_000)));
  // Exactly once: ben's wall and cy's two edits are the only versions after the acknowledged ones.
  const finalV = ackedV + 3;
  await allAt(editors, finalV);
  for (const ed of editors) {
    expect(ed.doc.v).toBe(finalV);
    expect(ed.doc.doc).toEqual(ann.doc.doc);
  }
  const doc = ann.doc.doc;
  expect(doc.name).toBe(acknowledged.name);
  expect(doc.notes).toBe(`${acknowledged.notes} cy-offline`);
  expect(doc.notes.split("ben-inflight")).toHaveLength(2);
  expect(doc.walls.map((w) => w.id)).toEqual([...acknowledged.walls.map((w) => w.id), "ben-wall"]);
  expect(doc.spawns.map((s) => s.id)).toEqual(["cy-spawn"]);

  // What Redis holds: a snapshot no further back than a period, and the stream up to the last version.
  const r = new Redis(redis.url);
  try {
    const snap = JSON.parse((await r.get(editorMapKey(mapId)))!) as { v: number };
    expect(snap.v).toBeGreaterThanOrEqual(EDITOR_REDIS_SNAPSHOT_EVERY);
    const last = await r.xrevrange(editorOpsKey(mapId), "+", "-", "COUNT", 1);
    expect(last[0]?.[0]).toBe(`${finalV}-0`);
  } finally {
    r.disconnect();
  }
  console.log(`editor takeover: ${ackedV} ops on A; SIGKILL to ann editing on B: ${Math.round(backAfter)} ms`);
  await Promise.all(editors.map((ed) => ed.leave()));
}, 60_000);

it("an op is acknowledged only once Redis has stored it: with Redis paused no confirmation comes, after it resumes the op is in the stream", async () => {
  const mapId = newMapId();
  const ann = await joinEditor(b.url, "ann", { mapId, create: true });
  ann.doc.edit({ t: "addWall", id: "before", x: 10, y: 10, w: 20, h: 20 });
  await ann.settled();
  redis.signal("SIGSTOP");
  try {
    ann.doc.edit({ t: "addWall", id: "paused", x: 100, y: 100, w: 20, h: 20 });
    // A confirmation normally takes a few ms; none may come while the op cannot be stored.
    await expect(waitForMessage(ann.room, EditorMessage.Op, 1000)).rejects.toThrow(/timed out/);
    expect(ann.doc.state).toBe("awaitingConfirm");
  } finally {
    redis.signal("SIGCONT");
  }
  await ann.settled(10_000);
  const r = new Redis(redis.url);
  try {
    const last = await r.xrevrange(editorOpsKey(mapId), "+", "-", "COUNT", 1);
    expect(last[0]?.[0]).toBe(`${ann.doc.v}-0`);
    expect((JSON.parse(last[0]![1][1]!) as CommittedOp).op).toMatchObject({ t: "addWall", id: "paused" });
  } finally {
    r.disconnect();
  }
  await ann.leave();
}, 30_000);
