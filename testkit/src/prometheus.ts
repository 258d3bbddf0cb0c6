/**
 * A strict parser for the Prometheus text exposition format (version 0.0.4),
 * enough to check a server's `/metrics` and to read its values in the benchmark.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string;
  samples: Sample[];
}

export class PrometheusParseError extends Error {
  override name = "PrometheusParseError";
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** Values as Prometheus reads them (Go's ParseFloat: NaN and Inf in any case; prom-client writes "Nan"). */
function parseValue(raw: string, line: number): number {
  const lower = raw.toLowerCase();
  if (lower === "+inf" || lower === "inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  if (lower === "nan") return NaN;
  const n = Number(raw);
  if (raw === "" || Number.isNaN(n)) throw new PrometheusParseError(`line ${line}: bad value "${raw}"`);
  return n;
}

function parseLabels(raw: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < raw.length) {
    const m = LABEL.exec(raw);
    if (m === null) throw new PrometheusParseError(`line ${line}: bad labels "{${raw}}"`);
    labels[m[1]!] = m[2]!.replace(/\\n/g, "\n").replace(/\\"/g, "\"").replace(/\\\\/g, "\\");
    if (m[3] === "") break;
  }
  return labels;
}

/** The family a sample belongs to: histogram and summary samples carry suffixes. */
function familyOf(sample: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  const direct = families.get(sample);
  if (direct !== undefined) return direct;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sample.endsWith(suffix)) continue;
    const f = families.get(sample.slice(0, -suffix.length));
    if (f !== undefined && (f.type === "histogram" || f.type === "summary")) return f;
  }
  return undefined;
}

/** Parses an exposition; throws PrometheusParseError on anything malformed or inconsistent. */
export function parsePrometheus(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === "") return;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (m === null) return; // a plain comment
      const [, kind, name, rest = ""] = m as unknown as [string, string, string, string | undefined];
      if (!NAME.test(name)) throw new PrometheusParseError(`line ${n}: bad metric name "${name}"`);
      const f = families.get(name) ?? { name, type: "untyped" as const, help: "", samples: [] };
      if (kind === "HELP") f.help = rest;
      else {
        if (!TYPES.has(rest)) throw new PrometheusParseError(`line ${n}: unknown type "${rest}"`);
        if (f.samples.length > 0) throw new PrometheusParseError(`line ${n}: TYPE after samples of ${name}`);
        f.type = rest as MetricFamily["type"];
      }
      families.set(name, f);
      return;
    }
    const m = SAMPLE.exec(line);
    if (m === null) throw new PrometheusParseError(`line ${n}: not a sample: "${line}"`);
    const name = m[1]!;
    const sample: Sample = { name, labels: m[3] !== undefined ? parseLabels(m[3], n) : {}, value: parseValue(m[4]!, n) };
    let f = familyOf(name, families);
    if (f === undefined) {
      f = { name, type: "untyped", help: "", samples: [] };
      families.set(name, f);
    }
    f.samples.push(sample);
  });
  for (const f of families.values()) checkFamily(f);
  return families;
}

function checkFamily(f: MetricFamily): void {
  if (f.type === "counter") {
    for (const s of f.samples) if (!(s.value >= 0)) throw new PrometheusParseError(`${f.name}: counter is negative or NaN`);
  }
  if (f.type !== "histogram") return;
  // Per label set (without "le"): buckets ascend, never decrease, and +Inf equals _count.
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new PrometheusParseError(`${f.name}: bucket without "le"`);
      g.buckets.push([parseValue(le, 0), s.value]);
    } else if (s.name === `${f.name}_count`) g.count = s.value;
  }
  for (const g of groups.values()) {
    let last = -Infinity;
    let lastCount = 0;
    for (const [le, count] of g.buckets) {
      if (le <= last || count < lastCount) throw new PrometheusParseError(`${f.name}: buckets out of order or decreasing`);
      last = le;
      lastCount = count;
    }
    if (last !== Infinity || g.count !== lastCount) throw new PrometheusParseError(`${f.name}: +Inf bucket missing or not equal to _count`);
  }
}

/** Sum of the samples named `sample` (all label sets), or 0 when there are none. */
export function total(families: Map<string, MetricFamily>, sample: string, labels: Record<string, string> = {}): number {
  const f = familyOf(sample, families);
  if (f === undefined) return 0;
  return f.samples
    .filter((s) => s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** Cumulative buckets of a histogram (no labels besides "le"), as [upper bound, count] pairs. */
export function buckets(families: Map<string, MetricFamily>, name: string): Array<[number, number]> {
  const f = families.get(name);
  if (f === undefined) return [];
  return f.samples.filter((s) => s.name === `${name}_bucket`).map((s) => [parseValue(s.labels.le ?? "NaN", 0), s.value]);
}

/**
 * The q-quantile of the observations between two scrapes of one histogram,
 * interpolated linearly inside the bucket it falls in (as PromQL's histogram_quantile).
 */
export function quantileBetween(before: Array<[number, number]>, after: Array<[number, number]>, q: number): number {
  const delta = after.map(([le, c], i) => [le, c - (before[i]?.[1] ?? 0)] as [number, number]);
  const count = delta.at(-1)?.[1] ?? 0;
  if (count <= 0) return NaN;
  const rank = q * count;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, c] of delta) {
    if (c >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCount) / Math.max(1e-9, c - prevCount));
    }
    prevLe = le;
    prevCount = c;
  }
  return prevLe;
}

export async function scrape(url: string): Promise<Map<string, MetricFamily>> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return parsePrometheus(await res.text());
}
