/**
 * Where editor maps persist: the document with its version, the last seq per client, the committed ops
 * kept for replay, and the map's access codes.
 * - Without Redis, a local data directory: one JSON file per map (the authority's whole snapshot, log
 *   included), rewritten after commits with atomic writes (temp file + rename), so `npm start` alone
 *   keeps maps across restarts.
 * - With REDIS_URL, a stream of committed ops per map (one XADD per op, made durable before the op is
 *   acknowledged) and a snapshot every EDITOR_REDIS_SNAPSHOT_EVERY ops: any process rebuilds the
 *   document and its replay log from snapshot + stream when it opens the map.
 * Both keep the per-person quotas' records (docs/OPERATIONS.md, "Editor quotas"): which maps each person
 * has (`claim`), at most so many published versions per map (`publish`), and drafts (maps never published)
 * that nobody touched for the draft TTL are deleted: by Redis itself (a TTL on the map's keys), or by the
 * file store's sweep.
 */

import { mkdir, readFile, readdir, rename, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../../config.ts";
import { createRedisClient, type RedisClient } from "../../scale/redisClient.ts";
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
  /**
   * Freezes `map` as the next published version of `mapId`; returns its number (from 1), or "full" when
   * the map has `maxVersions` versions already (nothing is written). A published map never expires.
   */
  publish(mapId: string, map: ArenaMap, maxVersions?: number): Promise<number | "full">;
  published(mapId: string, version: number): Promise<ArenaMap | undefined>;
  /** The newest published version of `mapId`; 0 when none. */
  latest(mapId: string): Promise<number>;
  /**
   * Counts the new map `mapId` as one of `creator`'s: true if they had fewer than `max` (drafts that
   * expired no longer count), false, recording nothing, if not. Concurrent claims past the quota are
   * all refused rather than all let through.
   */
  claim(creator: string, mapId: string, max: number): Promise<boolean>;
  /** Someone is working on `mapId`: a draft's expiry starts again from now (a published map has none). */
  touch(mapId: string): Promise<void>;
  close(): void;
}

/** Claims of maps not stored yet count this long (the creator's first save follows the claim at once). */
const UNSAVED_CLAIM_MS = 60_000;

/** Redis when REDIS_URL is set, else the data directory (swept for expired drafts). */
export function createMapStore(config: Config): FileMapStore | RedisMapStore {
  const draftTtlMs = config.editor.draftTtlSeconds * 1000;
  if (config.redis !== undefined) return new RedisMapStore(createRedisClient(config.redis, { enableOfflineQueue: true }), draftTtlMs);
  const store = new FileMapStore(config.dataDir, draftTtlMs);
  store.startSweeping();
  return store;
}

/** How often the file store looks for expired drafts: a fraction of the TTL, at least once a minute. */
export function sweepEveryMs(draftTtlMs: number): number {
  return Math.max(250, Math.min(60_000, draftTtlMs / 2));
}

export class FileMapStore implements MapStore {
  readonly saveEvery = 1;
  private readonly dir: string;
  private counter = 0;
  /** Maps of each creator, read from the files once, then kept up to date (this process is the only writer). */
  private owners: Map<string, Map<string, number>> | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  /** `draftTtlMs`: a draft untouched this long is deleted by the sweep (startSweeping). */
  constructor(dataDir: string, private readonly draftTtlMs = Number.POSITIVE_INFINITY) {
    this.dir = join(dataDir, "maps");
  }

