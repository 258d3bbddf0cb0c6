/**
 * Recordings in the data directory (one process, no Redis): `<DATA_DIR>/replays/<id>.arpl` is appended to
 * as the match goes, `<id>.json` (its meta) is rewritten atomically (temp file + rename) after each append.
 * This process is the only writer: the metas are read once, at the first call, and kept in memory.
 * Recordings still marked "recording" then were cut off by a crash: each is cut back to the bytes its
 * meta counts (a chunk the crash left half-written goes) and sealed as interrupted, or deleted when it has
 * no whole segment.
 */
import { appendFile, mkdir, readFile, readdir, rename, truncate, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPLAY_ID, parseMeta, type ReplayMeta } from "./meta.ts";
import { sealInterrupted, type ListQuery, type ReplayStore, type Retention } from "./store.ts";

export class FileReplayStore implements ReplayStore {
  private readonly dir: string;
  private metas: Promise<Map<string, ReplayMeta>> | undefined;
  private counter = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(dataDir: string, private readonly retention: Retention) {
    this.dir = join(dataDir, "replays");
  }

  /** Applies retention every minute (or sooner with a short maxAge) until close(). */
  startPruning(): void {
    if (this.sweeper !== undefined) return;
    this.sweeper = setInterval(() => void this.prune().catch(() => undefined), Math.max(1000, Math.min(60_000, this.retention.maxAgeMs / 2)));
    this.sweeper.unref();
  }

  async begin(meta: ReplayMeta, start: Uint8Array): Promise<void> {
    const metas = await this.loaded();
    await writeFile(this.dataPath(meta.id), start);
    metas.set(meta.id, meta);
    await this.writeMeta(meta);
  }

  append(meta: ReplayMeta, chunk: Uint8Array): Promise<void> {
    return this.appendChunk(meta, chunk);
  }

  async finish(meta: ReplayMeta, end: Uint8Array): Promise<void> {
    await this.appendChunk(meta, end);
    await this.prune();
  }

  async get(id: string): Promise<ReplayMeta | undefined> {
    if (!REPLAY_ID.test(id)) return undefined;
    return (await this.loaded()).get(id);
  }

  async recordingOf(roomId: string): Promise<string | undefined> {
    for (const m of (await this.loaded()).values()) if (m.state === "recording" && m.roomId === roomId) return m.id;
    return undefined;
  }

  async read(id: string): Promise<Uint8Array | undefined> {
    const meta = await this.get(id);
    if (meta?.state !== "ended") return undefined;
    return readFile(this.dataPath(id)).catch(() => undefined);
  }

  async list(query: ListQuery): Promise<ReplayMeta[]> {
    const all = [...(await this.loaded()).values()].filter((m) => m.state === "ended"
      && (query.userId !== undefined ? m.players.includes(query.userId) : !m.private && (query.roomId === undefined || m.roomId === query.roomId)));
    return all.sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0)).slice(0, query.limit);
  }

  async prune(now = Date.now()): Promise<number> {
    const metas = await this.loaded();
    const ended = [...metas.values()].filter((m) => m.state === "ended").sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0));
    const doomed = new Set(ended.slice(this.retention.keep).map((m) => m.id));
    for (const m of metas.values()) if (now - (m.endedAt ?? m.updatedAt) > this.retention.maxAgeMs) doomed.add(m.id);
    for (const id of doomed) await this.delete(id);
    return doomed.size;
  }

  close(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
  }

  /** The metas, read once; recordings a crash cut off are sealed or deleted then. */
  private loaded(): Promise<Map<string, ReplayMeta>> {
    this.metas ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      const metas = new Map<string, ReplayMeta>();
      for (const f of await readdir(this.dir)) {
        if (!f.endsWith(".json") || !REPLAY_ID.test(f.slice(0, -5))) continue;
        const meta = parseMeta(await readFile(join(this.dir, f), "utf8").catch(() => ""));
        if (meta !== undefined) metas.set(meta.id, meta);
      }
      for (const meta of [...metas.values()]) {
        if (meta.state !== "recording") continue;
        if (meta.segments === 0) {
          metas.delete(meta.id);
          await this.removeFiles(meta.id);
          continue;
        }
        const sealed = sealInterrupted(meta, Date.now());
        await truncate(this.dataPath(meta.id), meta.bytes);
        await appendFile(this.dataPath(meta.id), sealed.end);
        metas.set(meta.id, sealed.meta);
        await this.writeMeta(sealed.meta);
      }
      return metas;
    })();
    return this.metas;
  }

  /** Appends a chunk (a segment, or the end) to a recording in progress, then its new meta. */
  private async appendChunk(meta: ReplayMeta, chunk: Uint8Array): Promise<void> {
    const metas = await this.loaded();
    if (metas.get(meta.id)?.state !== "recording") throw new Error(`replay ${meta.id} is not being recorded`);
    await appendFile(this.dataPath(meta.id), chunk);
    metas.set(meta.id, meta);
    await this.writeMeta(meta);
  }

  private async delete(id: string): Promise<void> {
    (await this.loaded()).delete(id);
    await this.removeFiles(id);
  }

  private async removeFiles(id: string): Promise<void> {
    await unlink(this.dataPath(id)).catch(() => undefined);
    await unlink(this.metaPath(id)).catch(() => undefined);
  }

  private async writeMeta(meta: ReplayMeta): Promise<void> {
    const tmp = `${this.metaPath(meta.id)}.${process.pid}.${this.counter++}.tmp`;
    await writeFile(tmp, JSON.stringify(meta));
    // rename is atomic on one filesystem: a reader (or a restart) sees the old meta or the new one.
    await rename(tmp, this.metaPath(meta.id));
  }

  private dataPath(id: string): string {
    return join(this.dir, `${id}.arpl`);
  }

  private metaPath(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}
