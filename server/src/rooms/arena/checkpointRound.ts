/**
 * One checkpoint round a period for every arena room of a process, instead of a timer per room.
 *
 * Every CHECKPOINT_INTERVAL_MS the round takes each room's checkpoint one after another and hands them to Redis
 * together (MatchCustody.commitMany: one pipeline, so one socket write and one read of the replies on a single Redis
 * or a Sentinel-watched one; a command per room on a Redis Cluster, whose rooms live in different slots). Taken in a
 * row, the rooms after the first find the encoder's code and buffers warm: in a server, a room's checkpoint taken
 * alone between other work cost ~5× what the same code costs in a loop (docs/BENCHMARKS.md "Checkpoint cost"), and
 * each write was a socket write of its own.
 *
 * A room whose own write is under way (a phase change, a hand-over's last checkpoint) sits the round out and writes
 * once more after it (RoomKeeper.commit's `again`): no room ever has two writes in flight.
 */
import { CHECKPOINT_INTERVAL_MS, type Lease, type MatchCustody } from "../../scale/matchCustody.ts";
import { CPU_SAMPLE_EVERY, recordSpan, type CheckpointStats } from "./checkpointStats.ts";

/** What the round needs of a room's keeper. */
export interface RoundMember {
  readonly lease: Lease;
  /**
   * The room's checkpoint for this round: `bytes` undefined when it cannot be taken (the lease is renewed alone);
   * undefined when the room sits this round out (stopped, or a write of its own under way).
   */
  joinRound(): { bytes: Buffer | undefined } | undefined;
  /** What became of the round's write for this room. */
  roundWritten(bytes: Buffer | undefined, written: Promise<boolean>): void;
}

export class CheckpointRound {
  private readonly members = new Set<RoundMember>();
  private timer: NodeJS.Timeout | undefined;
  private rounds = 0;

  constructor(private readonly custody: MatchCustody, private readonly stats: CheckpointStats) {}

  /** The room checkpoints with every round from now on (the round's timer runs while it has a member). */
  add(member: RoundMember): void {
    this.members.add(member);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.run(), CHECKPOINT_INTERVAL_MS);
      this.timer.unref();
    }
  }

  delete(member: RoundMember): void {
    this.members.delete(member);
    if (this.members.size === 0) this.stop();
  }

  get size(): number {
    return this.members.size;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes every member's checkpoint in a row and writes them together. */
  run(): void {
    const cpu = ++this.rounds % CPU_SAMPLE_EVERY === 0 ? process.cpuUsage() : undefined;
    const t0 = performance.now();
    const joined: { member: RoundMember; bytes: Buffer | undefined }[] = [];
    let takeMs = 0;
    for (const member of this.members) {
      const before = performance.now();
      const entry = member.joinRound();
      if (entry === undefined) continue;
      takeMs += performance.now() - before;
      joined.push({ member, bytes: entry.bytes });
    }
    if (joined.length === 0) return;
    const written = this.custody.commitMany(joined.map((j) => ({ lease: j.member.lease, checkpoint: j.bytes ?? "" })));
    recordSpan(this.stats, { ms: performance.now() - t0, takeMs, checkpoints: joined.length, cpu });
    joined.forEach((j, i) => j.member.roundWritten(j.bytes, written[i]!));
  }
}