  /** Deletes expired drafts every sweepEveryMs until close(). */
  startSweeping(): void {
    if (!Number.isFinite(this.draftTtlMs) || this.sweeper !== undefined) return;
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), sweepEveryMs(this.draftTtlMs));
    this.sweeper.unref();
  }

  /** Deletes each draft (no published version) whose file was last written or touched more than the TTL ago. */
  async sweep(now = Date.now()): Promise<string[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const published = new Set(files.filter((f) => f.endsWith(".published")).map((f) => f.slice(0, -".published".length)));
    const deleted: string[] = [];
    for (const f of files) {
      if (!f.endsWith(".json")) continue;
      const mapId = f.slice(0, -".json".length);
      if (published.has(mapId)) continue;
      const at = await stat(join(this.dir, f)).then((s) => s.mtimeMs, () => undefined);
      if (at === undefined || now - at < this.draftTtlMs) continue;
      await unlink(join(this.dir, f)).catch(() => undefined);
      for (const maps of this.owners?.values() ?? []) maps.delete(mapId);
      deleted.push(mapId);
    }
    return deleted;
  }

  private async ownersIndex(): Promise<Map<string, Map<string, number>>> {
    if (this.owners !== undefined) return this.owners;
    const owners = new Map<string, Map<string, number>>();
    const files = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return [] as string[];
      throw err;
    });
    for (const f of files.filter((name) => name.endsWith(".json"))) {
      const map = await this.load(f.slice(0, -".json".length)).catch(() => undefined);
      if (map !== undefined) this.own(owners, map.creator, map.mapId, Number.POSITIVE_INFINITY);
    }
    // Another claim may have built it meanwhile: keep the first.
    this.owners ??= owners;
    return this.owners;
  }

  /** Records `mapId` as `creator`'s; `savedAt` infinite once it is stored (claims count for UNSAVED_CLAIM_MS until then). */
  private own(owners: Map<string, Map<string, number>>, creator: string, mapId: string, savedAt: number): void {
    let maps = owners.get(creator);
    if (maps === undefined) owners.set(creator, (maps = new Map()));
    maps.set(mapId, Math.max(maps.get(mapId) ?? 0, savedAt));
  }

  async claim(creator: string, mapId: string, max: number): Promise<boolean> {
    const owners = await this.ownersIndex();
    const maps = owners.get(creator) ?? new Map<string, number>();
    const now = Date.now();
    // A claim whose map was never stored (its creator left at once) stops counting after a while.
    for (const [id, at] of maps) if (at + UNSAVED_CLAIM_MS < now) maps.delete(id);
    if (maps.has(mapId)) return true;
    if (maps.size >= max) return false;
    this.own(owners, creator, mapId, now);
    return true;
  }

  async touch(mapId: string): Promise<void> {
    const now = new Date();
    await utimes(this.path(mapId), now, now).catch(() => undefined);
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
    // Stored: it counts for its creator until it expires (a sweep that raced an open room may have dropped it).
    if (this.owners !== undefined) this.own(this.owners, map.creator, map.mapId, Number.POSITIVE_INFINITY);
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path(map.mapId)}.${process.pid}.${this.counter++}.tmp`;
    await writeFile(tmp, JSON.stringify(map));
    // rename is atomic on one filesystem: a reader sees the old file or the new one, never half of one.
    await rename(tmp, this.path(map.mapId));
  }

  async publish(mapId: string, map: ArenaMap, maxVersions = Number.POSITIVE_INFINITY): Promise<number | "full"> {
    const dir = join(this.dir, `${mapId}.published`);
    await mkdir(dir, { recursive: true });
    // One publisher per map at a time (its room), so counting the files gives the next number.
    const version = (await readdir(dir)).filter((f) => f.endsWith(".json")).length + 1;
    if (version > maxVersions) return "full";
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

  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

/*
 * A map's three keys share the hash tag `{<mapId>}`: the scripts and the load transaction below name them
 * together, which a Redis Cluster allows only within one slot; different maps spread over the cluster.
 */

/** Redis key of a map's snapshot: codes, creator, version, document, last seq per client (JSON). */
export function editorMapKey(mapId: string): string {
  return `arena:editor:{${mapId}}:map`;
}

/** Redis stream of a map's committed ops: entry id `<version>-0`, field `op` (a CommittedOp as JSON). */
export function editorOpsKey(mapId: string): string {
  return `arena:editor:{${mapId}}:ops`;
}

/** Redis list of a map's published versions (JSON ArenaMaps, version n at index n - 1). */
export function editorPublishedKey(mapId: string): string {
  return `arena:editor:{${mapId}}:published`;
}

/** Redis sorted set of the maps a person created: member map id, score when claimed (ms), +inf once stored. */
export function editorMapsOfKey(userId: string): string {
  return `arena:editor:maps-of:${userId}`;
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
 * A draft (no published version, KEYS[3]) expires ARGV[1] ms after this; a published map never does.
 * KEYS[1], KEYS[2]: the map's snapshot and op stream.
 */
const TOUCH = `
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end`;

/**
 * Replaces the snapshot unless the stored one is newer (a process that lost the map to another must not
 * roll it back); with ARGV[3] = "1" also drops the stream: after a failed or refused append its entries may
 * not be this document's history, and appends start again after the snapshot. Then the draft's expiry
 * starts again (ARGV[4] ms, TOUCH).
 */
const SAVE_SNAPSHOT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, old = pcall(cjson.decode, cur)
  if ok and type(old) == 'table' and type(old.v) == 'number' and old.v > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[3] == '1' then redis.call('DEL', KEYS[2]) end
${TOUCH.replaceAll("ARGV[1]", "ARGV[4]")}
return 1`;

