/**
 * Keeping a match alive past its process (with REDIS_URL only).
 *
 * RoomKeeper, one per arena room: holds the room's lease, writes a checkpoint
 * with every renewal (in the process's checkpoint round, checkpointRound.ts,
 * every CHECKPOINT_INTERVAL_MS, and on its own at each phase change),
 * keeps the seat table the checkpoint carries, and says whether the room is
 * `live`: a room whose renewal was refused has been taken over, and one
 * whose last confirmed renewal is too old may have been (a paused process
 * waking up): such a room sends, steps and credits nothing until Redis says
 * which it is, and stands down if the lease is another's.
 *
 * MatchKeeping, one per process: claims rooms whose lease ran out and
 * recreates them here from their checkpoint, and hands this process's rooms
 * over on SIGTERM when another process is there to take them.
 */
import { ROOM_ARENA } from "@arena/shared";
import { ErrorCode, ServerError, matchMaker, type Presence } from "@colyseus/core";
import type { Logger } from "../../log.ts";
import { interceptMatchmaking, processesListening, roomListening } from "../../colyseusInternals.ts";
import { LOCAL_LEASE_MS, SCAN_INTERVAL_MS, type Claim, type Lease, type MatchCustody } from "../../scale/matchCustody.ts";
import { CheckpointRound, type RoundMember } from "./checkpointRound.ts";
import { CPU_SAMPLE_EVERY, newCheckpointStats, recordSpan, type CheckpointStats } from "./checkpointStats.ts";
import { CheckpointError, type Checkpoint, type SeatSnapshot } from "./checkpoint.ts";
import { decodeCheckpoint } from "./checkpointCodec.ts";
import { createRoomWithId } from "../../colyseusInternals.ts";

/** A pause for want of a confirmed lease this long or longer is logged (a shorter one is only counted). */
const PAUSE_LOG_MS = 1000;

/** What the keeper needs of its room. */
export interface KeptRoom {
  readonly roomId: string;
  /** The whole match as it is now, as a checkpoint's bytes (checkpointCodec.ts). */
  checkpoint(): Buffer;
  /** Another process holds the match now: stop without writing, crediting or sending anything. */
  standDown(reason: string): void;
  /** The match's step count now (logged when the room wakes from a pause). */
  readonly tick: number;
}

/** The seat table: who sits where, with the reconnection token each client holds; `revision` counts its changes. */
export class SeatTable extends Map<string, SeatSnapshot> {
  revision = 0;

  override set(sessionId: string, seat: SeatSnapshot): this {
    this.revision++;
    return super.set(sessionId, seat);
  }

  override delete(sessionId: string): boolean {
    this.revision++;
    return super.delete(sessionId);
  }
}

export class RoomKeeper implements RoundMember {
  readonly seats = new SeatTable();
  /** The writes under way (one after another while `again` asks for one more). */
  private flight: Promise<boolean> | undefined;
  private again = false;
  /** performance.now() when the room last stopped acting for want of a confirmed lease; 0 while it acts. */
  private pausedAt = 0;
  /** The last reason a checkpoint could not be taken (logged once until it changes). */
  private lastFault: string | undefined;
  private stopped = false;
  /** performance.now() when the last write was sent, if it failed for want of an answer (Redis down or hanging), not for a refusal; 0 otherwise. */
  private unansweredSentAt = 0;
  /** performance.now() when `live` was last asked (every step of the room's): a longer gap than LOCAL_LEASE_MS is a pause. */
  private askedAt = 0;
  /** performance.now() when `live` last saw such a pause end: a write sent before it says nothing of Redis now. */
  private wokeAt = 0;
  /** Writes begun, to time one in CPU_SAMPLE_EVERY in process CPU. */
  private writes = 0;

  constructor(
    private readonly room: KeptRoom, private readonly custody: MatchCustody, private readonly round: CheckpointRound,
    readonly lease: Lease, private readonly stats: CheckpointStats, private readonly log: Logger,
  ) {}

  /** Checkpoints with the process's round from now on. */
  start(): void {
    if (!this.stopped) this.round.add(this);
  }

  /** The round's turn: this room's checkpoint now, unless it stopped or a write of its own is under way (then one more follows it). */
  joinRound(): { bytes: Buffer | undefined } | undefined {
    if (this.stopped) return undefined;
    if (this.flight !== undefined) {
      this.again = true;
      return undefined;
    }
    return { bytes: this.take() };
  }

  /** The round's write of this room's checkpoint, settled as one of its own; a commit asked meanwhile writes after it. */
  roundWritten(bytes: Buffer | undefined, written: Promise<boolean>): void {
    this.flight = this.settle(bytes, written)
      .then((ok) => (ok && this.again ? this.writeAll() : ok))
      .finally(() => (this.flight = undefined));
  }

