/** Editor maps in Redis: a process started after the first one stopped hosts the map, with an empty data directory. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { textInsert } from "@arena/shared/editor";
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
  a.doc.edit({ t: "text", field: "notes", op: textInsert(0, "in redis") });
  await a.settled();
  const doc = a.doc.doc;
  const code = a.hello.codes!.edit;
  await a.leave();
  await first.close();
  const second = await serverOnRedis();
  try {
    const b = await joinEditor(second.url, "ben", { mapId, code });
    expect(b.doc.doc).toEqual(doc);
    expect(b.doc.v).toBe(2);
    await b.leave();
  } finally {
    await second.close();
  }
});
