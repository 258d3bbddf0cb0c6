/**
 * Whether this process can use Redis right now, from the state of its own
 * connections (presence publisher and subscriber, leaderboard): no polling,
 * ioredis reports every drop ('close') and every reconnection ('ready').
 *
 * One warn line when the first connection drops, one info line when all are
 * back (with how long it took); listeners of `onRecovered` then put back what
 * a restarted, empty Redis lost (see restoreAfterOutage.ts).
 */
import type { Logger } from "../log.ts";

/** What ioredis 5 and 6 clients have in common, as far as this file is concerned. */
export interface WatchedConnection {
  readonly status: string;
  on(event: "ready" | "close" | "end", listener: () => void): unknown;
}

export interface DependencyStatus {
  readonly status: "up" | "down";
  /** Connections that are down, by name (e.g. "presence", "leaderboard"). */
  readonly down: readonly string[];
  /** When the current outage began (ISO time); absent while up. */
  readonly since?: string;
}

export class RedisHealth {
  private readonly connections = new Map<string, WatchedConnection>();
  private readonly recovered = new Set<() => void>();
  private downSince: number | undefined;
  private outageCount = 0;

  constructor(private readonly log: Logger, private readonly now: () => number = Date.now) {}

  /** Starts following `connection`; it counts as down until its status is "ready". */
  watch(name: string, connection: WatchedConnection): void {
    this.connections.set(name, connection);
    connection.on("ready", () => this.update());
    connection.on("close", () => this.update());
    connection.on("end", () => this.update());
  }

  /** True while every watched connection is ready. */
  get up(): boolean {
    for (const c of this.connections.values()) if (c.status !== "ready") return false;
    return true;
  }

  /** Outages since start (a counter for metrics). */
  get outages(): number {
    return this.outageCount;
  }

  status(): DependencyStatus {
    const down = [...this.connections].filter(([, c]) => c.status !== "ready").map(([name]) => name);
    if (down.length === 0) return { status: "up", down };
    return { status: "down", down, since: new Date(this.downSince ?? this.now()).toISOString() };
  }

  /** Calls `listener` each time Redis is usable again after an outage; returns the unsubscribe. */
  onRecovered(listener: () => void): () => void {
    this.recovered.add(listener);
    return () => this.recovered.delete(listener);
  }

  private update(): void {
    const up = this.up;
    if (!up && this.downSince === undefined) {
      this.downSince = this.now();
      this.outageCount++;
      this.log.warn("redis unreachable: matchmaking refused, leaderboard credits queued", { dependency: "redis", down: this.status().down });
    } else if (up && this.downSince !== undefined) {
      const downForMs = this.now() - this.downSince;
      this.downSince = undefined;
      this.log.info("redis reachable again", { dependency: "redis", downForMs });
      for (const l of [...this.recovered]) l();
    }
  }
}
