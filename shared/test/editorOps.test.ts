import { describe, expect, it } from "vitest";
import {
  EDITOR_MAX_WALLS, EDITOR_MIN_SPAWNS, EditorAuthority, EditorClient, applyOp, emptyMapDocument, publishProblems, textInsert,
  type EditOp, type OutgoingOp,
} from "../src/editor/index.ts";

/** Two clients on one authority; messages are delivered only when the test says so. */
function pair() {
  const server = new EditorAuthority(emptyMapDocument());
  const outbox: Record<string, OutgoingOp[]> = { a: [], b: [] };
  const dropped: string[] = [];
  const a = new EditorClient("a", server.doc, 0, (o) => outbox.a!.push(o), (_op, reason) => dropped.push(reason));
  const b = new EditorClient("b", server.doc, 0, (o) => outbox.b!.push(o));
  const flush = (order: readonly string[] = ["a", "b"]) => {
    for (const id of order) {
      for (const out of outbox[id]!.splice(0)) {
        const res = server.submit(id, out.seq, out.base, out.op);
        if (!res.ok) throw new Error(res.error);
        a.receive(res.committed);
        b.receive(res.committed);
      }
    }
    if (outbox.a!.length + outbox.b!.length > 0) flush(order);
  };
  return { server, a, b, flush, dropped };
}

describe("editor operations", () => {
  it("two people typing at the same place both keep their text", () => {
    const { server, a, b, flush } = pair();
    a.edit({ t: "text", field: "notes", op: textInsert(0, "hello ") });
    b.edit({ t: "text", field: "notes", op: textInsert(0, "world ") });
    expect(a.state).toBe("awaitingConfirm");
    flush();
    expect(server.doc.notes).toContain("hello ");
    expect(server.doc.notes).toContain("world ");
    expect(a.doc).toEqual(server.doc);
    expect(b.doc).toEqual(server.doc);
  });

  it("an edit to an object someone else deleted is dropped and its author told", () => {
    const { server, a, b, flush, dropped } = pair();
    b.edit({ t: "addWall", id: "b-1", x: 10, y: 10, w: 50, h: 50 });
    flush();
    b.edit({ t: "remove", id: "b-1" });
    a.edit({ t: "set", id: "b-1", x: 500 });
    flush(["b", "a"]);
    expect(server.doc.walls).toEqual([]);
    expect(dropped).toEqual(["object b-1 was deleted"]);
    expect(a.doc).toEqual(server.doc);
  });

  it("moves of one wall by two people: the later in server order wins per property", () => {
    const { server, a, b, flush } = pair();
    a.edit({ t: "addWall", id: "a-1", x: 10, y: 10, w: 50, h: 50 });
    flush();
    a.edit({ t: "set", id: "a-1", x: 100 });
    b.edit({ t: "set", id: "a-1", x: 200, h: 70 });
    flush();
    expect(server.doc.walls[0]).toEqual({ id: "a-1", x: 200, y: 10, w: 50, h: 70 });
  });

  it("undo takes back only one's own edit, after another's concurrent text", () => {
    const { server, a, b, flush } = pair();
    a.edit({ t: "text", field: "notes", op: textInsert(0, "abc") });
    flush();
    b.edit({ t: "text", field: "notes", op: textInsert(0, "XY") });
    a.edit({ t: "text", field: "notes", op: textInsert(3, "def") });
    flush();
    expect(server.doc.notes).toBe("XYabcdef");
    a.undo();
    flush();
    expect(server.doc.notes).toBe("XYabc");
    a.redo();
    flush();
    expect(server.doc.notes).toBe("XYabcdef");
  });

  it("buffered edits are sent one at a time, in order", () => {
    const { a, flush, server } = pair();
    const ops: EditOp[] = [1, 2, 3].map((n) => ({ t: "addSpawn", id: `a-${n}`, x: n, y: n }));
    for (const op of ops) a.edit(op);
    expect(a.state).toBe("awaitingWithBuffer");
    flush();
    expect(a.state).toBe("synchronized");
    expect(server.doc.spawns.map((s) => s.id)).toEqual(["a-1", "a-2", "a-3"]);
  });

  it("limits hold: no wall past the maximum count, none out of bounds", () => {
    let doc = emptyMapDocument();
    for (let i = 0; i < EDITOR_MAX_WALLS; i++) doc = applyOp(doc, { t: "addWall", id: `w${i}`, x: 0, y: 0, w: 10, h: 10 }).doc;
    expect(applyOp(doc, { t: "addWall", id: "extra", x: 0, y: 0, w: 10, h: 10 }).dropped).toMatch(/at most/);
    expect(applyOp(emptyMapDocument(), { t: "addWall", id: "x", x: 1995, y: 0, w: 10, h: 10 }).dropped).toMatch(/bounds/);
  });

  it("the authority refuses a version ahead of it and a text op that does not fit, changing nothing", () => {
    const server = new EditorAuthority(emptyMapDocument());
    expect(server.submit("h", 1, 99, { t: "addSpawn", id: "h-1", x: 1, y: 1 })).toMatchObject({ ok: false });
    expect(server.submit("h", 1, 0, { t: "text", field: "name", op: [5, "x"] })).toMatchObject({ ok: false });
    expect(server.v).toBe(0);
    expect(server.doc).toEqual(emptyMapDocument());
  });
});

