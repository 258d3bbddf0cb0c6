/**
 * Who holds each arena match, in Redis, so another process can take a match
 * over when its holder dies or stops (docs/OPERATIONS.md, "Matches outlive
 * their process").
 *
 * Per room, under the room's hash tag `{<roomId>}` (one slot of a Redis Cluster, so one script can
 * check and write them together; rooms spread over the cluster's nodes):
 * - `arena:custody:{<roomId>}:lease` = "<processId>:<fence>", PX LEASE_MS: the holder renews it with every
 *   checkpoint (every CHECKPOINT_INTERVAL_MS). The fence comes from INCR on `arena:custody:{<roomId>}:fence`,
 *   so each holder of a room has a larger number than the one before.
 * - `arena:custody:{<roomId>}:ckpt`: the latest checkpoint, PX CHECKPOINT_TTL_MS (gone on its own if nobody
 *   takes the match over or it ended without saying so).
 * And for all rooms, `arena:leases`: a sorted set of lease deadlines (Redis time, ms), which every process
 * scans at 4 Hz for leases that ran out. It is in another slot than the rooms' keys, so it is written by a
 * command of its own right after each room script that changes a deadline. It is only where to look: the
 * lease itself decides (a claim of a room whose lease still runs is refused), and a deadline write that is
 * lost (the process died between the two) is at most one checkpoint period early or one lease late. On a
 * single Redis (or a Sentinel-watched one) there are no slots to respect: the checkpoint's script writes the
 * deadline itself, so a checkpoint is one command, one socket write and one reply (the second command was as
 * costly to the room's thread as the checkpoint's own, docs/BENCHMARKS.md "Checkpoint cost").
 *
 * Every write is one Lua script that checks the lease still holds the writer's token: a process that
 * was paused (SIGSTOP, a long GC, a network split) and wakes up after another took its room over
 * finds its write refused, and stands down. One whose lease merely ran out (nobody claimed the room:
 * the fence is still its own), or whose Redis restarted empty, takes its lease back with the write. Claiming is one script too: exactly one claimant gets a
 * room whose lease ran out, with the next fence, and the checkpoint in the same answer.
 */
import type { Logger } from "../log.ts";
import { createRedisClient, type RedisClient } from "./redisClient.ts";
import { onceEach } from "./redisHealth.ts";
import { asRedisTarget, type RedisTarget } from "./redisTarget.ts";

/** A lease runs out this long after its last renewal (the detection time after a crash). */
export const LEASE_MS = 1500;
/** Checkpoints (and lease renewals with them) at least this often. */
export const CHECKPOINT_INTERVAL_MS = 250;
/** A checkpoint nobody renews or takes over is gone after this long. */
export const CHECKPOINT_TTL_MS = 60_000;
/** Every process looks for leases that ran out this often. */
export const SCAN_INTERVAL_MS = 250;
/** A holder stops sending anything once this long has passed since its last confirmed renewal was sent. */
export const LOCAL_LEASE_MS = LEASE_MS - 250;
/** Fences outlive any checkpoint: a room id reused later still gets larger numbers. */
const FENCE_TTL_MS = 24 * 3600 * 1000;

export const CUSTODY_KEYS = {
  lease: (roomId: string) => `arena:custody:{${roomId}}:lease`,
  fence: (roomId: string) => `arena:custody:{${roomId}}:fence`,
  checkpoint: (roomId: string) => `arena:custody:{${roomId}}:ckpt`,
  deadlines: "arena:leases",
} as const;

const NOW_MS = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

/** KEYS lease, fence; ARGV processId, leaseMs, fenceTtlMs. A new room: the next fence, the lease. */
const OPEN = `local f = redis.call('INCR', KEYS[2]) redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. f, 'PX', ARGV[2])
return f`;

