/**
 * A baseline server's send loop, and what it did by its own count: the
 * interval it runs at, its firings, and the frames it sent. The benchmark reads
 * them from /health: the rates a baseline is described with are the ones its
 * loop is set to, and the bots' counts are checked against what it sent
 * (achieved rates fall on a busy machine; these do not).
 */
export interface SendTimerReading {
  /** The send loop's interval, ms (0 before it started). */
  readonly intervalMs: number;
  readonly firings: number;
  readonly frames: number;
}

class SendTimer {
  private intervalMs = 0;
  private firings = 0;
  private frames = 0;

  /** Runs `send` every `intervalMs`; it returns how many frames it sent. */
  every(intervalMs: number, send: () => number): void {
    this.intervalMs = intervalMs;
    setInterval(() => {
      this.firings++;
      this.frames += send();
    }, intervalMs);
  }

  read(): SendTimerReading {
    return { intervalMs: this.intervalMs, firings: this.firings, frames: this.frames };
  }
}

/** The baseline server's one send loop (each baseline is its own process). */
export const sendTimer = new SendTimer();
