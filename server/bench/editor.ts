/**
 * `npm run bench:editor`: figures of the map editor against one game process (memory, temp DATA_DIR).
 * - Op round trip (local apply → the server's confirmation reaches the author), p50/p99, with 5
 *   editors making 10 edits/s each (moves and typing) for BENCH_EDITOR_S seconds (default 10).
 * - Ops per second one room sustains: 16 editors each sending at its rate limit for 5 s, and the
 *   authority alone in-process (transform + apply + log, no network).
 * - Replay of 1,000 missed ops by a client (in-process: EditorClient.receive of each), and a
 *   rejoin over the wire after missing a full log window (500 ops), from join to synchronized.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  EDITOR_LOG_WINDOW, EditorAuthority, EditorClient, EditorMessage, emptyMapDocument, textInsert, type CommittedOp,
} from "@arena/shared/editor";
import { joinEditor, machineLine, newMapId, quantile, spawnServer, writeSection, waitForMessage, type Editor } from "@arena/testkit/remote";
import { EDITOR_OP_BURST, EDITOR_OP_WINDOW_MS } from "../src/rooms/editor/EditorRoom.ts";


const SECONDS = Number(process.env.BENCH_EDITOR_S ?? 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Times each own op from edit() to its confirmation. */
function timeOps(ed: Editor, rtts: number[], madeBefore: number): (op: Parameters<EditorClient["edit"]>[0]) => void {
  const sentAt = new Map<number, number>();
  let seq = ed.hello.lastSeq + madeBefore;
  ed.room.onMessage(EditorMessage.Op, (c: CommittedOp) => {
    const t = sentAt.get(c.seq);
    if (c.by === ed.hello.you && t !== undefined) {
      rtts.push(performance.now() - t);
      sentAt.delete(c.seq);
    }
  });
  return (op) => {
    sentAt.set(++seq, performance.now());
    ed.doc.edit(op);
  };
}