/**
 * KEYS lease, checkpoint, fence; ARGV token, checkpoint ('' for none), leaseMs, checkpointMs, fence, fenceTtlMs.
 * 1 written, 0 not ours. A lease that is gone (it ran out, or Redis restarted empty) is taken back only if
 * nobody took the room since: the fence is still the writer's (or gone with everything else).
 */
const COMMIT_WRITE = `local cur = redis.call('GET', KEYS[1])
if cur ~= ARGV[1] then
  if cur then return 0 end
  local f = redis.call('GET', KEYS[3])
  if f and tonumber(f) ~= tonumber(ARGV[5]) then return 0 end
  if not f then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6]) end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4]) end`;
const COMMIT = `${COMMIT_WRITE}
return 1`;

/**
 * COMMIT, then (only if written) the room's lease deadline as DEADLINE writes it, in the same script: not on
 * a Redis Cluster, where the deadlines' key is in another slot. KEYS as COMMIT's, then deadlines; ARGV as
 * COMMIT's, then roomId.
 */
const COMMIT_WITH_DEADLINE = `${COMMIT_WRITE}
${NOW_MS}
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[3]), ARGV[7])
return 1`;

/** KEYS lease, fence, checkpoint; ARGV processId, leaseMs, fenceTtlMs. {fence, checkpoint}; 0 still held; -1 nothing to take. */
const CLAIM = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local c = redis.call('GET', KEYS[3])
if not c then return -1 end
local f = redis.call('INCR', KEYS[2]) redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. f, 'PX', ARGV[2])
return {f, c}`;

/** KEYS lease; ARGV token. Hands the room over: the lease is gone (and its deadline then set to now). */
const RELEASE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1]) return 1`;

