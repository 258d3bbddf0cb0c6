/**
 * A room's pace: the fixed steps and patch broadcasts it ran, beside the
 * number due on the process's clock since each started. Colyseus' fixed
 * timestep catches up at most five steps after a late timer and then drops
 * the rest: a room that skips steps, runs slow, or is held up by a blocking
 * handler shows as steps < due, whatever the wall clock of whoever watches it.
 * The patch timer does not catch up: each late firing pushes the later ones
 * back, so on a busy machine patches fall behind their due count with no fault
 * of the room; beside the step timer's own firings on the same event loop
 * (which drift alike), a patch timer that runs slow or skips still shows.
 * Counting costs an increment per step and per broadcast; "due" is computed when read.
 */
import { performance } from "node:perf_hooks";

/** What rooms ran and what was due of them (one room, or all rooms of a process). */
export interface PaceCounts {
  /** Fixed steps run. */
  steps: number;
  /** Steps the fixed timestep called for (Colyseus' accumulator on the room's clock): all of them run unless the step itself skips. */
  stepsScheduled: number;
  /** Firings of the step timer that ran steps (one or more each: it catches up after a late firing). */
  stepTimerRuns: number;
  /** Fixed steps due: the tick rate times the time since stepping began (until the room was disposed). */
  stepsDue: number;
  /** Patch broadcasts (each sends one patch frame to every joined client). */
  patches: number;
  /** Patch broadcasts due: the patch rate times the time since the patch timer was set. */
  patchesDue: number;
  /** Patch frames owed to clients: the joined clients at each broadcast, summed. */
  deliveries: number;
}

export class RoomPace {
  steps = 0;
  /** The last step's tick + 1: Colyseus numbers the steps its accumulator calls for from 0. */
  stepsScheduled = 0;
  stepTimerRuns = 0;
  patches = 0;
  deliveries = 0;
  private stepsFrom: number | undefined;
  private lastStepClock = NaN;
  private patchesFrom: number | undefined;
  private endedAt: number | undefined;

  constructor(readonly tickRate: number, readonly patchRate: number) {}

  /** The fixed timestep starts now. */
  startSteps(now = performance.now()): void {
    this.stepsFrom = now;
  }

  /** The patch timer is set now. */
  startPatches(now = performance.now()): void {
    this.patchesFrom = now;
  }

  /**
   * Step `tick` (Colyseus' number for it) ran at `clockTime` (the room clock's time, which moves once per
   * firing of the step timer).
   */
  stepped(clockTime: number, tick: number): void {
    this.steps++;
    this.stepsScheduled = tick + 1;
    if (clockTime !== this.lastStepClock) {
      this.lastStepClock = clockTime;
      this.stepTimerRuns++;
    }
  }

  /** A patch broadcast to `joined` clients. */
  patched(joined: number): void {
    this.patches++;
    this.deliveries += joined;
  }

  /** The room is disposed: nothing more is due. */
  end(now = performance.now()): void {
    this.endedAt ??= now;
  }

  counts(now = performance.now()): PaceCounts {
    const until = this.endedAt ?? now;
    const due = (from: number | undefined, rate: number): number => (from === undefined ? 0 : Math.floor(((until - from) * rate) / 1000));
    return {
      steps: this.steps,
      stepsScheduled: this.stepsScheduled,
      stepTimerRuns: this.stepTimerRuns,
      stepsDue: due(this.stepsFrom, this.tickRate),
      patches: this.patches,
      patchesDue: due(this.patchesFrom, this.patchRate),
      deliveries: this.deliveries,
    };
  }
}

/** Every room's pace in one process, for /metrics: live rooms are read at scrape time, disposed ones are kept as totals. */
export class PaceBook {
  private readonly live = new Set<RoomPace>();
  private readonly retired: PaceCounts = { steps: 0, stepsScheduled: 0, stepTimerRuns: 0, stepsDue: 0, patches: 0, patchesDue: 0, deliveries: 0 };

  open(tickRate: number, patchRate: number): RoomPace {
    const pace = new RoomPace(tickRate, patchRate);
    this.live.add(pace);
    return pace;
  }

  close(pace: RoomPace): void {
    if (!this.live.delete(pace)) return;
    pace.end();
    add(this.retired, pace.counts());
  }

  totals(now = performance.now()): PaceCounts {
    const sum = { ...this.retired };
    for (const pace of this.live) add(sum, pace.counts(now));
    return sum;
  }
}

function add(into: PaceCounts, c: PaceCounts): void {
  into.steps += c.steps;
  into.stepsScheduled += c.stepsScheduled;
  into.stepTimerRuns += c.stepTimerRuns;
  into.stepsDue += c.stepsDue;
  into.patches += c.patches;
  into.patchesDue += c.patchesDue;
  into.deliveries += c.deliveries;
}
