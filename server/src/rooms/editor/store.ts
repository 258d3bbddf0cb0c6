/**
 * Where editor maps persist: the authority's snapshot (document, version, log window, last seq per
 * client) and the map's access codes. A local data directory with atomic writes (temp file + rename)
 * when there is no Redis, so `npm start` alone keeps maps across restarts.
 */

import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
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
}
