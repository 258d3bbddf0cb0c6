/**
 * Where editor maps persist: the document with its version, the last seq per client, the committed ops
 * kept for replay, and the map's access codes.
 * - Without Redis, a local data directory: one JSON file per map (the authority's whole snapshot, log
 *   included), rewritten after commits with atomic writes (temp file + rename), so `npm start` alone
 *   keeps maps across restarts.
 * - With REDIS_URL, a stream of committed ops per map (one XADD per op, made durable before the op is
 *   acknowledged) and a snapshot every EDITOR_REDIS_SNAPSHOT_EVERY ops: any process rebuilds the
 *   document and its replay log from snapshot + stream when it opens the map.
 */

import { mkdir, readFile, readdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { Config } from "../../config.ts";
import { redisOptions } from "../../scale/redisOptions.ts";
import type { ArenaMap } from "@arena/shared";
import { EDITOR_LOG_WINDOW, applyOp, type AuthoritySnapshot, type CommittedOp, type MapDocument } from "@arena/shared/editor";

export interface StoredMap {
  readonly mapId: string;
  readonly editCode: string;
  readonly viewCode: string;
  /** User id of the creator (from the token): always an editor. */
  readonly creator: string;
  readonly authority: AuthoritySnapshot;
}

export interface MapStore {
  /** Commits between two `save`s: every commit for the file (it holds the log), a snapshot period for Redis. */
  readonly saveEvery: number;
  /** The map, or undefined; `gapAt`: the stored ops miss this version, so the document stops before it. */
  load(mapId: string): Promise<(StoredMap & { readonly gapAt?: number }) | undefined>;
  /**
   * Makes one committed op durable; the room acknowledges it only after. Ops of one map are appended in
   * version order. The file store keeps ops in `save` and resolves at once.
   */
  append(mapId: string, op: CommittedOp): Promise<void>;
  /**
   * Writes the whole state. `distrustLog`: an append failed or the stored ops have a gap, so they are
   * not to be replayed (Redis drops its stream; the file rewrites the log anyway).
   */
  save(map: StoredMap, options?: { readonly distrustLog?: boolean }): Promise<void>;
  /** Freezes `map` as the next published version of `mapId`; returns its number (from 1). */
  publish(mapId: string, map: ArenaMap): Promise<number>;
  published(mapId: string, version: number): Promise<ArenaMap | undefined>;
  /** The newest published version of `mapId`; 0 when none. */
  latest(mapId: string): Promise<number>;
  close(): void;
}

/** Redis when REDIS_URL is set, else the data directory. */
export function createMapStore(config: Config): MapStore {
  return config.redisUrl !== undefined
    ? new RedisMapStore(new Redis(redisOptions(config.redisUrl, { enableOfflineQueue: true })))
    : new FileMapStore(config.dataDir);
}

export class FileMapStore implements MapStore {
  readonly saveEvery = 1;
  private readonly dir: string;
  private counter = 0;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "maps");
  }

  private path(mapId: string): string {
    // mapId is validated by the room (letters, digits, - and _), so it cannot leave the directory.
    return join(this.dir, `${mapId}.json`);
  }

  async load(mapId: string): Promise<StoredMap | undefined> {
    try {
      return JSON.parse(await readFile(this.path(mapId), "utf8")) as StoredMap;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  async append(): Promise<void> {}

  async save(map: StoredMap): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path(map.mapId)}.${process.pid}.${this.counter++}.tmp`;
    await writeFile(tmp, JSON.stringify(map));
    // rename is atomic on one filesystem: a reader sees the old file or the new one, never half of one.
    await rename(tmp, this.path(map.mapId));
  }

  async publish(mapId: string, map: ArenaMap): Promise<number> {
    const dir = join(this.dir, `${mapId}.published`);
    await mkdir(dir, { recursive: true });
    // One publisher per map at a time (its room), so counting the files gives the next number.
    const version = (await readdir(dir)).filter((f) => f.endsWith(".json")).length + 1;
    const tmp = join(dir, `${version}.json.${process.pid}.tmp`);
    await writeFile(tmp, JSON.stringify(map));
    await rename(tmp, join(dir, `${version}.json`));
    return version;
  }

  async published(mapId: string, version: number): Promise<ArenaMap | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir, `${mapId}.published`, `${version}.json`), "utf8")) as ArenaMap;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  async latest(mapId: string): Promise<number> {
    try {
      return (await readdir(join(this.dir, `${mapId}.published`))).filter((f) => f.endsWith(".json")).length;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw err;
    }
  }

  close(): void {}
}

/** Redis key of a map's snapshot: codes, creator, version, document, last seq per client (JSON). */
export function editorMapKey(mapId: string): string {
  return `arena:editor:map:${mapId}`;
}

/** Redis stream of a map's committed ops: entry id `<version>-0`, field `op` (a CommittedOp as JSON). */
export function editorOpsKey(mapId: string): string {
  return `arena:editor:ops:${mapId}`;
}

/** Ops between two Redis snapshots: well inside the stream's length, so a snapshot's tail is always there. */
export const EDITOR_REDIS_SNAPSHOT_EVERY = 100;

/** The snapshot record in Redis. Records written before the op stream carry `authority` (log included) instead. */
interface RedisSnapshot {
  readonly mapId: string;
  readonly editCode: string;
  readonly viewCode: string;
  readonly creator: string;
  readonly v: number;
  readonly doc: MapDocument;
  readonly lastSeq: Readonly<Record<string, number>>;
  readonly authority?: AuthoritySnapshot;
}

/**
 * Replaces the snapshot unless the stored one is newer (a process that lost the map to another must not
 * roll it back); with ARGV[3] = "1" also drops the stream: after a failed or refused append its entries may
 * not be this document's history, and appends start again after the snapshot.
 */
const SAVE_SNAPSHOT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, old = pcall(cjson.decode, cur)
  if ok and type(old) == 'table' and type(old.v) == 'number' and old.v > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[3] == '1' then redis.call('DEL', KEYS[2]) end
return 1`;

/**
 * The document and replay log from a snapshot and the stream: ops after the snapshot are applied in
 * version order (stopping at a gap: what follows cannot be applied), and the log is the run of
 * consecutive versions ending at the result, at most EDITOR_LOG_WINDOW long.
 */
export function rebuildFromStream(
  base: { readonly v: number; readonly doc: MapDocument; readonly lastSeq: Readonly<Record<string, number>>; readonly log?: readonly CommittedOp[] },
  stream: readonly CommittedOp[],
): { authority: AuthoritySnapshot; gapAt?: number } {
  let { v, doc } = base;
  const lastSeq: Record<string, number> = { ...base.lastSeq };
  let gapAt: number | undefined;
  for (const c of stream) {
    if (c.v <= v) continue;
    if (c.v !== v + 1) {
      gapAt = v + 1;
      break;
    }
    doc = applyOp(doc, c.op).doc;
    v = c.v;
    lastSeq[c.by] = Math.max(lastSeq[c.by] ?? 0, c.seq);
  }
  const byVersion = new Map<number, CommittedOp>();
  for (const c of base.log ?? []) byVersion.set(c.v, c);
  for (const c of stream) byVersion.set(c.v, c);
  const log: CommittedOp[] = [];
  for (let at = v; at > v - EDITOR_LOG_WINDOW && byVersion.has(at); at--) log.push(byVersion.get(at)!);
  log.reverse();
  return { authority: { v, doc, lastSeq, log }, ...(gapAt !== undefined && { gapAt }) };
}

/** With REDIS_URL: snapshot + op stream per map (keys above), so any process can host the map after another stops. */
export class RedisMapStore implements MapStore {
  readonly saveEvery = EDITOR_REDIS_SNAPSHOT_EVERY;

  constructor(private readonly redis: Redis) {}

  async load(mapId: string): Promise<(StoredMap & { readonly gapAt?: number }) | undefined> {
    // One transaction: the snapshot and the stream as of the same moment.
    const replies = await this.redis.multi().get(editorMapKey(mapId)).xrange(editorOpsKey(mapId), "-", "+").exec();
    if (replies === null) throw new Error("editor map load: transaction aborted");
    const [[snapErr, raw], [streamErr, entries]] = replies as [[Error | null, string | null], [Error | null, [string, string[]][]]];
    if (snapErr) throw snapErr;
    if (streamErr) throw streamErr;
    if (raw === null) return undefined;
    const snap = JSON.parse(raw) as RedisSnapshot;
    const stream = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf("op") + 1]!) as CommittedOp);
    const base = snap.authority ?? { v: snap.v, doc: snap.doc, lastSeq: snap.lastSeq };
    const { authority, gapAt } = rebuildFromStream(base, stream);
    return { mapId, editCode: snap.editCode, viewCode: snap.viewCode, creator: snap.creator, authority, ...(gapAt !== undefined && { gapAt }) };
  }

  async append(mapId: string, op: CommittedOp): Promise<void> {
    // The version is the entry id: Redis refuses a version not above the last one, so the stream never
    // holds an op twice or out of order, even if two processes ever hosted the map at once.
    await this.redis.xadd(editorOpsKey(mapId), "MAXLEN", "~", String(EDITOR_LOG_WINDOW), `${op.v}-0`, "op", JSON.stringify(op));
  }

  async save(map: StoredMap, options: { readonly distrustLog?: boolean } = {}): Promise<void> {
    const { v, doc, lastSeq } = map.authority;
    const snap: RedisSnapshot = { mapId: map.mapId, editCode: map.editCode, viewCode: map.viewCode, creator: map.creator, v, doc, lastSeq };
    await this.redis.eval(SAVE_SNAPSHOT, 2, editorMapKey(map.mapId), editorOpsKey(map.mapId), JSON.stringify(snap), String(v), options.distrustLog === true ? "1" : "0");
  }

  async publish(mapId: string, map: ArenaMap): Promise<number> {
    // RPUSH returns the new length: the version number, atomically even across processes.
    return this.redis.rpush(`arena:editor:published:${mapId}`, JSON.stringify(map));
  }

  async published(mapId: string, version: number): Promise<ArenaMap | undefined> {
    const raw = await this.redis.lindex(`arena:editor:published:${mapId}`, version - 1);
    return raw === null ? undefined : (JSON.parse(raw) as ArenaMap);
  }

  async latest(mapId: string): Promise<number> {
    return this.redis.llen(`arena:editor:published:${mapId}`);
  }

  close(): void {
    this.redis.disconnect();
  }
}
