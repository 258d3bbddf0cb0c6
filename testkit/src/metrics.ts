/**
 * Reading a server's `/metrics` in tests: the Prometheus text parsed by
 * parse-prometheus-text-format, and one accessor that sums a sample over
 * label sets (a histogram's `_count`, `_sum` and `_bucket` included).
 */
import parsePrometheusTextFormat, { type ParsedFamily, type ParsedSample } from "parse-prometheus-text-format";

export interface MetricsSnapshot {
  readonly families: ReadonlyMap<string, ParsedFamily>;
  /**
   * The sum of the samples named `name` whose labels include `labels` (0 when there are none):
   * a counter or gauge, or a histogram's `<name>_count` / `<name>_sum` / `<name>_bucket` (with `le` among the labels).
   */
  value(name: string, labels?: Readonly<Record<string, string>>): number;
}

/** Parses a Prometheus text exposition. */
export function parseMetrics(text: string): MetricsSnapshot {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f] as const));
  const matches = (s: ParsedSample, labels: Readonly<Record<string, string>>): boolean =>
    Object.entries(labels).every(([k, v]) => s.labels?.[k] === v);
  return {
    families,
    value(name, labels = {}) {
      const direct = families.get(name);
      if (direct !== undefined) return direct.metrics.filter((s) => matches(s, labels)).reduce((n, s) => n + Number(s.value ?? 0), 0);
      const suffix = /_(count|sum|bucket)$/.exec(name);
      const family = suffix === null ? undefined : families.get(name.slice(0, -suffix[0].length));
      if (family === undefined || suffix === null) return 0;
      const { le, ...rest } = labels;
      return family.metrics.filter((s) => matches(s, rest)).reduce((n, s) => {
        const v = suffix[1] === "count" ? s.count : suffix[1] === "sum" ? s.sum : le !== undefined ? s.buckets?.[le] : undefined;
        return n + Number(v ?? 0);
      }, 0);
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
