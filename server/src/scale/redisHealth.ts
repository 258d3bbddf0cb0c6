/**
 * Whether this process can use Redis right now, from the state of its own
 * connections (presence publisher and subscriber, leaderboard): ioredis
 * reports every drop ('close') and every reconnection ('ready') at once. A
 * Redis that hangs without closing its sockets (stopped, overloaded, a
 * network that drops packets) is caught by a PING every PROBE_INTERVAL_MS that
 * must answer within the command timeout.
 *
 * One warn line when the first connection drops, one info line when all are
 * back (with how long it took); listeners of `onRecovered` then put back what
 * a restarted, empty Redis lost (see restoreAfterOutage.ts).
 */
import type { Logger } from "../log.ts";
import { REDIS_COMMAND_TIMEOUT_MS } from "./redisOptions.ts";

/** What ioredis 5 and 6 clients have in common, as far as this file is concerned. */
export interface WatchedConnection {
  readonly status: string;
  on(event: "ready" | "close" | "end", listener: () => void): unknown;
}

/** How often Redis is pinged to catch a hang that leaves the sockets open. */
export const PROBE_INTERVAL_MS = 1000;

/** A ping timeout this late (past REDIS_COMMAND_TIMEOUT_MS) is this process's stall, not Redis's silence. */
export const STALL_TOLERANCE_MS = 250;

export interface DependencyStatus {
  /** "restoring": reachable again, and this process is still putting back what Redis lost (listings, codes, stats). */
  readonly status: "up" | "restoring" | "down";
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
  private unanswered: string | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Connections come up one by one at start: that is not an outage. */
  private wasUp = false;
  /** Restores running after an outage; matchmaking waits for them (see `usable`). */
  private restoring = 0;

  constructor(private readonly log: Logger, private readonly now: () => number = Date.now) {}

  /** Starts following `connection`; it counts as down until its status is "ready". */
  watch(name: string, connection: WatchedConnection): void {
    this.connections.set(name, connection);
    connection.on("ready", () => this.update());
    connection.on("close", () => this.update());
    connection.on("end", () => this.update());
  }

  /** Pings through `ping` every PROBE_INTERVAL_MS; a ping that fails marks Redis down as `name` until one answers. */
  probe(name: string, ping: () => Promise<unknown>): void {
    let inFlight = false;
    this.probeTimer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      const sentAt = this.now();
      ping().then(
        () => {
          this.unanswered = undefined;
        },
        () => {
          // While a connection is down the ping fails anyway; only a connected Redis that does not answer is news.
          if (this.downConnections().length > 0) return;
          // A timeout that fired long after it was due says this process was not running (its event loop stalled
          // under load), not that Redis was silent: the reply may be sitting unread in the socket. The next probe
          // decides; a real hang still shows on it.
          const lateMs = this.now() - sentAt - REDIS_COMMAND_TIMEOUT_MS;
          if (lateMs > STALL_TOLERANCE_MS) {
            this.log.warn("redis ping timed out while this process was stalled; the next ping decides", { name, lateMs });
            return;
          }
          this.unanswered = `${name} (not answering)`;
        },
      ).finally(() => {
        inFlight = false;
        this.update();
      });
    }, PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  /** Stops probing and reporting (the process is closing its connections on purpose). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.probeTimer);
  }

  /** True while every watched connection is ready and Redis answers. */
  get up(): boolean {
    return this.unanswered === undefined && this.downConnections().length === 0;
  }

  /**
   * Up, and done restoring what the outage lost. Room creation here waits for it, and `/health` says
   * `ok` only then: between Redis coming back and this process re-listing its rooms, a quick play
   * would find none of them and open a new room beside a half-empty match.
   */
  get usable(): boolean {
    return this.up && this.restoring === 0;
  }

  /** Runs `restore` with the process marked as restoring (not `usable`) until it settles. */
  async whileRestoring(restore: () => Promise<void>): Promise<void> {
    this.restoring++;
    try {
      await restore();
    } finally {
      this.restoring--;
    }
  }

  private downConnections(): string[] {
    return [...this.connections].filter(([, c]) => c.status !== "ready").map(([name]) => name);
  }

  /** Outages since start (a counter for metrics). */
  get outages(): number {
    return this.outageCount;
  }

  status(): DependencyStatus {
    const down = this.downConnections();
    if (this.unanswered !== undefined) down.push(this.unanswered);
    if (down.length === 0) return { status: this.restoring > 0 ? "restoring" : "up", down };
    return { status: "down", down, since: new Date(this.downSince ?? this.now()).toISOString() };
  }

  /** Calls `listener` each time Redis is usable again after an outage; returns the unsubscribe. */
  onRecovered(listener: () => void): () => void {
    this.recovered.add(listener);
    return () => this.recovered.delete(listener);
  }

  private update(): void {
    if (this.stopped) return;
    const up = this.up;
    if (!this.wasUp) {
      this.wasUp = up;
      return;
    }
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

/** A repeated connection error is logged again after this long (ioredis reports one per reconnection attempt). */
const REPEAT_ERROR_LOG_MS = 30_000;

/** An ioredis 'error' listener that logs each distinct error once, and a repeated one every REPEAT_ERROR_LOG_MS. */
export function onceEach(log: Logger, msg: string, now: () => number = Date.now): (error: Error) => void {
  let last = "";
  let loggedAt = 0;
  return (error) => {
    if (error.message === last && now() - loggedAt < REPEAT_ERROR_LOG_MS) return;
    last = error.message;
    loggedAt = now();
    log.warn(msg, { error: error.message });
  };
}
