/**
 * Which processes are alive, and which one of them does a cluster-wide chore,
 * at a cost per process that does not grow with the number of processes.
 *
 * Heartbeats are one sorted set, `arena:alive`: member = process id, score =
 * the deadline (ms since the epoch) by which it must beat again. A beat is
 * one ZADD; a sweep reads only the members past their deadline (ZRANGEBYSCORE
 * -inf now), which at rest is nothing. The processes alive are read (ZRANGE
 * BYSCORE now +inf) only by the one process holding the status lease.
 * Deadlines written by one host are compared with another host's clock: NTP
 * keeps them within milliseconds; a clock off by more than the beat's margin
 * makes a process a suspect, which its health check then clears.
 *
 * A lease (`arena:chore:<name>`) names one process for a chore (the status
 * aggregate, sweeping one dead process): one script call takes it when free
 * and renews it for its holder, so holding costs one command per period.
 *
 * Without Redis (one process) the in-memory version answers for this process alone.
 */
import { matchMaker, type Presence } from "@colyseus/core";
import type { Cluster, Redis } from "ioredis";
import { ResilientRedisPresence } from "./ResilientRedisPresence.ts";

export const ALIVE_KEY = "arena:alive";
const leaseKey = (name: string): string => `arena:chore:${name}`;

/** Takes the lease when free, renews it when ours: 1 taken or renewed, 0 held by another. */
const LEASE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

export interface Liveness {
  /** This process is alive until `deadlineMs`. */
  beat(processId: string, deadlineMs: number): Promise<void>;
  /** Processes whose deadline has passed (usually none). */
  expired(nowMs: number): Promise<string[]>;
  /** Processes whose deadline has not passed. */
  alive(nowMs: number): Promise<string[]>;
  /** Those of `ids` whose deadline has not passed: one read whatever the number of processes (a person's few). */
  aliveAmong(ids: readonly string[], nowMs: number): Promise<Set<string>>;
  /** Forgets a process (it stopped, or it was swept). */
  forget(processId: string): Promise<void>;
  /** Takes or renews the lease `name` for `holder` for `ttlMs`; whether `holder` has it. */
  lease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` has it (best effort: it expires anyway). */
  release(name: string, holder: string): Promise<void>;
}

/** The lease script as a command of its own (EVALSHA: the script's text is sent once per connection). */
interface LeaseCommand {
  arenaLease(key: string, holder: string, ttlMs: number): Promise<number>;
}

export class RedisLiveness implements Liveness {
  private readonly leaseCommand: LeaseCommand;

  constructor(private readonly redis: Redis | Cluster) {
    redis.defineCommand("arenaLease", { numberOfKeys: 1, lua: LEASE_SCRIPT });
    this.leaseCommand = redis as unknown as LeaseCommand;
  }

  async beat(processId: string, deadlineMs: number): Promise<void> {
    await this.redis.zadd(ALIVE_KEY, deadlineMs, processId);
  }

  expired(nowMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(ALIVE_KEY, "-inf", `(${nowMs}`);
  }

  alive(nowMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(ALIVE_KEY, nowMs, "+inf");
  }

  async aliveAmong(ids: readonly string[], nowMs: number): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const deadlines = await this.redis.zmscore(ALIVE_KEY, ...ids);
    return new Set(ids.filter((_, i) => deadlines[i] !== null && Number(deadlines[i]) >= nowMs));
  }

  async forget(processId: string): Promise<void> {
    await this.redis.zrem(ALIVE_KEY, processId);
  }

  async lease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.leaseCommand.arenaLease(leaseKey(name), holder, ttlMs)) === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    const key = leaseKey(name);
    if ((await this.redis.get(key)) === holder) await this.redis.del(key);
  }
}

/** One process, no Redis: it is the only one, always alive, and holds every lease. */
export class LocalLiveness implements Liveness {
  async beat(): Promise<void> {}

  async expired(): Promise<string[]> {
    return [];
  }

  async alive(): Promise<string[]> {
    return [matchMaker.processId];
  }

  async aliveAmong(ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => id === matchMaker.processId));
  }

  async forget(): Promise<void> {}

  async lease(): Promise<boolean> {
    return true;
  }

  async release(): Promise<void> {}
}

const byPresence = new WeakMap<Presence, Liveness>();

/** The liveness that goes with `presence`: on its Redis connection, or this process alone in memory. */
export function livenessOf(presence: Presence): Liveness {
  let liveness = byPresence.get(presence);
  if (liveness === undefined) {
    liveness = presence instanceof ResilientRedisPresence ? new RedisLiveness(presence.commands) : new LocalLiveness();
    byPresence.set(presence, liveness);
  }
  return liveness;
}
