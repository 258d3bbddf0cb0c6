/**
 * Checkpoint cost figures of one process (the "checkpoint figures" log line every 10 s; the checkpoint and failover
 * benchmarks read them from it), and how a write of checkpoints is counted in them.
 */

/** What the figures add up between two log lines. */
export interface CheckpointStats {
  count: number;
  bytes: number;
  /**
   * CPU (ms, process.cpuUsage) of taking the checkpoint and handing it to the Redis client, which writes it to its
   * socket: the whole process's, so whatever its other threads (V8's GC and compiler helpers, libuv) did meanwhile
   * counts too. Read around one checkpoint in CPU_SAMPLE_EVERY (`cpuSamples` of them): process.cpuUsage walks
   * every thread of the process, and reading it around each one was ~7 % of the checkpoint's own cost.
   */
  encodeMs: number;
  cpuSamples: number;
  /** The same span as wall time on the room's thread (ms, performance.now): the room's own share, compared with its thread's CPU. */
  threadMs: number;
  /** The part of `threadMs` spent taking the checkpoint (the room's encoding); the rest is the Redis client's. */
  takeMs: number;
  /**
   * Each checkpoint's `threadMs` since the last figures line (at most MAX_SPANS), for their median: one span in
   * which the thread was descheduled (a busy machine) can be tens of ms and spoil a mean.
   */
  spans: number[];
  refused: number;
  /** Checkpoints not taken (see RoomKeeper.take) or writes Redis did not answer. */
  failed: number;
  /** Times a room stopped acting for want of a confirmed lease, and for how long in all (RoomKeeper.live). */
  pauses: number;
  pausedMs: number;
}

/** One write in this many is timed in process CPU as well as in wall time (CheckpointStats.encodeMs). */
export const CPU_SAMPLE_EVERY = 4;

/** The most checkpoint spans kept between two figures lines (CheckpointStats.spans). */
const MAX_SPANS = 10_000;

export function newCheckpointStats(): CheckpointStats {
  return { count: 0, bytes: 0, encodeMs: 0, cpuSamples: 0, threadMs: 0, takeMs: 0, spans: [], refused: 0, failed: 0, pauses: 0, pausedMs: 0 };
}

/**
 * Counts one write of `checkpoints` checkpoints: `ms` of the thread's wall time from taking the first to handing the
 * last to the Redis client, `takeMs` of it taking them, and (when this write is sampled) the process CPU since `cpu`
 * was read. Each checkpoint's span is its share of the write's, for the median of the figures line.
 */
export function recordSpan(stats: CheckpointStats, write: { ms: number; takeMs: number; checkpoints: number; cpu: NodeJS.CpuUsage | undefined }): void {
  if (write.cpu !== undefined) {
    const spent = process.cpuUsage(write.cpu);
    stats.encodeMs += (spent.user + spent.system) / 1000;
    stats.cpuSamples += write.checkpoints;
  }
  stats.takeMs += write.takeMs;
  stats.threadMs += write.ms;
  for (let i = 0; i < write.checkpoints && stats.spans.length < MAX_SPANS; i++) stats.spans.push(write.ms / write.checkpoints);
}
