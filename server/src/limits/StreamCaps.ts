/** Caps on long-lived streams: at most so many open per client address, and per process. */

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