const dir = await mkdtemp(join(tmpdir(), "arena-bench-editor-"));
const server = await spawnServer({ DATA_DIR: dir });
let body = "";
try {
  // 1. Round trip with 5 editors at 10 edits/s.
  const mapId = newMapId();
  const first = await joinEditor(server.url, "e0", { mapId, create: true });
  const eds = [first, ...(await Promise.all([1, 2, 3, 4].map((i) => joinEditor(server.url, `e${i}`, { mapId, code: first.hello.codes!.edit }))))];
  first.doc.edit({ t: "addWall", id: "w", x: 100, y: 100, w: 50, h: 50 });
  await first.settled();
  const rtts: number[] = [];
  const edits = eds.map((ed) => timeOps(ed, rtts, ed === first ? 1 : 0));
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(eds.map(async (ed, i) => {
    for (let n = 0; performance.now() < end; n++) {
      edits[i]!(n % 2 === 0 ? { t: "set", id: "w", x: 100 + ((n * 7 + i) % 500) } : { t: "text", field: "notes", op: textInsert(0, "x") });
      await sleep(100);
    }
  }));
  await Promise.all(eds.map((e) => e.settled(10_000)));

  // 2. Sustained ops/s over the wire: 16 editors at the rate limit.
  const rate = (EDITOR_OP_BURST / EDITOR_OP_WINDOW_MS) * 1000;
  const more = await Promise.all(Array.from({ length: 11 }, (_, i) => joinEditor(server.url, `f${i}`, { mapId, code: first.hello.codes!.edit })));
  const all = [...eds, ...more];
  const v0 = first.doc.v;
  const t0 = performance.now();
  const loadEnd = t0 + 5000;
  await Promise.all(all.map(async (ed, i) => {
    for (let n = 0; performance.now() < loadEnd; n++) {
      ed.doc.edit({ t: "set", id: "w", y: 100 + ((n + i) % 500) });
      await sleep(1000 / rate);
    }
  }));
  await Promise.all(all.map((e) => e.settled(20_000)));
  const wireOps = (first.doc.v - v0) / ((performance.now() - t0) / 1000);
  // The authority alone.
  const auth = new EditorAuthority(emptyMapDocument());
  auth.submit("x", 1, 0, { t: "addWall", id: "w", x: 1, y: 1, w: 20, h: 20 });
  const n = 20_000;
  const ta = performance.now();
  for (let i = 0; i < n; i++) {
    const base = Math.max(0, auth.v - 3); // a few concurrent ops to transform against
    auth.submit(`c${i % 5}`, 2 + Math.floor(i / 5), base, i % 2 ? { t: "set", id: "w", x: i % 500 } : { t: "text", field: "notes", op: textInsert(0, "y") });
  }
  const authorityOps = n / ((performance.now() - ta) / 1000);

  // 3. Replay of 1,000 missed ops in-process, and a rejoin over the wire after a full log window.
  const source = new EditorAuthority(emptyMapDocument());
  const ops: CommittedOp[] = [];
  source.submit("s", 1, 0, { t: "addWall", id: "w", x: 1, y: 1, w: 20, h: 20 });
  for (let i = 0; i < 1000; i++) {
    const r = source.submit("s", 2 + i, source.v, i % 2 ? { t: "set", id: "w", x: i % 500 } : { t: "text", field: "notes", op: textInsert(i % 7, "z") });
    if (r.ok) ops.push(r.committed);
  }
  const replica = new EditorClient("r", source.snapshot().doc, source.v, () => {});
  const behind = new EditorClient("r", emptyMapDocument(), 0, () => {});
  behind.receive({ v: 1, op: { t: "addWall", id: "w", x: 1, y: 1, w: 20, h: 20 }, by: "s", seq: 1 });
  const tr = performance.now();
  for (const c of ops) behind.receive(c);
  const replayMs = performance.now() - tr;
  if (JSON.stringify(behind.doc) !== JSON.stringify(replica.doc)) throw new Error("replay diverged");

  const late = more[0]!;
  await late.leave();
  const missStart = first.doc.v;
  for (let k = 0; k < EDITOR_LOG_WINDOW; k++) {
    eds[k % 5]!.doc.edit({ t: "set", id: "w", x: 100 + (k % 400) });
    if (k % 25 === 24) await sleep(EDITOR_OP_WINDOW_MS / 2);
  }
  await Promise.all(eds.map((e) => e.settled(30_000)));
  const tj = performance.now();
  await late.rejoin();
  const rejoinMs = performance.now() - tj;
  const kind = late.hello.catchUp.kind;
  if (late.doc.v !== first.doc.v) await waitForMessage(late.room, EditorMessage.Op, 5000).catch(() => undefined);
  const missed = first.doc.v - missStart;
  const load = loadavg()[0]!.toFixed(1);
  await Promise.all(all.map((e) => e.leave().catch(() => undefined)));

  body = `## Map editor (\`npm run bench:editor\`)

${machineLine()}, load average ${load} while measured (a shared machine). One game process, memory backend, maps in a temp DATA_DIR.
- Op round trip (local apply → confirmation back at the author), 5 editors × 10 edits/s for ${SECONDS} s (${rtts.length} ops, moves and typing in one field): **p50 ${quantile(rtts, 0.5).toFixed(1)} ms, p99 ${quantile(rtts, 0.99).toFixed(1)} ms**, max ${Math.max(...rtts).toFixed(1)} ms.
- One room sustained **${wireOps.toFixed(0)} ops/s** over the wire (16 editors, each at its rate limit of ${rate.toFixed(0)} ops/s, 5 s, each op broadcast to all 16 and persisted); the authority alone (transform + apply + log, in-process): **${authorityOps.toFixed(0)} ops/s**.
- Replay of **1,000 missed ops** by a client (in-process \`EditorClient.receive\`): **${replayMs.toFixed(1)} ms**. Over the wire, a client that missed ${missed} ops (the log window is ${EDITOR_LOG_WINDOW}) rejoined and caught up by ${kind} in **${rejoinMs.toFixed(0)} ms** (join to \`hello\` applied).`;
} finally {
  await server.kill("SIGTERM");
  await rm(dir, { recursive: true, force: true });
}
process.stdout.write(body + "\n");
writeSection("editor", body);
process.exit(0);
