/**
 * Shared beats: one timer per period runs every arena room's step (and, on another beat, every room's patch
 * broadcast), one room after another in the same turn of the event loop.
 *
 * Colyseus gives each room timers of its own (`setFixedTimestep`, `patchRate`), started whenever the room was
 * created: with 25 rooms, 750 step and 500 patch firings a second, each in a turn of the event loop of its own.
 * On the shared beats the process wakes up for two timers per period whatever the number of rooms, and each
 * room's step and broadcast runs right after the previous room's, on code the previous one just ran (each room's
 * own data is out of the caches by its turn: docs/BENCHMARKS.md, issue 23, sixth pass).
 * `npm run bench:ab` measured 0.839× the CPU per player-second at 150 players, 0.927× at 100, 0.917× at 300
 * (docs/BENCHMARKS.md, issue 23, fifth pass). The naive baseline (loadtest/baseline/naive.ts) has always stepped
 * its rooms in one loop.
 *
 * Each room's callbacks are Colyseus' own (its fixed-timestep accumulator, its broadcast), taken from it by
 * colyseusInternals.ts `takeInterval`, so a room steps and patches exactly as on its own timer, only in step
 * with the others. A callback that throws is rethrown on its own (as from a timer of its own, an uncaught
 * exception) after the other rooms have run.
 */

/** Throws `error` on its own, out of a microtask: an uncaught exception, as from a timer of the room's own. */
function rethrowApart(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** One period's timer and the callbacks it runs, in the order they joined. */
export class Beat {
  private readonly members = new Set<{ readonly run: () => void }>();
  private timer: NodeJS.Timeout | undefined;

  /** `report` is given what a member throws, once the beat's other members have run. */
  constructor(readonly periodMs: number, private readonly report: (error: unknown) => void = rethrowApart) {}

  /** Runs `run` at every beat from the next on, until the returned function is called. */
  join(run: () => void): () => void {
    const member = { run };
    this.members.add(member);
    this.timer ??= setInterval(() => this.fire(), this.periodMs);
    return () => {
      if (!this.members.delete(member) || this.members.size > 0 || this.timer === undefined) return;
      clearInterval(this.timer);
      this.timer = undefined;
    };
  }

  /** Callbacks run at each beat. */
  get size(): number {
    return this.members.size;
  }

  /** Whether the beat's timer runs (it stops with its last member). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  private fire(): void {
    // A member that leaves during the beat (a room disposed by another's step) does not run; one that joins does not yet.
    const thrown: unknown[] = [];
    for (const member of [...this.members]) {
      if (!this.members.has(member)) continue;
      try {
        member.run();
      } catch (error) {
        thrown.push(error);
      }
    }
    for (const error of thrown) this.report(error);
  }
}

/** The process's beats, one per period. */
const beats = new Map<number, Beat>();

/** The process's beat of `periodMs` (made at first use). */
export function beatOf(periodMs: number): Beat {
  if (!(periodMs > 0 && Number.isFinite(periodMs))) throw new Error(`a beat's period must be a positive number of ms, got ${periodMs}`);
  let beat = beats.get(periodMs);
  if (beat === undefined) beats.set(periodMs, (beat = new Beat(periodMs)));
  return beat;
}
