/**
 * This process's replays: the store (data directory, or Redis), the settings, the cap on recordings in
 * progress at once, and the figures the benchmark and /health read.
 */
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { createRedisClient } from "../scale/redisClient.ts";
import { FileReplayStore } from "./fileStore.ts";
import { RedisReplayStore } from "./redisStore.ts";
import type { ReplayMeta } from "./meta.ts";
import type { ReplayStore } from "./store.ts";
import { MatchRecorder, type RecordedRoom } from "./recorder.ts";

export interface ReplaySettings {
  /** Recordings in progress at once on this process; a match beyond it is not recorded. */
  readonly maxActive: number;
  /** A recording stops (reason too_large) at the first keyframe past this many bytes. */
  readonly maxBytes: number;
}

export interface ReplayStats {
  started: number;
  finished: number;
  /** Matches not recorded because `maxActive` were in progress. */
  skipped: number;
  /** Store writes that failed (each stops its recording). */
  failed: number;
  /** Bytes of segments written. */
  bytes: number;
  /**
   * Milliseconds of the room's thread spent recording, timed around each of the recorder's calls (the patch
   * hooks and copies, events, keyframes with their hash, deflate and framing). Not the store's writes, which
   * are asynchronous.
   */
  cpuMs: number;
}

export class Replays {
  readonly stats: ReplayStats = { started: 0, finished: 0, skipped: 0, failed: 0, bytes: 0, cpuMs: 0 };
  private active = 0;
  private readonly recordedListeners = new Set<(meta: ReplayMeta) => void>();

  constructor(readonly store: ReplayStore, readonly settings: ReplaySettings, private readonly log: Logger) {}

  /** A recorder for one arena room (it records each of the room's matches). */
  recorder(room: RecordedRoom, log: Logger = this.log): MatchRecorder {
    return new MatchRecorder(this, room, log);
  }

  /** Recordings in progress on this process. */
  get recording(): number {
    return this.active;
  }

  /** Takes a place for a recording; false (counted as skipped) when `maxActive` are taken. */
  admit(): boolean {
    if (this.active >= this.settings.maxActive) {
      this.stats.skipped++;
      return false;
    }
    this.active++;
    return true;
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
  }

  /** Calls `listener` with each replay once its end is stored (tests and the benchmark wait on it); returns the unsubscribe. */
  onRecorded(listener: (meta: ReplayMeta) => void): () => void {
    this.recordedListeners.add(listener);
    return () => this.recordedListeners.delete(listener);
  }

  /** A recording's end was stored. */
  recorded(meta: ReplayMeta): void {
    for (const listener of this.recordedListeners) listener(meta);
  }

  close(): void {
    this.store.close();
  }
}

/** This process's replays as configured: Redis when it is set, else the data directory; undefined when REPLAY_KEEP is 0. */
export function createReplays(config: Config, log: Logger): Replays | undefined {
  const r = config.replays;
  if (r.keep === 0) return undefined;
  // A recording nobody has written to for a minute (12 keyframe intervals) was cut off by its process' death.
  const retention = { keep: r.keep, maxAgeMs: r.maxAgeSeconds * 1000, staleMs: 60_000 };
  let store: ReplayStore;
  if (config.redis !== undefined) {
    store = new RedisReplayStore(createRedisClient(config.redis, { enableOfflineQueue: true }), retention);
  } else {
    const files = new FileReplayStore(config.dataDir, retention);
    files.startPruning();
    store = files;
  }
  return new Replays(store, { maxActive: r.maxActive, maxBytes: r.maxKb * 1024 }, log);
}
