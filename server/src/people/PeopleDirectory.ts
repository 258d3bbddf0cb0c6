/**
 * Where each person is, across processes, through the Colyseus presence
 * (Redis with REDIS_URL, memory otherwise), written as things change and read
 * one person at a time: nobody reads everyone online.
 *
 * Each process keeps its own connections in memory. For each person connected
 * to it, it writes their entry (status, room, joinable) to the field
 * `<processId>` of the hash `arena:where:<userId>`, only when that entry
 * changed (checked every PUBLISH_MS and CHANGE_DELAY_MS after a change: a room
 * that locks shows as not joinable at the next check), and removes the field
 * when the person leaves the process. So a process costs Redis nothing a
 * second at rest, whatever its people, and a join costs one HSET and one
 * EXPIRE. The hash expires WHERE_TTL_S after its last write; a person online
 * longer than half of that is written again.
 *
 * A reader (PeopleScope.ts) reads the hashes of the few people it wants and
 * keeps the fields of processes whose heartbeat is alive (Liveness.ts, one
 * ZMSCORE): a process that dies stops beating, and its people drop out of
 * every list within PEOPLE_TIMEOUT_S without anyone sweeping them.
 */
import { matchMaker, type Presence } from "@colyseus/core";
import { comparePeople, type PeopleCounts, type PersonOnline, type PersonStatus } from "@arena/shared";
import type { Logger } from "../log.ts";
import { livenessOf, type Liveness } from "../scale/Liveness.ts";
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TTL_S } from "../scale/ghostSweeper.ts";

export const PUBLISH_MS = 1000;
/** A person's entries live this long after their last write (written again at half of it while they stay). */
export const WHERE_TTL_S = 3600;
/** How often a lobby visitor's scoped list is read again (PeopleScope.ts). */
export const SCOPE_REFRESH_MS = 3000;
/**
 * Longest time a killed process' people stay in a list (docs/OPERATIONS.md): its last heartbeat's
 * deadline, then the next re-read of the list.
 */
export const PEOPLE_TIMEOUT_S = HEARTBEAT_TTL_S + Math.ceil((HEARTBEAT_INTERVAL_MS + SCOPE_REFRESH_MS) / 1000);
/** A change is written this soon after it happens (batched). */
const CHANGE_DELAY_MS = 50;

export const whereKey = (userId: string): string => `arena:where:${userId}`;

/** The more engaged status wins when one person has several connections. */
const RANK: Record<PersonStatus, number> = { lobby: 0, editing: 1, spectating: 2, match: 3 };

/** What a connection says about its person, read at each check. */
export type Whereabouts = () => { status: PersonStatus; roomId?: string; joinable?: boolean };

interface Connection {
  userId: string;
  name: string;
  where: Whereabouts;
}

/** Keeps `p` in `byUser` if it says more of its person than the entry kept: the more engaged status, then a joinable room. */
function keepMostEngaged(byUser: Map<string, PersonOnline>, p: PersonOnline): void {
  const seen = byUser.get(p.userId);
  if (seen === undefined || RANK[p.status] > RANK[seen.status] || (RANK[p.status] === RANK[seen.status] && p.joinable === true && seen.joinable !== true)) byUser.set(p.userId, p);
}

/** Merges entries of one person (several tabs, several processes) into one. */
export function mergePeople(lists: Iterable<PersonOnline[]>): PersonOnline[] {
  const byUser = new Map<string, PersonOnline>();
  for (const list of lists) for (const p of list) keepMostEngaged(byUser, p);
  return [...byUser.values()].sort(comparePeople);
}

/** Whether two entries of one person say the same (what the writer compares with what it last wrote). */
function samePerson(a: PersonOnline, b: PersonOnline): boolean {
  return a.name === b.name && a.status === b.status && a.roomId === b.roomId && a.joinable === b.joinable && a.relation === b.relation;
}

/** People by status, from a list of people (one entry each). */
export function countPeople(people: readonly PersonOnline[]): PeopleCounts {
  const counts: PeopleCounts = { online: people.length, lobby: 0, match: 0, spectating: 0, editing: 0 };
  for (const p of people) counts[p.status]++;
  return counts;
}

export class PeopleDirectory {
  private readonly local = new Map<string, Connection>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private stopped = false;
  /** What this process last wrote for each of its people, and when. */
  private readonly written = new Map<string, { person: PersonOnline; at: number }>();
  private writing: Promise<void> | undefined;
  private wasUp = true;
  private clusterCounts: () => PeopleCounts | undefined = () => undefined;
  readonly liveness: Liveness;

