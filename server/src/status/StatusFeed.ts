/**
 * The cluster's status once a second, for /status. Each process writes its
 * own figures for the last second (processFigures.ts) to a presence key with
 * a TTL, `arena:status:proc:<processId>`; each process then sums every live
 * key, adds the people online (deduplicated, from the people directory), and
 * hands the sample to its stream viewers. The last HISTORY samples are kept
 * for a viewer's first chart.
 */
import { matchMaker, type Presence } from "@colyseus/core";
import { ROOM_ARENA, type StatusSample } from "@arena/shared";
import { Gauge, type Registry } from "prom-client";
import type { Logger } from "../log.ts";
import type { PeopleDirectory } from "../people/PeopleDirectory.ts";
import { FigureMeter, type ProcessFigures } from "./processFigures.ts";

export const STATUS_INTERVAL_MS = 1000;
/** Samples a new viewer gets at once (two minutes). */
export const HISTORY = 120;
const TTL_S = 3;
const PROCESSES_KEY = "arena:status:procs";
const processKey = (id: string): string => `arena:status:proc:${id}`;

export type SampleListener = (sample: StatusSample) => void;

export class StatusFeed {
  readonly history: StatusSample[] = [];
  private readonly listeners = new Set<SampleListener>();
  private readonly meter: FigureMeter;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly presence: Presence, registry: Registry, private readonly people: PeopleDirectory, private readonly log: Logger) {
    this.meter = new FigureMeter(registry);
    const feed = this;
    new Gauge({
      name: "arena_matches_in_progress", help: "Matches being played (phase 'playing') in rooms of this process, as of the last status sample.", registers: [registry],
      collect() {
        this.set(feed.localMatches);
      },
    });
  }

  /** Matches in progress on this process at the last sample. */
  private localMatches = 0;

  start(): void {
    this.timer = setInterval(() => void this.tick(), STATUS_INTERVAL_MS);
    this.timer.unref();
  }

  subscribe(listener: SampleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async tick(): Promise<void> {
    // While Redis is out there is no cluster figure to show; the page says so by its gap.
    if (this.busy || !this.people.up()) return;
    this.busy = true;
    try {
      const id = matchMaker.processId;
      const mine = await matchMaker.query({ processId: id, name: ROOM_ARENA });
      this.localMatches = mine.filter((r) => (r.metadata as { phase?: string } | undefined)?.phase === "playing").length;
      const figures = await this.meter.next(id, mine.length, this.localMatches);
      await this.presence.setex(processKey(id), JSON.stringify(figures), TTL_S);
      await this.presence.sadd(PROCESSES_KEY, id);
      const sample = await this.aggregate();
      this.history.push(sample);
      if (this.history.length > HISTORY) this.history.shift();
      for (const l of this.listeners) l(sample);
    } catch (error) {
      this.log.warn("status sample failed", { error });
    } finally {
      this.busy = false;
    }
  }

  private async aggregate(): Promise<StatusSample> {
    const ids = await this.presence.smembers(PROCESSES_KEY);
    const all: ProcessFigures[] = [];
    await Promise.all(ids.map(async (id) => {
      const raw = (await this.presence.get(processKey(id))) as string | null | undefined;
      if (raw === null || raw === undefined) await this.presence.srem(PROCESSES_KEY, id);
      else all.push(JSON.parse(raw) as ProcessFigures);
    }));
    const sum = (f: (p: ProcessFigures) => number): number => all.reduce((s, p) => s + f(p), 0);
    return {
      t: Math.round(Date.now() / 1000),
      people: (await this.people.online()).length,
      rooms: sum((p) => p.rooms),
      matches: sum((p) => p.matches),
      joinsPerSecond: sum((p) => p.joins),
      stepP99Ms: Math.max(0, ...all.map((p) => p.stepP99Ms)),
      bytesOutPerSecond: sum((p) => p.bytesOut),
      bytesInPerSecond: sum((p) => p.bytesIn),
      processes: all.length,
    };
  }

  /** Stops sampling; this process's key is removed in the background (it expires by itself anyway). */
  stop(): void {
    clearInterval(this.timer);
    if (!this.people.up()) return;
    Promise.resolve(this.presence.del(processKey(matchMaker.processId))).catch(() => undefined);
    Promise.resolve(this.presence.srem(PROCESSES_KEY, matchMaker.processId)).catch(() => undefined);
  }
}
