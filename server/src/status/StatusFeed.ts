/**
 * The cluster's status once a second, for /status and the lobby's online
 * count, at a cost per process that does not grow with the processes:
 * - each process writes its own figures for the last second
 *   (processFigures.ts, counted from its own rooms and connections, no shared
 *   read) to `arena:status:proc:<processId>` (TTL 3 s): one SETEX;
 * - one process, the holder of the `status` lease (Liveness.ts), reads the
 *   figures of the processes alive, sums them and writes the cluster's sample
 *   to `arena:status:cluster`;
 * - every other process reads that one key: one GET (and asks for the lease
 *   only when that sample is missing or stale: the aggregator stopped).
 * So at rest a process issues two commands a second here, whatever the
 * number of processes, and the one aggregating reads one small key per process.
 * People are summed from each process's count: a person connected to two
 * processes at once (a lobby on one, a match on another) counts on each.
 * The last HISTORY samples are kept for a viewer's first chart.
 */
import { matchMaker, type Presence } from "@colyseus/core";
import { ROOM_ARENA, type ArenaRoomMetadata, type OnlineOut, type PeopleCounts, type StatusSample } from "@arena/shared";
import { Gauge, type Registry } from "prom-client";
import type { Logger } from "../log.ts";
import type { PeopleDirectory } from "../people/PeopleDirectory.ts";
import { livenessOf, type Liveness } from "../scale/Liveness.ts";
import { LocalRooms } from "./localRooms.ts";
import { FigureMeter, countsSince, type Counts, type ProcessFigures } from "./processFigures.ts";

export const STATUS_INTERVAL_MS = 1000;
/** Samples a new viewer gets at once (two minutes). */
export const HISTORY = 120;
const TTL_S = 3;
/** The aggregating process holds its lease this long without renewing; another takes over after it. */
const LEASE_MS = 3000;
const LEASE = "status";
/** A sample older than this means its aggregator stopped: another process takes the lease. */
const STALE_S = 2;
const CLUSTER_KEY = "arena:status:cluster";
const processKey = (id: string): string => `arena:status:proc:${id}`;

/** What the aggregating process writes: the public sample, the lobby's online count and the people counted by status. */
export interface ClusterStatus {
  sample: StatusSample;
  online: OnlineOut;
  people?: PeopleCounts;
}

export type SampleListener = (sample: StatusSample) => void;

export class StatusFeed {
  readonly history: StatusSample[] = [];
  private readonly listeners = new Set<SampleListener>();
  private readonly meter: FigureMeter;
  /** Each process's totals as this process last aggregated them (while it holds the lease). */
  private aggregatedTotals = new Map<string, Counts>();
  private readonly rooms = new LocalRooms();
  private readonly liveness: Liveness;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private latest: ClusterStatus | undefined;
  /** Whether this process held the status lease at its last tick. */
  private aggregating = false;