/** Appends a published version unless the map has ARGV[2] already (then 0); the map stops expiring. */
const PUBLISH = `
if redis.call('LLEN', KEYS[3]) >= tonumber(ARGV[2]) then return 0 end
local n = redis.call('RPUSH', KEYS[3], ARGV[1])
redis.call('PERSIST', KEYS[1])
redis.call('PERSIST', KEYS[2])
return n`;

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

  /** `redis` is also the quotas' (quotas.ts); a draft's keys expire `draftTtlMs` after it was last touched. */
  constructor(readonly redis: RedisClient, private readonly draftTtlMs = 7 * 24 * 3600 * 1000) {}

  private mapKeys(mapId: string): [string, string, string] {
    return [editorMapKey(mapId), editorOpsKey(mapId), editorPublishedKey(mapId)];
  }

  async claim(creator: string, mapId: string, max: number): Promise<boolean> {
    const key = editorMapsOfKey(creator);
    const now = Date.now();
    // Claimed first, counted after: two claims at once both see each other, so neither passes the quota.
    await this.redis.zadd(key, "NX", now, mapId);
    const entries = await this.redis.zrange(key, 0, -1, "WITHSCORES");
    const claims: { id: string; at: number }[] = [];
    for (let i = 0; i < entries.length; i += 2) {
      const score = entries[i + 1]!;
      claims.push({ id: entries[i]!, at: score === "inf" ? Number.POSITIVE_INFINITY : Number(score) });
    }
    const exists = await Promise.all(claims.map((c) => this.redis.exists(editorMapKey(c.id))));
    // Gone: a stored draft that expired, or a claim whose map was never stored (after a minute).
    const gone = claims.filter((c, i) => exists[i] === 0 && c.id !== mapId && (c.at === Number.POSITIVE_INFINITY || c.at + UNSAVED_CLAIM_MS < now)).map((c) => c.id);
    if (gone.length > 0) await this.redis.zrem(key, ...gone);
    if (claims.length - gone.length <= max) return true;
    await this.redis.zrem(key, mapId);
    return false;
  }

  async touch(mapId: string): Promise<void> {
    await this.redis.eval(TOUCH, 3, ...this.mapKeys(mapId), String(this.draftTtlMs));
  }

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
    await this.redis.eval(SAVE_SNAPSHOT, 3, ...this.mapKeys(map.mapId), JSON.stringify(snap), String(v), options.distrustLog === true ? "1" : "0", String(this.draftTtlMs));
    // Stored: it counts for its creator until it expires, not only for a claim's first minute (score +inf).
    await this.redis.zadd(editorMapsOfKey(map.creator), "+inf", map.mapId);
  }

  async publish(mapId: string, map: ArenaMap, maxVersions = Number.MAX_SAFE_INTEGER): Promise<number | "full"> {
    // RPUSH's new length is the version number, atomically even across processes.
    const n = Number(await this.redis.eval(PUBLISH, 3, ...this.mapKeys(mapId), JSON.stringify(map), String(maxVersions)));
    return n === 0 ? "full" : n;
  }

  async published(mapId: string, version: number): Promise<ArenaMap | undefined> {
    const raw = await this.redis.lindex(editorPublishedKey(mapId), version - 1);
    return raw === null ? undefined : (JSON.parse(raw) as ArenaMap);
  }

  async latest(mapId: string): Promise<number> {
    return this.redis.llen(editorPublishedKey(mapId));
  }

  close(): void {
    this.redis.disconnect();
  }
}
