/**
 * Who is online, across processes, through the Colyseus presence (Redis with
 * REDIS_URL, memory otherwise).
 *
 * Each process keeps its own connections in memory and, every PUBLISH_MS and
 * soon after any change, writes the people among them (if any) to one key with a TTL
 * (`arena:people:proc:<processId>`, PEOPLE_TTL_S): one SETEX, whatever the
 * number of processes. Readers of everyone (GET /api/people) merge the keys of
 * the processes alive (the heartbeats' sorted set, Liveness.ts). A process
 * that dies stops refreshing its key, so its people leave the list within
 * PEOPLE_TIMEOUT_S without anyone sweeping: no ghosts. Statuses are read from
 * the room at each write (a room that locks shows as not joinable at the next
 * write), so a change shows within about one second.
 */
import { matchMaker, type Presence } from "@colyseus/core";
import { comparePeople, type PersonOnline, type PersonStatus } from "@arena/shared";
import type { Logger } from "../log.ts";
import { livenessOf, type Liveness } from "../scale/Liveness.ts";

export const PUBLISH_MS = 1000;
export const PEOPLE_TTL_S = 3;
/** Longest time a killed process' people stay listed (docs/OPERATIONS.md): the TTL plus one read. */
export const PEOPLE_TIMEOUT_S = PEOPLE_TTL_S + 1;
/** A change is written this soon after it happens (batched). */
const CHANGE_DELAY_MS = 50;

const processKey = (processId: string): string => `arena:people:proc:${processId}`;

/** The more engaged status wins when one person has several connections. */
const RANK: Record<PersonStatus, number> = { lobby: 0, editing: 1, spectating: 2, match: 3 };

/** What a connection says about its person, read at each write. */
export type Whereabouts = () => { status: PersonStatus; roomId?: string; joinable?: boolean };

interface Connection {
  userId: string;
  name: string;
  where: Whereabouts;
}

/** Merges entries of one person (several tabs, several processes) into one. */
export function mergePeople(lists: Iterable<PersonOnline[]>): PersonOnline[] {
  const byUser = new Map<string, PersonOnline>();
  for (const list of lists) {
    for (const p of list) {
      const seen = byUser.get(p.userId);
      if (seen === undefined || RANK[p.status] > RANK[seen.status] || (RANK[p.status] === RANK[seen.status] && p.joinable === true && seen.joinable !== true)) byUser.set(p.userId, p);
    }
  }
  return [...byUser.values()].sort(comparePeople);
}

export class PeopleDirectory {
  private readonly local = new Map<string, Connection>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private cached: { at: number; list: Promise<PersonOnline[]> } | undefined;
  private stopped = false;
  /** The last list written; an empty one is not refreshed (an expired key reads as nobody). */
  private written: string | undefined;
  private readonly liveness: Liveness;

  /** `up` says whether the presence is reachable: while Redis is out, nothing is written or warned about every tick. */
  constructor(private readonly presence: Presence, private readonly log: Logger, readonly up: () => boolean = () => true) {
    this.liveness = livenessOf(presence);
  }

  start(): void {
    this.timer = setInterval(() => void this.write(), PUBLISH_MS);
    this.timer.unref();
    void this.write();
  }

  /** A connection of `userId` is open; `key` names it (e.g. roomId + sessionId). */
  enter(key: string, userId: string, name: string, where: Whereabouts): void {
    this.local.set(key, { userId, name, where });
    this.changed();
  }

  leave(key: string): void {
    if (this.local.delete(key)) this.changed();
  }

  /** A connection's whereabouts changed (e.g. its room locked); written within CHANGE_DELAY_MS. */
  changed(): void {
    if (this.soon !== undefined || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.write();
    }, CHANGE_DELAY_MS);
  }

  /** People connected to this process. */
  localPeople(): PersonOnline[] {
    return mergePeople([[...this.local.values()].map((c) => ({ userId: c.userId, name: c.name, ...c.where() }))]);
  }

  /** Users connected to this process right now. */
  localUserIds(): Set<string> {
    return new Set([...this.local.values()].map((c) => c.userId));
  }

  /** Everyone online on every live process; reads are shared for a moment between callers. */
  online(): Promise<PersonOnline[]> {
    const now = Date.now();
    if (this.cached !== undefined && now - this.cached.at < PUBLISH_MS / 2) return this.cached.list;
    const list = this.readAll();
    this.cached = { at: now, list };
    list.catch(() => (this.cached = undefined));
    return list;
  }

  private async readAll(): Promise<PersonOnline[]> {
    // A process late on its heartbeat still has a live people key until its TTL ends: include it that long.
    const ids = new Set(await this.liveness.alive(Date.now() - PEOPLE_TTL_S * 1000));
    ids.add(matchMaker.processId);
    const lists: PersonOnline[][] = [];
    await Promise.all([...ids].map(async (id) => {
      const raw = (await this.presence.get(processKey(id))) as string | null | undefined;
      if (raw !== null && raw !== undefined) lists.push(JSON.parse(raw) as PersonOnline[]); // null: expired, that process died or stopped
    }));
    return mergePeople(lists);
  }

  private async write(): Promise<void> {
    if (this.stopped || !this.up()) return;
    try {
      const id = matchMaker.processId;
      const text = JSON.stringify(this.localPeople());
      // Nobody here, and the key already said so (or expired, which readers take the same way): nothing to write.
      if (text === "[]" && this.written === "[]") return;
      await this.presence.setex(processKey(id), text, PEOPLE_TTL_S);
      this.written = text;
    } catch (error) {
      this.log.warn("people presence write failed", { error });
    }
  }

  /** Stops writing and removes this process' people at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.up()) return;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    try {
      await this.presence.del(processKey(matchMaker.processId));
    } catch {
      // Redis gone: the key expires by itself.
    }
  }
}
