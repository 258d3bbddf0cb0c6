/**
 * The network round trip, told apart from the page's own delays. A ping's
 * reply waits on the main thread until the frame being drawn is done, so one
 * sample is the network plus up to a frame (tens of ms on a slow device or a
 * software renderer). Those waits only ever add: the lowest sample of a short
 * window is the network's round trip (the min-RTT filter TCP and NTP use).
 */
export class RoundTripFilter {
  private readonly samples: number[] = [];
  private latest = 0;

  constructor(private readonly window = 10) {}

  observe(ms: number): void {
    this.latest = ms;
    this.samples.push(ms);
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
