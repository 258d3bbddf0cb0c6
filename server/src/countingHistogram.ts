/**
 * A Prometheus histogram without labels for a hot path: `observe` finds the bucket and adds to two numbers
 * and an array; the registry reads the totals when scraped, in the same series as prom-client's Histogram
 * (`_bucket{le}` cumulative, `+Inf`, `_sum`, `_count`).
 *
 * Why not prom-client's own: its `observe` builds a closure, validates and hashes the labels and keys the bucket
 * by its bound as an object property, about half a microsecond, and the patch-size histogram is observed for
 * every frame sent to every player (1.4 % of the server's CPU at 400 players, by perf: docs/BENCHMARKS.md, issue
 * 23, fourth pass). server/test/counting-histogram.test.ts checks the text against prom-client's for the same values.
 */
import type { Histogram, Registry } from "prom-client";

export class CountingHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(readonly name: string, readonly help: string, private readonly buckets: readonly number[], registers: readonly Registry[]) {
    this.counts = new Float64Array(buckets.length);
    for (const r of registers) r.registerMetric(this as unknown as Histogram);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }

  /** What the registry reads at scrape time: prom-client's histogram values. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: { value: number; labels: Record<string, string | number>; metricName: string }[] }> {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    let cumulative = 0;
    this.buckets.forEach((le, i) => {
      cumulative += this.counts[i]!;
      values.push({ value: cumulative, labels: { le }, metricName: `${this.name}_bucket` });
    });
    values.push({ value: this.count, labels: { le: "+Inf" }, metricName: `${this.name}_bucket` });
    values.push({ value: this.sum, labels: {}, metricName: `${this.name}_sum` });
    values.push({ value: this.count, labels: {}, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}
