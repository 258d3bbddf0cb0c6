/** The editor room through real servers and the real SDK: live editing, rights, bad input, reconnection, persistence. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JoinClient } from "@arena/shared/sdk";
import { EDITOR_LOG_WINDOW, EDITOR_MIN_SPAWNS, EditorMessage, ROOM_EDITOR, textInsert, textLength, type CursorOut, type PublishedOut, type RefusedOut } from "@arena/shared/editor";
import { guestToken, joinEditor, newMapId, startTestServer, waitForMessage, type Editor, type RunningServer } from "@arena/testkit";
import { EDITOR_OP_BURST } from "../src/rooms/editor/EditorRoom.ts";

let dataDir: string;
let server: RunningServer;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "arena-editor-"));
  server = await startTestServer({ DATA_DIR: dataDir });
});
afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function mapWithTwoEditors(): Promise<{ mapId: string; a: Editor; b: Editor }> {
  const mapId = newMapId();
  const a = await joinEditor(server.url, "ann", { mapId, create: true });
  expect(a.hello.role).toBe("edit");
  const b = await joinEditor(server.url, "ben", { mapId, code: a.hello.codes!.edit });
  return { mapId, a, b };
}

describe("editor room", () => {
  it("two editors typing and drawing at once converge with both texts kept, and see each other's cursor", async () => {
    const { a, b } = await mapWithTwoEditors();
    expect(b.hello.codes).toBeUndefined();
    a.doc.edit({ t: "text", field: "notes", op: textInsert(0, "north ") });
    b.doc.edit({ t: "text", field: "notes", op: textInsert(0, "south ") });
    a.doc.edit({ t: "addWall", id: "a-1", x: 100, y: 100, w: 50, h: 50 });
    b.doc.edit({ t: "addSpawn", id: "b-1", x: 10, y: 10 });
    const cursor = waitForMessage<CursorOut>(b.room, EditorMessage.Cursor);
    a.room.send(EditorMessage.Cursor, { x: 12, y: 34, sel: "a-1" });
    expect(await cursor).toEqual({ x: 12, y: 34, sel: "a-1", from: a.room.sessionId });
    await Promise.all([a.settled(), b.settled()]);
    while (a.doc.v !== b.doc.v) await waitForMessage(a.doc.v < b.doc.v ? a.room : b.room, EditorMessage.Op);
    expect(a.doc.doc).toEqual(b.doc.doc);
    expect(a.doc.doc.notes).toContain("north ");
    expect(a.doc.doc.notes).toContain("south ");
    expect(a.doc.doc.walls.map((w) => w.id)).toEqual(["a-1"]);
    await Promise.all([a.leave(), b.leave()]);
  });

  it("refuses a viewer's edit, a malformed op, a version ahead of the document and a flood; the document is unchanged and others edit on", async () => {
    const { mapId, a, b } = await mapWithTwoEditors();
    const viewer = await joinEditor(server.url, "vic", { mapId, code: a.hello.codes!.view });
    expect(viewer.hello.role).toBe("view");
    const before = a.doc.doc;
    const v0 = a.doc.v;
    const refusal = (ed: Editor, match: RegExp) => waitForMessage<RefusedOut>(ed.room, EditorMessage.Refused, 5000, (r) => match.test(r.error));

    let r = refusal(viewer, /view only/);
    viewer.room.send(EditorMessage.Op, { seq: 1, base: v0, op: { t: "addSpawn", id: "v-1", x: 1, y: 1 } });
    expect((await r).doc).toEqual(before);

    r = refusal(b, /malformed op/);
    b.room.send(EditorMessage.Op, { seq: 1, base: v0, op: { t: "addWall", id: "b-1", x: "a lot" } });
    expect((await r).v).toBe(v0);

    r = refusal(b, /ahead of the document/);
    b.room.send(EditorMessage.Op, { seq: 1, base: 1e15, op: { t: "addSpawn", id: "b-2", x: 1, y: 1 } });
    await r;

    r = refusal(b, /too many edits/);
    for (let i = 0; i < EDITOR_OP_BURST + 20; i++) b.room.send(EditorMessage.Op, { seq: 1, base: 1e15, op: { t: "remove", id: "nothing" } });
    await r;
    expect(a.doc.v).toBe(v0);

    // Others are unaffected: an editor's edit still lands for everyone, the viewer included.
    a.doc.edit({ t: "addSpawn", id: "a-9", x: 5, y: 5 });
    await a.settled();
    while (viewer.doc.v < a.doc.v) await waitForMessage(viewer.room, EditorMessage.Op);
    expect(viewer.doc.doc).toEqual(a.doc.doc);
    expect(a.doc.doc.spawns.map((s) => s.id)).toEqual(["a-9"]);
    await Promise.all([a.leave(), b.leave(), viewer.leave()]);
  });

  it("refuses a join with no token, a forged token, or no valid code", async () => {
    const mapId = newMapId();
    const a = await joinEditor(server.url, "ann", { mapId, create: true });
    const anonymous = new JoinClient(server.url);
    await expect(anonymous.joinOrCreate(ROOM_EDITOR, { mapId, clientId: "anon1" })).rejects.toThrow();
    const forged = new JoinClient(server.url);
    forged.auth.token = `${await guestToken(server.url, "eve")}x`;
    await expect(forged.joinOrCreate(ROOM_EDITOR, { mapId, code: a.hello.codes!.edit, clientId: "eve01" })).rejects.toThrow();
    await expect(joinEditor(server.url, "mal", { mapId, code: "guessed-code" })).rejects.toThrow(/code/);
    await expect(joinEditor(server.url, "mal", { mapId })).rejects.toThrow(/code/);
    await expect(joinEditor(server.url, "mal", { mapId: newMapId() })).rejects.toThrow(/no map/);
    await a.leave();
  });

  it("a client offline for 50 ops catches up by replay and its offline edits land exactly once", async () => {
    const { a, b } = await mapWithTwoEditors();
    await b.leave();
    for (let i = 0; i < 50; i++) a.doc.edit({ t: "text", field: "notes", op: textInsert(0, "a") });
    await a.settled();
    b.doc.edit({ t: "addSpawn", id: "b-offline", x: 7, y: 7 });
    b.doc.edit({ t: "text", field: "notes", op: textInsert(0, "B") });
    await b.rejoin();
    expect(b.hello.catchUp.kind).toBe("ops");
    if (b.hello.catchUp.kind === "ops") expect(b.hello.catchUp.ops).toHaveLength(50);
    await b.settled();
    while (a.doc.v < b.doc.v) await waitForMessage(a.room, EditorMessage.Op);
    expect(a.doc.doc).toEqual(b.doc.doc);
    expect(a.doc.doc.spawns.filter((s) => s.id === "b-offline")).toHaveLength(1);
    expect([...a.doc.doc.notes].sort().join("")).toBe(`B${"a".repeat(50)}`);
    await Promise.all([a.leave(), b.leave()]);
  });

  it("a client offline beyond the log window catches up by snapshot; its offline wall and text land exactly once, beside the text typed meanwhile", async () => {
    const { mapId, a, b } = await mapWithTwoEditors();
    a.doc.edit({ t: "addWall", id: "w", x: 10, y: 10, w: 20, h: 20 });
    a.doc.edit({ t: "text", field: "notes", op: textInsert(0, "base") });
    await a.settled();
    while (b.doc.v < a.doc.v) await waitForMessage(b.room, EditorMessage.Op);
    await b.leave();
    b.doc.edit({ t: "addWall", id: "b-offline", x: 300, y: 300, w: 40, h: 40 });
    b.doc.edit({ t: "text", field: "notes", op: textInsert(0, "south ") });
    b.doc.edit({ t: "text", field: "notes", op: textInsert(textLength(b.doc.doc.notes), " end") });
    b.doc.edit({ t: "text", field: "name", op: textInsert(0, "B ") });
    a.doc.edit({ t: "text", field: "notes", op: textInsert(0, "north ") });
    a.doc.edit({ t: "text", field: "notes", op: textInsert(textLength(a.doc.doc.notes), " fin") });
    // More ops than the log keeps, from enough editors to stay under each one's rate limit.
    const perEditor = EDITOR_OP_BURST - 5;
    const writers = [a, ...(await Promise.all(Array.from({ length: Math.ceil((EDITOR_LOG_WINDOW + 20) / perEditor) - 1 }, (_, i) =>
      joinEditor(server.url, `w${i}`, { mapId, code: a.hello.codes!.edit }))))];
    for (const [i, w] of writers.entries()) for (let k = 0; k < perEditor; k++) w.doc.edit({ t: "set", id: "w", x: 10 + ((i * perEditor + k) % 500) });
    await Promise.all(writers.map((w) => w.settled(20_000)));
    expect(a.doc.v).toBeGreaterThan(EDITOR_LOG_WINDOW + 3);
    // An op made on a version the log no longer holds is refused with the state to rebase on (not to start over from).
    const lagging = waitForMessage<RefusedOut>(a.room, EditorMessage.Refused);
    a.room.send(EditorMessage.Op, { seq: 1_000_000, base: 1, op: { t: "text", field: "notes", op: textInsert(0, "late") } });
    expect(await lagging).toMatchObject({ seq: 1_000_000, resync: true, v: a.doc.v, doc: a.doc.doc });
    expect(b.doc.pending.filter((op) => op.t === "text")).toHaveLength(3);
    await b.rejoin();
    expect(b.hello.catchUp.kind).toBe("snapshot");
    await b.settled();
    while (a.doc.v < b.doc.v) await waitForMessage(a.room, EditorMessage.Op);
    expect(b.doc.doc).toEqual(a.doc.doc);
    expect(b.dropped).toEqual([]);
    expect(a.doc.doc.walls.filter((w) => w.id === "b-offline")).toHaveLength(1);
    const notes = a.doc.doc.notes;
    for (const part of ["north ", "south ", "base", " end", " fin"]) expect(notes.split(part), `"${part}" once in "${notes}"`).toHaveLength(2);
    expect(textLength(notes)).toBe(textLength("north south base end fin"));
    expect(a.doc.doc.name).toBe("B untitled");
    await Promise.all([...writers, b].map((w) => w.leave()));
  });

  it("a resent op already committed is not applied twice", async () => {
    const { a, b } = await mapWithTwoEditors();
    const v0 = a.doc.v;
    const op = { seq: 1, base: v0, op: { t: "addSpawn", id: "dup", x: 1, y: 1 } };
    b.room.send(EditorMessage.Op, op);
    await waitForMessage(a.room, EditorMessage.Op);
    const echo = waitForMessage<{ v: number }>(b.room, EditorMessage.Op, 5000, (c) => c.v === v0 + 1);
    b.room.send(EditorMessage.Op, op);
    await echo;
    a.doc.edit({ t: "addSpawn", id: "after", x: 2, y: 2 });
    await a.settled();
    expect(a.doc.v).toBe(v0 + 2);
    expect(a.doc.doc.spawns.map((s) => s.id)).toEqual(["dup", "after"]);
    await Promise.all([a.leave(), b.leave()]);
  });

  it("publish: refused with the map's problems, then frozen as version 1 and served over HTTP for good; viewers cannot publish", async () => {
    const { mapId, a, b } = await mapWithTwoEditors();
    let answer = waitForMessage<PublishedOut>(a.room, EditorMessage.Publish);
    a.room.send(EditorMessage.Publish, {});
    const refused = await answer;
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.problems[0]).toMatch(/spawns/);
    for (let i = 0; i < EDITOR_MIN_SPAWNS; i++) (i % 2 ? a : b).doc.edit({ t: "addSpawn", id: `s${i}`, x: 100 + i * 100, y: 200 });
    a.doc.edit({ t: "addWall", id: "cover", x: 500, y: 500, w: 100, h: 100 });
    await Promise.all([a.settled(), b.settled()]);
    while (a.doc.v < b.doc.v) await waitForMessage(a.room, EditorMessage.Op);
    const viewer = await joinEditor(server.url, "vic", { mapId, code: a.hello.codes!.view });
    const viewerRefused = waitForMessage<RefusedOut>(viewer.room, EditorMessage.Refused);
    viewer.room.send(EditorMessage.Publish, {});
    expect((await viewerRefused).error).toMatch(/view only/);
    answer = waitForMessage<PublishedOut>(a.room, EditorMessage.Publish);
    a.room.send(EditorMessage.Publish, {});
    const published = await answer;
    expect(published).toEqual({ ok: true, version: 1, url: `/api/maps/${mapId}/1` });
    // Later edits do not change the frozen version.
    a.doc.edit({ t: "remove", id: "cover" });
    await a.settled();
    const res = await fetch(`${server.url}/api/maps/${mapId}/1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("immutable");
    const map = (await res.json()) as { walls: unknown[]; spawns: unknown[] };
    expect(map.walls).toEqual([{ x: 500, y: 500, w: 100, h: 100 }]);
    expect(map.spawns).toHaveLength(EDITOR_MIN_SPAWNS);
    expect((await fetch(`${server.url}/api/maps/${mapId}/2`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/maps/..%2f..%2fetc/1`)).status).toBe(400);
    await Promise.all([a.leave(), b.leave(), viewer.leave()]);
  });

  it("keeps the map across a restart of the process (data directory)", async () => {
    const mapId = newMapId();
    const a = await joinEditor(server.url, "ann", { mapId, create: true });
    a.doc.edit({ t: "addWall", id: "keep", x: 10, y: 20, w: 30, h: 40 });
    a.doc.edit({ t: "text", field: "name", op: textInsert(0, "kept ") });
    await a.settled();
    const doc = a.doc.doc;
    const codes = a.hello.codes!;
    await a.leave();
    await server.close();
    server = await startTestServer({ DATA_DIR: dataDir });
    const again = await joinEditor(server.url, "ben", { mapId, code: codes.edit });
    expect(again.doc.doc).toEqual(doc);
    expect(again.doc.v).toBe(2);
    await again.leave();
  });
});
