/**
 * Caps on long-lived streams: at most so many open per client address, and per process. Each kind of
 * stream has caps of its own (StreamCapsByKind), so the public ones, which anyone opens without signing
 * in, can never take the slots of the personal notification streams, nor the other way round.
 */

export type CapRefusal = "address" | "process";

export class StreamCaps {
  private readonly byKey = new Map<string, number>();
  private total = 0;

  constructor(private readonly perAddress: number, private readonly perProcess: number) {}

  /** Streams open now. */
  get open(): number {
    return this.total;
  }

  /** Takes a slot for `key`; returns its release (idempotent), or which cap refused it. */
  take(key: string): (() => void) | CapRefusal {
    if (this.total >= this.perProcess) return "process";
    const mine = this.byKey.get(key) ?? 0;
    if (mine >= this.perAddress) return "address";
    this.byKey.set(key, mine + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byKey.get(key) ?? 1) - 1;
      if (left <= 0) this.byKey.delete(key);
      else this.byKey.set(key, left);
    };
  }
}

/** One StreamCaps per kind of stream, each with the same limits (SSE_MAX_PER_ADDRESS, SSE_MAX_STREAMS). */
export interface StreamCapsByKind {
  /** GET /api/leaderboard/stream: public. */
  readonly leaderboard: StreamCaps;
  /** GET /api/status/stream: public. */
  readonly status: StreamCaps;
  /** GET /api/notifications/stream: personal (a ticket from a signed-in person). */
  readonly notifications: StreamCaps;
}

export function streamCapsByKind(perAddress: number, perProcess: number): StreamCapsByKind {
  return {
    leaderboard: new StreamCaps(perAddress, perProcess),
    status: new StreamCaps(perAddress, perProcess),
    notifications: new StreamCaps(perAddress, perProcess),
  };
}