  /**
   * Whether this process may act for the match now. Past the last confirmed renewal it may not,
   * unless Redis itself is unreachable or did not answer the last write: then nobody can take the
   * match over either, and the match plays on as it did before checkpoints (docs/OPERATIONS.md says
   * what a split costs). A process waking from a pause waits for the answer to its first write.
   *
   * What bounds such a pause: a write is always in flight or due within CHECKPOINT_INTERVAL_MS (a
   * checkpoint that cannot be taken still renews the lease), and each write ends within
   * REDIS_COMMAND_TIMEOUT_MS: answered in time (the room acts again), refused (it stands down and its
   * clients go to the new holder), or unanswered (it acts again, as without Redis). So the room stays
   * paused only while Redis answers every write, but each later than LOCAL_LEASE_MS after it was sent.
   * Each pause is counted and timed (the "checkpoint figures" log line).
   *
   * A write left unanswered before this process stopped running for longer than LOCAL_LEASE_MS (SIGSTOP,
   * a suspended VM, a starved CPU: no step asked meanwhile) says nothing about the match now, which
   * another process may have taken meanwhile: the room then waits for what Redis makes of a later write,
   * as a room whose lease is merely old does. Without this, such a room sends its old state on its first
   * steps after waking, until the refusal of its next write stands it down. The same holds for a write
   * in flight when the process stopped: its timeout, overdue on waking, may fire after the first step
   * has seen the pause (Redis' answer waits unread in the socket meanwhile). So an unanswered write
   * counts only if it was sent after the last pause.
   */
  get live(): boolean {
    if (this.stopped || this.lease.lost) return false;
    const now = performance.now();
    if (this.askedAt !== 0 && now - this.askedAt > LOCAL_LEASE_MS) {
      this.wokeAt = now;
      this.log.info("woke from a pause: acting again once Redis answers a write", { pausedMs: Math.round(now - this.askedAt), tick: this.room.tick });
    }
    this.askedAt = now;
    const live = this.lease.current || !this.custody.reachable || this.unansweredSentAt > this.wokeAt;
    if (!live && this.pausedAt === 0) {
      this.pausedAt = now;
      this.stats.pauses++;
    } else if (live && this.pausedAt !== 0) {
      const ms = now - this.pausedAt;
      this.stats.pausedMs += ms;
      this.pausedAt = 0;
      if (ms >= PAUSE_LOG_MS) this.log.warn("the match was paused: its lease was not confirmed in time", { pausedMs: Math.round(ms) });
    }
    return live;
  }

  /**
   * Writes a checkpoint now, or once more right after the one in flight: resolves when the room's state as
   * it is now (or later) is written (true), or not (false). A hand-over waits on this for its last checkpoint.
   */
  commit(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (this.flight !== undefined) {
      this.again = true;
      return this.flight;
    }
    this.flight = this.writeAll().finally(() => (this.flight = undefined));
    return this.flight;
  }

  private async writeAll(): Promise<boolean> {
    let ok: boolean;
    do {
      this.again = false;
      // Process CPU and the thread's wall time: on a loaded machine the process may be descheduled in the
      // middle (wall time then overstates), while process CPU counts every thread of it (then it overstates).
      const cpu = ++this.writes % CPU_SAMPLE_EVERY === 0 ? process.cpuUsage() : undefined;
      const t0 = performance.now();
      const bytes = this.take();
      const t1 = performance.now();
      const written = this.custody.commit(this.lease, bytes ?? "");
      recordSpan(this.stats, { ms: performance.now() - t0, takeMs: t1 - t0, checkpoints: 1, cpu });
      ok = await this.settle(bytes, written);
    } while (ok && this.again);
    return ok;
  }

  /** What became of a write: counted, or the room stands down (refused), or it is marked unanswered (see `live`). */
  private async settle(bytes: Buffer | undefined, written: Promise<boolean>): Promise<boolean> {
    const sentAt = performance.now();
    try {
      const ok = await written;
      this.unansweredSentAt = 0;
      if (this.stopped) return false;
      if (!ok) {
        this.stats.refused++;
        this.lost("a checkpoint write was refused: another process holds the match");
        return false;
      }
      if (bytes === undefined) return false;
      this.stats.count++;
      this.stats.bytes += bytes.length;
      return true;
    } catch {
      // Redis did not answer (down, or past REDIS_COMMAND_TIMEOUT_MS): see `live`.
      this.stats.failed++;
      this.unansweredSentAt = sentAt;
      return false;
    }
  }