/** KEYS lease, checkpoint; ARGV token. The match is over: nothing to take over (and no deadline). */
const END = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2]) return 1`;

/** KEYS deadlines; ARGV leaseMs, roomId. The room's lease runs out leaseMs from now, by this Redis' clock (the one DUE reads). */
const DEADLINE = `${NOW_MS}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])`;

/** KEYS deadlines; ARGV limit. Rooms whose lease deadline has passed. */
const DUE = `${NOW_MS}
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))`;

interface CustodyCommands {
  custodyOpen(lease: string, fence: string, processId: string, leaseMs: number, fenceTtl: number): Promise<number>;
  custodyCommit(lease: string, ckpt: string, fence: string, token: string, data: string | Buffer, leaseMs: number, ckptMs: number, fenceNo: number, fenceTtl: number): Promise<number>;
  custodyCommitWithDeadline(
    lease: string, ckpt: string, fence: string, deadlines: string,
    token: string, data: string | Buffer, leaseMs: number, ckptMs: number, fenceNo: number, fenceTtl: number, roomId: string,
  ): Promise<number>;
  /** ioredis' Buffer variant of the claim script: the checkpoint's bytes as they are. */
  custodyClaimBuffer(lease: string, fence: string, ckpt: string, processId: string, leaseMs: number, fenceTtl: number): Promise<[number, Buffer] | number>;
  custodyRelease(lease: string, token: string): Promise<number>;
  custodyEnd(lease: string, ckpt: string, token: string): Promise<number>;
  custodyDeadline(deadlines: string, leaseMs: number, roomId: string): Promise<unknown>;
  custodyDue(deadlines: string, limit: number): Promise<string[]>;
}

/** The arguments of the commit script that also moves the room's deadline. */
type CommitWithDeadlineArgs = Parameters<CustodyCommands["custodyCommitWithDeadline"]>;

/** The commit script as a pipeline queues it (the reply comes with the pipeline's exec). */
interface CustodyPipeline {
  custodyCommitWithDeadline(...args: CommitWithDeadlineArgs): unknown;
}

/** One room's hold on its lease: its token, and until when (locally) it may act on it. */
export class Lease {
  /** performance.now() until which the lease is known to be ours (renewal sent before it, confirmed). */
  private confirmedUntil: number;
  /** Set once a fenced write was refused: another process holds the room. */
  lost = false;

  constructor(readonly roomId: string, readonly fence: number, readonly token: string, sentAt: number) {
    this.confirmedUntil = sentAt + LOCAL_LEASE_MS;
  }

  renewed(sentAt: number): void {
    this.confirmedUntil = Math.max(this.confirmedUntil, sentAt + LOCAL_LEASE_MS);
  }

  /** Whether the last renewal confirmed still covers now: past it, another process may hold the room. */
  get current(): boolean {
    return !this.lost && performance.now() < this.confirmedUntil;
  }
}

/** What a claim brings: the lease and the checkpoint's bytes (not yet checked). */
export interface Claim {
  readonly lease: Lease;
  readonly checkpoint: Buffer;
}

/** The commit script's arguments (with the deadline) for `lease` writing `checkpoint`. */
function commitWithDeadline(lease: Lease, checkpoint: string | Buffer): CommitWithDeadlineArgs {
  const k = CUSTODY_KEYS;
  const roomId = lease.roomId;
  return [k.lease(roomId), k.checkpoint(roomId), k.fence(roomId), k.deadlines, lease.token, checkpoint, LEASE_MS, CHECKPOINT_TTL_MS, lease.fence, FENCE_TTL_MS, roomId];
}

/** A commit's reply: the lease renewed as of `sentAt` (true), or another process's now (false, `lease.lost`). */
function committed(lease: Lease, sentAt: number, reply: unknown): boolean {
  if (reply !== 1) {
    lease.lost = true;
    return false;
  }
  lease.renewed(sentAt);
  return true;
}

export class MatchCustody {
  private readonly redis: RedisClient & CustodyCommands;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning = false;
  /** The scan, once watching (a hand-over nudge runs it at once rather than at the next tick). */
  private scanNow: (() => void) | undefined;

  /** `processId` is read at each claim (Colyseus sets it when the server starts). */
  constructor(target: RedisTarget | string, private readonly processIdOf: () => string, private readonly log: Logger) {
    // No offline queue: a write waits for nobody; while Redis is away commits fail at once (see ArenaRoom).
    this.redis = createRedisClient(asRedisTarget(target), { enableOfflineQueue: false }) as RedisClient & CustodyCommands;
    this.redis.on("error", onceEach(log, "match custody redis error"));
    this.redis.defineCommand("custodyOpen", { numberOfKeys: 2, lua: OPEN });
    this.redis.defineCommand("custodyCommit", { numberOfKeys: 3, lua: COMMIT });
    this.redis.defineCommand("custodyCommitWithDeadline", { numberOfKeys: 4, lua: COMMIT_WITH_DEADLINE });
    this.redis.defineCommand("custodyClaim", { numberOfKeys: 3, lua: CLAIM });
    this.redis.defineCommand("custodyRelease", { numberOfKeys: 1, lua: RELEASE });
    this.redis.defineCommand("custodyEnd", { numberOfKeys: 2, lua: END });
    this.redis.defineCommand("custodyDeadline", { numberOfKeys: 1, lua: DEADLINE });
    this.redis.defineCommand("custodyDue", { numberOfKeys: 1, lua: DUE });
  }

  /**
   * Moves the room's deadline to a lease from now. A failure is only logged: the lease itself was written,
   * and the next checkpoint writes the deadline again (a room briefly missing from the set is claimed late).
   */
  private async deadline(roomId: string): Promise<void> {
    try {
      await this.redis.custodyDeadline(CUSTODY_KEYS.deadlines, LEASE_MS, roomId);
    } catch (error) {
      this.log.debug("lease deadline not written", { room: roomId, error: (error as Error).message });
    }
  }

  /** Resolves once the connection is up (the process waits for it before taking rooms). */
  ready(): Promise<void> {
    if (this.redis.status === "ready") return Promise.resolve();
    return new Promise((resolve) => this.redis.once("ready", () => resolve()));
  }

  /** Whether Redis answers right now (a commit that fails while it does not is an outage, not a lost lease). */
  get reachable(): boolean {
    return this.redis.status === "ready";
  }

  /** Takes the lease of a room this process has just created. */
  async open(roomId: string): Promise<Lease> {
    const sentAt = performance.now();
    const k = CUSTODY_KEYS;
    const fence = await this.redis.custodyOpen(k.lease(roomId), k.fence(roomId), this.processIdOf(), LEASE_MS, FENCE_TTL_MS);
    await this.deadline(roomId);
    return new Lease(roomId, fence, `${this.processIdOf()}:${fence}`, sentAt);
  }

  /**
   * Writes `checkpoint` and renews the lease, only if the lease is still `lease`'s. Resolves true when
   * written, false when refused (the lease is another's: `lease.lost` is set); rejects if Redis did not answer.
   */
  async commit(lease: Lease, checkpoint: string | Buffer): Promise<boolean> {
    const sentAt = performance.now();
    const k = CUSTODY_KEYS;
    const roomId = lease.roomId;
    const reply = this.redis.isCluster
      ? await this.redis.custodyCommit(k.lease(roomId), k.checkpoint(roomId), k.fence(roomId), lease.token, checkpoint, LEASE_MS, CHECKPOINT_TTL_MS, lease.fence, FENCE_TTL_MS)
      : await this.redis.custodyCommitWithDeadline(...commitWithDeadline(lease, checkpoint));
    if (!committed(lease, sentAt, reply)) return false;
    // On a cluster the deadline is a command of its own (another slot), sent once the write is confirmed.
    if (this.redis.isCluster) await this.deadline(roomId);
    return true;
  }

  /**
   * `commit` for several rooms at once, a promise per room in their order. On a single Redis (or a Sentinel-watched
   * one) the writes go as one pipeline: one socket write, one read of the replies. On a Redis Cluster each room's
   * keys are in a slot of their own, which a pipeline may not mix: each write is a command of its own there.
   */
  commitMany(writes: readonly { lease: Lease; checkpoint: string | Buffer }[]): Promise<boolean>[] {
    if (this.redis.isCluster || writes.length === 1) return writes.map((w) => this.commit(w.lease, w.checkpoint));
    const sentAt = performance.now();
    const pipeline = this.redis.pipeline() as ReturnType<RedisClient["pipeline"]> & CustodyPipeline;
    for (const { lease, checkpoint } of writes) pipeline.custodyCommitWithDeadline(...commitWithDeadline(lease, checkpoint));
    const replies = pipeline.exec();
    return writes.map(({ lease }, i) => replies.then((all) => {
      const [error, reply] = all?.[i] ?? [new Error("no reply"), undefined];
      if (error) throw error;
      return committed(lease, sentAt, reply);
    }));
  }

  /** Hands the room over now: the lease is dropped and its deadline set in the past (another process claims it at its next scan). */
  async release(lease: Lease): Promise<boolean> {
    const k = CUSTODY_KEYS;
    if ((await this.redis.custodyRelease(k.lease(lease.roomId), lease.token)) !== 1) return false;
    await this.redis.zadd(k.deadlines, 0, lease.roomId);
    return true;
  }

  /** The match is over for good (the room closed): its checkpoint and lease go. */
  async end(lease: Lease): Promise<boolean> {
    const k = CUSTODY_KEYS;
    if ((await this.redis.custodyEnd(k.lease(lease.roomId), k.checkpoint(lease.roomId), lease.token)) !== 1) return false;
    await this.redis.zrem(k.deadlines, lease.roomId);
    return true;
  }

  /** Whether a checkpoint of `roomId` is there to take over (a match handed over or whose holder died, not yet claimed). */
  async hasCheckpoint(roomId: string): Promise<boolean> {
    return (await this.redis.exists(CUSTODY_KEYS.checkpoint(roomId))) === 1;
  }

  /** The process holding `roomId`'s lease now; undefined when nobody does (it ran out and is not claimed yet). */
  async holder(roomId: string): Promise<string | undefined> {
    const lease = await this.redis.get(CUSTODY_KEYS.lease(roomId));
    return lease === null ? undefined : lease.slice(0, lease.lastIndexOf(":"));
  }

  /** Claims a room whose lease ran out; undefined when another process holds it (or got it first) or nothing is left to take. */
  async claim(roomId: string): Promise<Claim | undefined> {
    const sentAt = performance.now();
    const k = CUSTODY_KEYS;
    const got = await this.redis.custodyClaimBuffer(k.lease(roomId), k.fence(roomId), k.checkpoint(roomId), this.processIdOf(), LEASE_MS, FENCE_TTL_MS);
    if (got === -1) await this.redis.zrem(k.deadlines, roomId); // no checkpoint: nothing will ever be there to take
    if (typeof got === "number") return undefined;
    const [fence, checkpoint] = got;
    await this.deadline(roomId);
    return { lease: new Lease(roomId, fence, `${this.processIdOf()}:${fence}`, sentAt), checkpoint };
  }

  /**
   * Every SCAN_INTERVAL_MS, claims rooms whose lease ran out (skipping those `isLocal` says are still
   * here, standing down) and gives each claim to `takeOver`, one at a time; for one lease after this process was
   * stalled, it claims nothing.
   */
  watch(isLocal: (roomId: string) => boolean, takeOver: (claim: Claim) => Promise<void>): void {
    let lastScanAt = performance.now();
    let claimsFrom = 0;
    const scan = async (): Promise<void> => {
      // A gap between scans longer than a local lease: this process was stalled (stopped, starved of CPU, or the
      // whole machine paused), and any lease that ran out meanwhile may be a live holder's that stalled with it (two
      // processes creating a hundred rooms each at once on two busy cores). Claims wait one lease, in which a live
      // holder takes its lease back with its next write; a dead one's match is claimed a lease later.
      const now = performance.now();
      if (now - lastScanAt > LOCAL_LEASE_MS) {
        claimsFrom = now + LEASE_MS;
        this.log.info("lease scan: this process stalled; claims wait a lease", { stalledMs: Math.round(now - lastScanAt) });
      }
      lastScanAt = now;
      if (now < claimsFrom) return;
      if (this.scanning || !this.reachable) return;
      this.scanning = true;
      try {
        const due = await this.redis.custodyDue(CUSTODY_KEYS.deadlines, 32);
        for (const roomId of due) {
          if (this.scanTimer === undefined) return;
          if (isLocal(roomId)) continue;
          const claim = await this.claim(roomId);
          if (claim === undefined) continue;
          this.log.info("claimed a match whose lease ran out", { room: roomId, fence: claim.lease.fence });
          await takeOver(claim).catch((error: unknown) => this.log.error("taking a match over failed", { room: roomId, error }));
        }
      } catch (error) {
        this.log.warn("lease scan failed", { error });
      } finally {
        this.scanning = false;
      }
    };
    this.scanTimer = setInterval(() => void scan(), SCAN_INTERVAL_MS);
    this.scanTimer.unref();
    this.scanNow = () => void scan();
  }

  /** Looks for claimable rooms now (another process just handed one over) instead of at the next scan. */
  scanSoon(): void {
    this.scanNow?.();
  }

  /** Stops claiming (a stopping process takes nothing over). */
  stopWatching(): void {
    if (this.scanTimer !== undefined) clearInterval(this.scanTimer);
    this.scanTimer = undefined;
    this.scanNow = undefined;
  }

  /** A raw connection for tests and benchmarks (reading checkpoints, corrupting them). */
  get connection(): RedisClient {
    return this.redis;
  }

  close(): void {
    this.stopWatching();
    this.redis.disconnect();
  }
}
