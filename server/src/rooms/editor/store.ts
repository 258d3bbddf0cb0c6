/**
 * Where editor maps persist: the authority's snapshot (document, version, log window, last seq per
 * client) and the map's access codes. A local data directory with atomic writes (temp file + rename)
 * when there is no Redis, so `npm start` alone keeps maps across restarts.
 */

import { mkdir, readFile, readdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { Config } from "../../config.ts";
import { redisOptions } from "../../scale/redisOptions.ts";
import type { ArenaMap } from "@arena/shared";
import type { AuthoritySnapshot } from "@arena/shared/editor";

export interface StoredMap {
  readonly mapId: string;
  readonly editCode: string;
  readonly viewCode: string;
  /** User id of the creator (from the token): always an editor. */
  readonly creator: string;
  readonly authority: AuthoritySnapshot;
}

export interface MapStore {
  load(mapId: string): Promise<StoredMap | undefined>;
  save(map: StoredMap): Promise<void>;
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

/** Redis key of a map's stored state. */
export function editorMapKey(mapId: string): string {
  return `arena:editor:map:${mapId}`;
}

/**
 * With REDIS_URL: one key per map holding the same record as the file store, so any process can host
 * the map after the one that had it stops. SET replaces the whole value atomically.
 */
export class RedisMapStore implements MapStore {
  constructor(private readonly redis: Redis) {}

  async load(mapId: string): Promise<StoredMap | undefined> {
    const raw = await this.redis.get(editorMapKey(mapId));
    return raw === null ? undefined : (JSON.parse(raw) as StoredMap);
  }

  async save(map: StoredMap): Promise<void> {
    await this.redis.set(editorMapKey(map.mapId), JSON.stringify(map));
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