  /**
   * The room's checkpoint; undefined when it cannot be taken (over the size cap, or a fault of ours in
   * encoding). The lease is then renewed alone: the match plays on rather than stop for want of a
   * checkpoint, and a taker would find the last one written (or none once it expired, CHECKPOINT_TTL_MS).
   */
  private take(): Buffer | undefined {
    try {
      return this.room.checkpoint();
    } catch (error) {
      this.stats.failed++;
      const reason = error instanceof CheckpointError ? error.message : String((error as Error)?.stack ?? error);
      if (reason !== this.lastFault) this.log.error("checkpoint not taken: the lease is renewed without it", { error: reason });
      this.lastFault = reason;
      return undefined;
    }
  }

  /** Hands the match to another process (after a last `commit`): the lease is released, so another process claims it at once. */
  async release(): Promise<boolean> {
    this.stop();
    if (this.lease.lost) return false;
    return this.custody.release(this.lease).catch(() => false);
  }

  /** The room closed: the match is over, nothing is left to take over. */
  async end(): Promise<void> {
    this.stop();
    if (this.lease.lost) return;
    await this.custody.end(this.lease).catch((error: unknown) => this.log.warn("ending the match's lease failed", { error }));
  }

  stop(): void {
    this.stopped = true;
    this.round.delete(this);
  }

  private lost(reason: string): void {
    this.stop();
    this.room.standDown(reason);
  }
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A claimed match waiting for its room's onCreate on this process. */
export interface Takeover {
  readonly checkpoint: Checkpoint;
  readonly lease: Lease;
  readonly claimedAt: number;
}

/** A process that hands a match over says so here, so that the others claim it now rather than at their next scan. */
const HANDED_OVER_CHANNEL = "arena:custody:handed-over";
/** How long a reconnection to a match on the move waits for it to be back before it is refused (the SDK helper allows 4 s an attempt). */
export const MOVE_WAIT_MS = 2000;
/** How often a waiting reconnection looks again. */
const MOVE_POLL_MS = 50;

export class MatchKeeping {
  /** Claimed matches by room id, read by the room's onCreate. */
  readonly pending = new Map<string, Takeover>();
  readonly stats: CheckpointStats = newCheckpointStats();
  /** Every room of this process checkpoints in this round (checkpointRound.ts). */
  readonly round: CheckpointRound;
  private statsTimer: NodeJS.Timeout | undefined;
  private uninstall: (() => void) | undefined;

  constructor(readonly custody: MatchCustody, private readonly presence: Presence, private readonly log: Logger) {
    this.round = new CheckpointRound(custody, this.stats);
  }

  /** Starts claiming rooms whose lease ran out, and logs checkpoint figures every 10 s. */
  start(): void {
    this.custody.watch((roomId) => matchMaker.getLocalRoomById(roomId) !== undefined, (claim) => this.takeOver(claim));
    void this.presence.subscribe(HANDED_OVER_CHANNEL, this.nudged);
    this.uninstall = interceptMatchmaking(async (original, method, roomId, options, context) => {
      if (method === "reconnect") await this.waitWhileMoving(roomId);
      return original(method, roomId, options, context);
    });
    let last = { ...this.stats };
    this.statsTimer = setInterval(() => {
      const s = this.stats;
      const count = s.count - last.count;
      if (count > 0) {
        this.log.info("checkpoint figures", {
          checkpoints: count, bytesPerCheckpoint: Math.round((s.bytes - last.bytes) / count), encodeMsPerCheckpoint: s.cpuSamples === last.cpuSamples ? null : (s.encodeMs - last.encodeMs) / (s.cpuSamples - last.cpuSamples),
          threadMsPerCheckpoint: (s.threadMs - last.threadMs) / count, takeMsPerCheckpoint: (s.takeMs - last.takeMs) / count,
          threadMsMedian: median(s.spans),
          refused: s.refused - last.refused, failed: s.failed - last.failed,
          pauses: s.pauses - last.pauses, pausedMs: Math.round(s.pausedMs - last.pausedMs),
        });
      }
      s.spans.length = 0;
      last = { ...s, spans: [] };
    }, 10_000);
    this.statsTimer.unref();
  }