  /**
   * `up` says whether the presence is reachable: while Redis is out, nothing is written or warned about every tick.
   * `processId`: this process's (Colyseus'); the cluster simulation (server/bench/simCluster.ts) runs several in one.
   */
  constructor(
    private readonly presence: Presence, private readonly log: Logger, readonly up: () => boolean = () => true,
    private readonly processId: () => string = () => matchMaker.processId,
  ) {
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
    return [...this.localByUser().values()].sort(comparePeople);
  }

  /** People connected to this process, one entry each (mergePeople's rule), unsorted: the writer's pass reads it. */
  private localByUser(): Map<string, PersonOnline> {
    const byUser = new Map<string, PersonOnline>();
    for (const c of this.local.values()) keepMostEngaged(byUser, { userId: c.userId, name: c.name, ...c.where() });
    return byUser;
  }

  /** Users connected to this process right now. */
  localUserIds(): Set<string> {
    return new Set([...this.local.values()].map((c) => c.userId));
  }

  /** Users connected to this process in `roomId` with `status` (a room's connections are all on its process). */
  localInRoom(roomId: string, status: PersonStatus): string[] {
    const ids = new Set<string>();
    for (const [key, c] of this.local) if (key.startsWith(`${roomId}/`) && c.where().status === status) ids.add(c.userId);
    return [...ids];
  }

  /** This process's people, counted by status (summed over processes by the status feed). */
  localCounts(): PeopleCounts {
    return countPeople(this.localPeople());
  }

  /** Where the cluster's counts come from: the status feed's last sample (StatusFeed sets it). */
  countWith(source: () => PeopleCounts | undefined): void {
    this.clusterCounts = source;
  }

  /** Everyone online, counted by status: the cluster's counters, or this process's own while there is no sample. */
  counts(): PeopleCounts {
    return this.clusterCounts() ?? this.localCounts();
  }

  /** Where `userId` is, on every live process; undefined when offline. */
  async whereIs(userId: string): Promise<PersonOnline | undefined> {
    return (await this.whereAre([userId])).get(userId);
  }

  /** Where each of `userIds` is (the online ones), on every live process: one HGETALL each and one liveness read. */
  async whereAre(userIds: readonly string[]): Promise<Map<string, PersonOnline>> {
    const raw = await Promise.all(userIds.map((id) => this.presence.hgetall(whereKey(id)) as Promise<Record<string, string> | null | undefined>));
    const processes = new Set<string>();
    for (const fields of raw) for (const id of Object.keys(fields ?? {})) processes.add(id);
    const alive = await this.liveness.aliveAmong([...processes], Date.now());
    const found = new Map<string, PersonOnline>();
    raw.forEach((fields, i) => {
      const entries: PersonOnline[] = [];
      for (const [processId, text] of Object.entries(fields ?? {})) if (alive.has(processId)) entries.push(JSON.parse(text) as PersonOnline);
      const merged = mergePeople([entries])[0];
      if (merged !== undefined) found.set(userIds[i]!, merged);
    });
    return found;
  }

  private write(): Promise<void> {
    // One write at a time: a slow Redis must not have two passes racing over `written`.
    this.writing ??= this.writeChanges().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async writeChanges(): Promise<void> {
    const up = this.up();
    // Back after an outage: Redis may have restarted empty, so everything is written again.
    if (up && !this.wasUp) this.written.clear();
    this.wasUp = up;
    if (this.stopped || !up) return;
    const id = this.processId();
    const now = Date.now();
    // Every pass looks at everyone on the process (a `where` is read, not told), so it compares fields and
    // serializes only what changed: at 600 people a pass with nothing to write is the common one.
    const people = this.localByUser();
    const work: Promise<unknown>[] = [];
    for (const [userId, person] of people) {
      const before = this.written.get(userId);
      if (before !== undefined && samePerson(before.person, person) && now - before.at < (WHERE_TTL_S * 1000) / 2) continue;
      work.push((async () => {
        await this.presence.hset(whereKey(userId), id, JSON.stringify(person));
        await this.presence.expire(whereKey(userId), WHERE_TTL_S);
        this.written.set(userId, { person, at: now });
      })());
    }
    for (const userId of [...this.written.keys()]) {
      if (people.has(userId)) continue;
      work.push((async () => {
        await this.presence.hdel(whereKey(userId), id);
        this.written.delete(userId);
      })());
    }
    const failed = (await Promise.allSettled(work)).find((r) => r.status === "rejected");
    if (failed !== undefined) this.log.warn("people presence write failed", { error: (failed as PromiseRejectedResult).reason });
  }

  /** Stops writing and removes this process' people at once (best effort: their process stops beating anyway). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    if (!this.up()) return;
    const id = this.processId();
    await Promise.allSettled([...this.written.keys()].map((userId) => this.presence.hdel(whereKey(userId), id)));
    this.written.clear();
  }
}
