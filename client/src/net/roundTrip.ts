/**
 * The network round trip, told apart from the page's own delays. A ping's
 * reply waits on the main thread until the frame being drawn is done, so one
 * sample is the network plus up to a frame (tens of ms on a slow device or a
 * software renderer). Those waits only ever add: the lowest sample of a short
 * window is the network's round trip (the min-RTT filter TCP and NTP use).
 * Where the browser reports long tasks (Chromium), the time the main thread
 * spent in them while the ping was out is taken off the sample first: a page
 * whose every frame is long still measures the network.
 */
export class RoundTripFilter {
  private readonly samples: number[] = [];
  private latest = 0;

  constructor(private readonly window = 10) {}

  /** One ping: as measured, and without the main thread's known busy time (the same when none is known). */
  observe(ms: number, networkMs = ms): void {
    this.latest = ms;
    this.samples.push(networkMs);
    if (this.samples.length > this.window) this.samples.shift();
  }

  /** The network round trip, ms: the lowest recent sample (0 before any). */
  get networkMs(): number {
    return this.samples.length === 0 ? 0 : Math.min(...this.samples);
  }

  /** The last sample as measured, the page's waits included, ms. */
  get latestMs(): number {
    return this.latest;
  }
}

/** Main-thread tasks over 50 ms, as the browser reports them (none where it does not). */
export class LongTasks {
  private readonly spans: Array<{ start: number; end: number }> = [];
  private readonly observer: PerformanceObserver | undefined;

  constructor() {
    if (typeof PerformanceObserver === "undefined" || !PerformanceObserver.supportedEntryTypes?.includes("longtask")) return;
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.spans.push({ start: e.startTime, end: e.startTime + e.duration });
      if (this.spans.length > 100) this.spans.splice(0, this.spans.length - 100);
    });
    this.observer.observe({ type: "longtask" });
  }

  /** Time the main thread spent in long tasks between `from` and `to`, ms. */
  busyBetween(from: number, to: number): number {
    let busy = 0;
    for (const s of this.spans) busy += Math.max(0, Math.min(to, s.end) - Math.max(from, s.start));
    return busy;
  }

  disconnect(): void {
    this.observer?.disconnect();
  }
}
