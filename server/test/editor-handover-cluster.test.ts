/**
 * Editor rooms on a deploy (server/src/rooms/editor/handover.ts): two processes on one real Redis, two editors
 * on a map hosted by A, through the page's own link (client/src/editor/connection.ts). A is SIGTERMed while B is
 * up: B reopens the map from Redis before the editors are told to move (4010), their links join it at once and
 * go on editing. An op sent while the map moves lands exactly once, the next op lands on B, and every doc agrees
 * with the other and with what Redis holds.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { HelloOut } from "@arena/shared/editor";
import { newMapId, signIn, spawnServer, startRedis, type GameServerProcess, type RedisProcess } from "@arena/testkit";
import { EditorConnection, type ConnectionEvents } from "../../client/src/editor/connection.ts";
import { editorOpsKey } from "../src/rooms/editor/store.ts";

let redis: RedisProcess;
let a: GameServerProcess;
let b: GameServerProcess;
const dirs: string[] = [];
const links: EditorConnection[] = [];

async function serverOnRedis(): Promise<GameServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), "arena-editor-handover-"));
  dirs.push(dir);
  return spawnServer({ REDIS_URL: redis.url, DATA_DIR: dir }, { timeoutMs: 90_000 });
}

beforeAll(async () => {
  redis = await startRedis();
  a = await serverOnRedis();
  b = await serverOnRedis();
}, 120_000);
afterAll(async () => {
  await Promise.all([a?.kill("SIGKILL"), b?.kill("SIGKILL")]);
  await redis?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Link {
  conn: EditorConnection;
  hellos: HelloOut[];
  /** Called on every committed op, catch-up or status change. */
  changed: Set<() => void>;
}

/** An editor's link as the page makes it, through A first and then B. */
async function link(name: string, mapId: string, code: string | undefined): Promise<Link> {
  const { token } = await signIn(a.url, name);
  const hellos: HelloOut[] = [];
  const changed = new Set<() => void>();
  const tell = (): void => {
    for (const f of changed) f();
  };
  const events: ConnectionEvents = {
    changed: tell, hello: (h) => void hellos.push(h), cursor: () => {}, editors: () => {}, notice: () => {}, status: tell,
  };
  const conn = new EditorConnection(a.url, token, mapId, code, code === undefined, randomUUID().slice(0, 12), events, [b.url]);
  links.push(conn);
  await conn.connect();
  await until({ changed }, () => hellos.length > 0, 10_000, `${name}'s hello`);
  return { conn, hellos, changed };
}

/** Resolves once `check` holds, looked at on each change of the link (or every 50 ms); rejects after `ms`. */
function until(l: Pick<Link, "changed">, check: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error): void => {
      clearTimeout(timer);
      clearInterval(poll);
      l.changed.delete(look);
      if (error) reject(error);
      else resolve();
    };
    const look = (): void => {
      if (check()) done();
    };
    const timer = setTimeout(() => done(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    const poll = setInterval(look, 50);
    l.changed.add(look);
    look();
  });
}

it("SIGTERM hands the map to the other process: the editors move with a 4010, the op sent during the move lands once, the next one lands on B, and every doc agrees", async () => {
  const mapId = newMapId();
  const ann = await link("ann", mapId, undefined);
  const codes = ann.hellos[0]!.codes!;
  const ben = await link("ben", mapId, codes.edit);
  const wall = (id: string, x: number): void => ann.conn.doc!.edit({ t: "addWall", id, x, y: 100, w: 20, h: 20 });
  for (let i = 0; i < 5; i++) wall(`before-${i}`, 20 + i * 40);
  await until(ben, () => ben.conn.doc!.v === 5 && ann.conn.doc!.state === "synchronized", 10_000, "the first edits on both");
  expect(a.lines.some((l) => l.includes('"msg":"editor room created"'))).toBe(true);

  const closes: number[] = [];
  for (const l of [ann, ben]) l.conn.current!.onLeave((code) => void closes.push(code));
  const before = [ann.hellos.length, ben.hellos.length];
  const exit = a.kill("SIGTERM");
  // Sent as the map starts to move: the old room takes it or leaves it unconfirmed; either way it lands once.
  wall("during", 300);
  await until(ann, () => ann.hellos.length > before[0]!, 20_000, "ann in the reopened room");
  await until(ben, () => ben.hellos.length > before[1]!, 20_000, "ben in the reopened room");
  expect(closes).toEqual([4010, 4010]);
  expect(await exit).toBe(0);
  expect(a.lines.filter((l) => l.includes('"msg":"editor room handed over"'))).toHaveLength(1);
  expect(b.lines.filter((l) => l.includes('"msg":"reopened a map handed over"'))).toHaveLength(1);

  // The next op lands on B (A is gone): ben sees it, and both docs agree.
  wall("after", 400);
  await until(ben, () => ben.conn.doc!.doc.walls.some((w) => w.id === "after") && ann.conn.doc!.state === "synchronized", 10_000, "the op after the move at ben");
  await until(ann, () => ann.conn.doc!.v === ben.conn.doc!.v, 10_000, "ann and ben at the same version");
  const ids = ann.conn.doc!.doc.walls.map((w) => w.id);
  expect(ids).toEqual(["before-0", "before-1", "before-2", "before-3", "before-4", "during", "after"]);
  expect(ben.conn.doc!.doc).toEqual(ann.conn.doc!.doc);
  expect(ann.conn.doc!.v).toBe(7);
  // What Redis holds ends at the same version: B stored what it acknowledged.
  const r = new Redis(redis.url);
  try {
    const last = await r.xrevrange(editorOpsKey(mapId), "+", "-", "COUNT", 1);
    expect(last[0]?.[0]).toBe("7-0");
  } finally {
    r.disconnect();
  }
  for (const l of [ann, ben]) await l.conn.current!.leave();
}, 120_000);
