/** How the baseline bots' runs start and end: bots at the ramp rate, then play until the duration is over or the run is stopped. */

export interface RampOptions {
  bots: number;
  rampPerSecond: number;
  durationSeconds: number;
}

/** A run's stop switch: `stop()` ends the ramp and the hold at once. */
export class StopSignal {
  stopped = false;
  private wake: (() => void) | undefined;

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Resolves after `ms`, or as soon as `stop()` is called. */
  sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Starts bot 0, 1, … at the ramp rate (a bot that fails to start goes to `onFail`), then holds until the end of the duration. */
export async function rampThenHold(options: RampOptions, start: (index: number) => Promise<void>, onFail: (e: unknown) => void, signal: StopSignal): Promise<void> {
  const t0 = performance.now();
  const deadline = t0 + options.durationSeconds * 1000;
  const starts: Array<Promise<void>> = [];
  for (let i = 0; i < options.bots && performance.now() < deadline && !signal.stopped; i++) {
    await signal.sleep(t0 + (i * 1000) / options.rampPerSecond - performance.now());
    if (signal.stopped) break;
    starts.push(start(i).catch(onFail));
  }
  await Promise.all(starts);
  await signal.sleep(deadline - performance.now());
}