  /**
   * `self`: this process's id and client count (Colyseus'); the cluster simulation (server/bench/simCluster.ts)
   * runs several feeds in one process, each with its own.
   */
  constructor(
    private readonly presence: Presence, registry: Registry, private readonly people: PeopleDirectory, private readonly log: Logger,
    private readonly self: { processId(): string; clients(): number } = { processId: () => matchMaker.processId, clients: () => matchMaker.stats.local.ccu },
  ) {
    this.meter = new FigureMeter(registry);
    this.liveness = livenessOf(presence);
    // The people lists' totals are this feed's counts: kept by each process, summed here, never read from everyone.
    people.countWith(() => this.peopleCounts());
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

  /** Starts sampling; the arena room must be defined by now (its rooms are followed from here on). */
  start(): void {
    this.rooms.watch(ROOM_ARENA);
    this.timer = setInterval(() => void this.tick(), STATUS_INTERVAL_MS);
    this.timer.unref();
  }

  subscribe(listener: SampleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The cluster's online count as of the last sample read (none before the first, or when it is stale). */
  online(): OnlineOut | undefined {
    const latest = this.latest;
    if (latest === undefined || Date.now() / 1000 - latest.sample.t > TTL_S) return undefined;
    return latest.online;
  }

  /** People online on every process, by status, as of the last sample read (none before the first, or when it is stale). */
  peopleCounts(): PeopleCounts | undefined {
    const latest = this.latest;
    if (latest === undefined || latest.people === undefined || Date.now() / 1000 - latest.sample.t > TTL_S) return undefined;
    return latest.people;
  }

  private localFigures(): Pick<ProcessFigures, "rooms" | "matches" | "people" | "statuses" | "clients" | "bots"> {
    let rooms = 0;
    let matches = 0;
    let bots = 0;
    for (const room of this.rooms.all()) {
      const meta = room.metadata as Partial<ArenaRoomMetadata> | undefined;
      rooms++;
      if (meta?.phase === "playing") matches++;
      bots += meta?.bots ?? 0;
    }
    this.localMatches = matches;
    const statuses = this.people.localCounts();
    return { rooms, matches, bots, people: statuses.online, statuses, clients: this.self.clients() };
  }

  private async tick(): Promise<void> {
    // While Redis is out there is no cluster figure to show; the page says so by its gap.
    if (this.busy || !this.people.up()) return;
    this.busy = true;
    try {
      const id = this.self.processId();
      const figures = await this.meter.next(id, this.localFigures());
      await this.presence.setex(processKey(id), JSON.stringify(figures), TTL_S);
      let status: ClusterStatus | undefined;
      if (!this.aggregating) {
        const raw = (await this.presence.get(CLUSTER_KEY)) as string | null | undefined;
        if (raw !== null && raw !== undefined) status = JSON.parse(raw) as ClusterStatus;
      }
      // Only when no one else is aggregating (no sample for a moment) does a process ask for the lease;
      // its holder renews it each second.
      if (this.aggregating || status === undefined || Date.now() / 1000 - status.sample.t > STALE_S) {
        this.aggregating = await this.liveness.lease(LEASE, id, LEASE_MS);
        if (this.aggregating) {
          status = await this.aggregate();
          await this.presence.setex(CLUSTER_KEY, JSON.stringify(status), TTL_S);
        }
      }
      // A process that gives up the lease forgets the totals it read: taking it back later starts afresh.
      if (!this.aggregating) this.aggregatedTotals.clear();
      if (status !== undefined) this.take(status);
    } catch (error) {
      this.log.warn("status sample failed", { error });
    } finally {
      this.busy = false;
    }
  }

  /** Keeps a sample read or made, once per second of the clock (the aggregator's second, not ours). */
  private take(status: ClusterStatus): void {
    const last = this.history.at(-1);
    if (last !== undefined && status.sample.t <= last.t) return;
    // Written by an aggregator that has stopped: no sample rather than an old one.
    if (Date.now() / 1000 - status.sample.t > TTL_S) return;
    this.latest = status;
    this.history.push(status.sample);
    if (this.history.length > HISTORY) this.history.shift();
    for (const l of this.listeners) l(status.sample);
  }

  /** The lease holder's second: every live process's figures, summed. */
  private async aggregate(): Promise<ClusterStatus> {
    // A process late on its beat (a busy event loop) still counts while its figures' key lives (TTL_S): the key decides.
    const ids = await this.liveness.alive(Date.now() - TTL_S * 1000);
    if (!ids.includes(this.self.processId())) ids.push(this.self.processId());
    const all: ProcessFigures[] = [];
    await Promise.all(ids.map(async (id) => {
      const raw = (await this.presence.get(processKey(id))) as string | null | undefined;
      if (raw !== null && raw !== undefined) all.push(JSON.parse(raw) as ProcessFigures);
    }));
    const sum = (f: (p: ProcessFigures) => number): number => all.reduce((s, p) => s + (f(p) ?? 0), 0);
    const { counts, totals } = countsSince(this.aggregatedTotals, all);
    this.aggregatedTotals = totals;
    return {
      sample: {
        t: Math.round(Date.now() / 1000),
        people: sum((p) => p.people),
        rooms: sum((p) => p.rooms),
        matches: sum((p) => p.matches),
        joinsPerSecond: counts.joins,
        stepP99Ms: Math.max(0, ...all.map((p) => p.stepP99Ms)),
        bytesOutPerSecond: counts.bytesOut,
        bytesInPerSecond: counts.bytesIn,
        processes: all.length,
      },
      online: { players: sum((p) => p.clients), bots: sum((p) => p.bots), processes: all.length },
      people: {
        online: sum((p) => p.people),
        lobby: sum((p) => p.statuses?.lobby ?? 0),
        match: sum((p) => p.statuses?.match ?? 0),
        spectating: sum((p) => p.statuses?.spectating ?? 0),
        editing: sum((p) => p.statuses?.editing ?? 0),
      },
    };
  }

  /** Stops sampling; this process's key and lease are removed in the background (both expire anyway). */
  stop(): void {
    clearInterval(this.timer);
    this.rooms.stop();
    if (!this.people.up()) return;
    Promise.resolve(this.presence.del(processKey(this.self.processId()))).catch(() => undefined);
    if (this.aggregating) this.liveness.release(LEASE, this.self.processId()).catch(() => undefined);
  }
}
