/**
 * One process' figures for the last second, read from its Prometheus
 * registry (so the status page and /metrics never disagree): joins, bytes in
 * and out, and the step-time p99 from the histogram's buckets (an upper
 * bound: the first bucket holding 99% of the second's steps).
 */
import type { MetricValue, Registry } from "prom-client";
import type { PeopleCounts } from "@arena/shared";

/** Histogram values name their series (`_bucket`, `_count`); the type leaves it out. */
const seriesOf = (v: MetricValue<string>): string | undefined => (v as { metricName?: string }).metricName;

export interface ProcessFigures {
  processId: string;
  rooms: number;
  matches: number;
  /** People connected to this process (two tabs count once; a person on two processes counts on each). */
  people: number;
  /** The same people by status (absent from a process of an older version). */
  statuses?: PeopleCounts;
  /** Client connections (Colyseus' ccu: what the lobby's online count sums). */
  clients: number;
  /** Server-side bots playing in this process's rooms. */
  bots: number;
  joins: number;
  bytesOut: number;
  bytesIn: number;
  stepP99Ms: number;
  /** Joins and bytes since the process started (absent from a process of an older version): see countsSince. */
  totals?: Counts;
}

/** What a process has counted since it started, or in a stretch of time. */
export interface Counts {
  joins: number;
  bytesOut: number;
  bytesIn: number;
}

/**
 * The joins and bytes of every process since the aggregator's previous read, from their totals: each process
 * writes its figures once a second on its own beat and the aggregator reads them on its own, so a process's
 * last-second figures can be overwritten before they are read (a join lost) or read twice (counted twice).
 * A process read for the first time, or whose totals went back (it restarted), counts its last second; a late
 * aggregator's sample holds everything since its previous one. Returns the sums and the totals to pass next time.
 */
export function countsSince(previous: ReadonlyMap<string, Counts>, all: readonly ProcessFigures[]): { counts: Counts; totals: Map<string, Counts> } {
  const counts: Counts = { joins: 0, bytesOut: 0, bytesIn: 0 };
  const totals = new Map<string, Counts>();
  for (const p of all) {
    const now = p.totals;
    const before = previous.get(p.processId);
    const since = now !== undefined && before !== undefined && now.joins >= before.joins && now.bytesOut >= before.bytesOut && now.bytesIn >= before.bytesIn
      ? { joins: now.joins - before.joins, bytesOut: now.bytesOut - before.bytesOut, bytesIn: now.bytesIn - before.bytesIn }
      : { joins: p.joins, bytesOut: p.bytesOut, bytesIn: p.bytesIn };
    counts.joins += since.joins;
    counts.bytesOut += since.bytesOut;
    counts.bytesIn += since.bytesIn;
    if (now !== undefined) totals.set(p.processId, now);
  }
  return { counts, totals };
}

interface Totals {
  joins: number;
  bytesOut: number;
  bytesIn: number;
  /** Cumulative count per bucket bound (seconds). */
  steps: Map<number, number>;
}

async function read(registry: Registry): Promise<Totals> {
  const value = async (name: string): Promise<number> => {
    const metric = registry.getSingleMetric(name);
    if (metric === undefined) return 0;
    return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
  };
  const steps = new Map<number, number>();
  const step = registry.getSingleMetric("arena_step_duration_seconds");
  if (step !== undefined) {
    for (const v of (await step.get()).values) {
      const le = v.labels.le;
      if (seriesOf(v) === "arena_step_duration_seconds_bucket" && le !== undefined) steps.set(le === "+Inf" ? Infinity : Number(le), v.value);
    }
  }
  const joins = registry.getSingleMetric("arena_join_latency_seconds");
  let joinCount = 0;
  if (joins !== undefined) joinCount = (await joins.get()).values.find((v) => seriesOf(v) === "arena_join_latency_seconds_count")?.value ?? 0;
  return { joins: joinCount, bytesOut: await value("arena_bytes_out_total"), bytesIn: await value("arena_bytes_in_total"), steps };
}

/** p99 in ms from two cumulative bucket readings; 0 when no step ran in between. */
export function p99Between(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return 0;
  for (const le of bounds) {
    if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= total * 0.99) return Number.isFinite(le) ? le * 1000 : (bounds.at(-2) ?? 0) * 1000;
  }
  return 0;
}

/** Differences between consecutive calls of `next()`. */
export class FigureMeter {
  private last: Totals | undefined;

  constructor(private readonly registry: Registry) {}

  async next(processId: string, local: Pick<ProcessFigures, "rooms" | "matches" | "people" | "statuses" | "clients" | "bots">): Promise<ProcessFigures> {
    const now = await read(this.registry);
    const last = this.last ?? now;
    this.last = now;
    return {
      processId,
      ...local,
      joins: now.joins - last.joins,
      bytesOut: now.bytesOut - last.bytesOut,
      bytesIn: now.bytesIn - last.bytesIn,
      stepP99Ms: p99Between(last.steps, now.steps),
      totals: { joins: now.joins, bytesOut: now.bytesOut, bytesIn: now.bytesIn },
    };
  }
}