  /** Recreates a claimed match here; a checkpoint that does not check out ends the match, logged. */
  private async takeOver(claim: Claim): Promise<void> {
    const roomId = claim.lease.roomId;
    let checkpoint: Checkpoint;
    try {
      checkpoint = decodeCheckpoint(claim.checkpoint, roomId);
    } catch (error) {
      this.log.error("refused a checkpoint, the match ends", { room: roomId, reason: (error as Error).message, bytes: claim.checkpoint.length });
      await this.abandon(claim.lease);
      return;
    }
    // The listing still names the dead holder: a reconnection asking now would wait for its IPC to time out.
    await matchMaker.driver.remove(roomId);
    this.pending.set(roomId, { checkpoint, lease: claim.lease, claimedAt: Date.now() });
    try {
      await createRoomWithId(ROOM_ARENA, roomId);
      this.log.info("took a match over", { room: roomId, fence: claim.lease.fence, checkpointAgeMs: Date.now() - checkpoint.at, seats: checkpoint.seats.length });
    } catch (error) {
      this.log.error("restoring a match failed, the match ends", { room: roomId, error });
      await this.abandon(claim.lease);
    } finally {
      this.pending.delete(roomId);
    }
  }

  /** The match cannot go on: its lease, checkpoint and stale listing go, so its players are told it is gone. */
  private async abandon(lease: Lease): Promise<void> {
    await this.custody.end(lease).catch(() => undefined);
    await matchMaker.driver.remove(lease.roomId);
  }

  private readonly nudged = (): void => this.custody.scanSoon();

  /** Tells the other processes that a match of this one is free to claim now (SIGTERM's hand-over). */
  announceHandOver(roomId: string): void {
    void this.presence.publish(HANDED_OVER_CHANNEL, roomId).catch(() => undefined);
  }

  /**
   * A reconnection to a match on the move waits here, on the server, until the match is back (listed by
   * the process holding its lease), and then goes through at once: the client's own retries would add their
   * spacing and a round trip to every player's gap. On the move means: its listing names a process that no
   * longer holds its lease (it died or handed it over and another claimed it), or a process that is gone
   * (its IPC subscription vanished with its connection: a crash, before its lease has run out; Colyseus would
   * ask that process and wait out its 2 s IPC timeout), or it is not listed while its lease is held (being
   * restored: also while listed but not yet subscribed to its IPC channel, see colyseusInternals.roomListening)
   * or while its checkpoint waits for a taker (handed over, not claimed yet). Past MOVE_WAIT_MS it is refused, for the client to ask again. A match that is not moving
   * (listed and held by the same live process, or gone with no lease) is left to Colyseus at once.
   */
  private async waitWhileMoving(roomId: string): Promise<void> {
    const deadline = Date.now() + MOVE_WAIT_MS;
    let listening: Set<string> | undefined;
    let listeningAt = 0;
    for (;;) {
      const [listing, holder] = await Promise.all([matchMaker.getRoomById(roomId), this.custody.holder(roomId).catch(() => "")]);
      if (holder === "") return; // Redis did not answer: nothing to wait on
      let moving: string | undefined;
      if (listing === undefined) {
        if (holder !== undefined) moving = "being restored";
        else if (await this.custody.hasCheckpoint(roomId).catch(() => false)) moving = "waiting to be taken over";
      } else if (listing.name === ROOM_ARENA) {
        if (listing.processId !== holder) moving = "moving to another process";
        else if (listing.processId !== matchMaker.processId) {
          // Who listens changes only when a process dies or starts: read it at most every scan period.
          if (Date.now() - listeningAt >= SCAN_INTERVAL_MS) {
            listening = await processesListening(this.presence).catch(() => undefined);
            listeningAt = Date.now();
          }
          if (listening !== undefined && !listening.has(listing.processId)) moving = "moving: its process is gone";
          // Listed by its new holder, but not answering remote calls yet (a call now would wait out 2 s).
          else if (!(await roomListening(this.presence, roomId).catch(() => true))) moving = "being restored";
        }
      }
      if (moving === undefined) return;
      if (Date.now() >= deadline) throw new ServerError(ErrorCode.MATCHMAKE_INVALID_ROOM_ID, `room "${roomId}" is ${moving}; try again`);
      await new Promise((r) => setTimeout(r, MOVE_POLL_MS));
    }
  }

  /** Whether another process is there to take matches over (subscribed to its IPC channel right now). */
  async othersAlive(): Promise<boolean> {
    try {
      const listening = await processesListening(this.presence);
      listening.delete(matchMaker.processId);
      return listening.size > 0;
    } catch {
      return false;
    }
  }

  stop(): void {
    this.presence.unsubscribe(HANDED_OVER_CHANNEL, this.nudged);
    this.uninstall?.();
    this.uninstall = undefined;
    this.custody.stopWatching();
    if (this.statsTimer !== undefined) clearInterval(this.statsTimer);
  }

  close(): void {
    this.stop();
    this.round.stop();
    this.custody.close();
  }
}