describe("catch-up", () => {
  it("stopped at an earlier version (the last one stored): ops up to it, or a snapshot of it that counts the author's later ops as unsent", () => {
    const server = new EditorAuthority(emptyMapDocument());
    server.submit("a", 1, 0, { t: "addSpawn", id: "a-1", x: 1, y: 1 });
    const storedDoc = server.doc;
    server.submit("b", 1, 1, { t: "addSpawn", id: "b-1", x: 2, y: 2 });
    server.submit("a", 2, 2, { t: "addSpawn", id: "a-2", x: 3, y: 3 });
    const upTo = { v: 1, doc: storedDoc };
    expect(server.catchUp(0, "a", upTo)).toEqual({ kind: "ops", ops: [expect.objectContaining({ v: 1, by: "a", seq: 1 })] });
    expect(server.catchUp(-1, "a", upTo)).toEqual({ kind: "snapshot", v: 1, doc: storedDoc, lastSeq: 1 });
    expect(server.catchUp(-1, "b", upTo)).toEqual({ kind: "snapshot", v: 1, doc: storedDoc, lastSeq: 0 });
    expect(server.catchUp(-1, "a")).toMatchObject({ kind: "snapshot", v: 3, lastSeq: 2 });
  });

  it("a client rejoining by snapshot resends only what the server has not committed, its text rebased on what others typed", () => {
    const server = new EditorAuthority(emptyMapDocument(), 0, [], {}, 2);
    const sent: OutgoingOp[] = [];
    const a = new EditorClient("a", server.doc, 0, (o) => sent.push(o));
    a.edit({ t: "text", field: "notes", op: textInsert(0, "one ") });
    server.submit("a", sent[0]!.seq, sent[0]!.base, sent[0]!.op);
    a.disconnected();
    a.edit({ t: "text", field: "notes", op: textInsert(4, "two") });
    for (let i = 0; i < 3; i++) server.submit("b", i + 1, server.v, { t: "text", field: "notes", op: textInsert(0, "b") });
    sent.length = 0;
    a.reconnected(server.catchUp(a.v, "a"));
    expect(sent).toHaveLength(1);
    const r = server.submit("a", sent[0]!.seq, sent[0]!.base, sent[0]!.op);
    expect(r.ok && r.duplicate).toBe(false);
    expect(server.doc.notes).toBe("bbbone two");
    expect(a.doc.notes).toBe("bbbone two");
  });
});

describe("publishing checks", () => {
  const withSpawns = (n: number) => {
    let doc = emptyMapDocument("p");
    for (let i = 0; i < n; i++) doc = applyOp(doc, { t: "addSpawn", id: `s${i}`, x: 100 + i * 100, y: 100 }).doc;
    return doc;
  };

  it("accepts a map with enough spawns, none in a wall, all reachable", () => {
    expect(publishProblems(withSpawns(EDITOR_MIN_SPAWNS))).toEqual([]);
  });

  it("refuses too few spawns, a spawn inside a wall, and a spawn walled off from the others", () => {
    expect(publishProblems(withSpawns(3))[0]).toMatch(/spawns/);
    const inWall = applyOp(withSpawns(EDITOR_MIN_SPAWNS), { t: "addWall", id: "w", x: 80, y: 80, w: 40, h: 40 }).doc;
    expect(publishProblems(inWall)).toEqual(["spawn s0 is inside a wall"]);
    // A box of four walls around a spawn at (1000, 1000).
    let boxed = applyOp(withSpawns(EDITOR_MIN_SPAWNS), { t: "addSpawn", id: "inside", x: 1000, y: 1000 }).doc;
    for (const w of [{ x: 900, y: 900, w: 220, h: 20 }, { x: 900, y: 1100, w: 220, h: 20 }, { x: 900, y: 900, w: 20, h: 220 }, { x: 1100, y: 900, w: 20, h: 220 }]) {
      boxed = applyOp(boxed, { t: "addWall", id: `b${w.x}${w.y}${w.w}`, ...w }).doc;
    }
    expect(publishProblems(boxed)).toEqual(["spawn inside cannot be reached from spawn s0"]);
  });
});
