/**
 * Reading a server's `/metrics` in tests: the Prometheus text parsed by the
 * strict parser in prometheus.ts (malformed or inconsistent text throws), and
 * accessors that sum a sample over label sets (a histogram's `_count`, `_sum`
 * and `_bucket` included, per label set).
 */
import { parsePrometheus, type MetricFamily } from "./prometheus.ts";

export interface MetricsSnapshot {
  /** Every family of the exposition by name (histogram samples sit in their family, with their suffix). */
  readonly families: ReadonlyMap<string, MetricFamily>;
  /**
   * The sum of the samples named `name` whose labels include `labels` (0 when there are none):
   * a counter or gauge, or a histogram's `<name>_count` / `<name>_sum` / `<name>_bucket` (with `le` among the labels).
   */
  value(name: string, labels?: Readonly<Record<string, string>>): number;
  /** As `value`, but throws when the exposition has no such sample (a 0 that proves the series exists). */
  sample(name: string, labels?: Readonly<Record<string, string>>): number;
}

/** The family holding samples named `name`: itself, or a histogram or summary by its suffix. */
function familyOf(name: string, families: ReadonlyMap<string, MetricFamily>): MetricFamily | undefined {
  const direct = families.get(name);
  if (direct !== undefined) return direct;
  const suffix = /_(count|sum|bucket)$/.exec(name);
  return suffix === null ? undefined : families.get(name.slice(0, -suffix[0].length));
}

/** Parses a Prometheus text exposition (throws PrometheusParseError on malformed text). */
export function parseMetrics(text: string): MetricsSnapshot {
  const families = parsePrometheus(text);
  const values = (name: string, labels: Readonly<Record<string, string>>): number[] =>
    (familyOf(name, families)?.samples ?? [])
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .map((s) => s.value);
  const sum = (xs: number[]): number => xs.reduce((n, x) => n + x, 0);
  return {
    families,
    value: (name, labels = {}) => sum(values(name, labels)),
    sample(name, labels = {}) {
      const found = values(name, labels);
      if (found.length === 0) throw new Error(`no sample ${name}${JSON.stringify(labels)} in /metrics`);
      return sum(found);
    },
  };
}

/** GETs `url` + `/metrics` (a server's base URL, or the metrics URL itself) and parses it. */
export async function readMetrics(url: string): Promise<MetricsSnapshot> {
  const target = url.endsWith("/metrics") ? url : `${url.replace(/\/$/, "")}/metrics`;
  const res = await fetch(target, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${target}: HTTP ${res.status}`);
  return parseMetrics(await res.text());
}
