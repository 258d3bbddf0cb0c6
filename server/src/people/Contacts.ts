/**
 * Whom a person has met: the people they played a match with and the people they invited or were invited by.
 * Their scoped people list (PeopleScope.ts) is read from here, so nobody reads everyone online.
 *
 * `arena:contacts:<userId>` is a hash: other user id -> `<ms since the epoch, 13 digits>:<relation>`, so the
 * values sort by time as strings. It keeps at most 2 × CONTACTS_KEPT entries (the oldest are cut when it passes
 * that) and expires CONTACTS_TTL_S after the last meeting. Meeting n people writes n + 1 keys, each with one
 * script call (HSET of every field, PEXPIRE, and the cut only when the hash is over its bound): one key per
 * call, so a Redis Cluster takes it.
 */
import type { Presence } from "@colyseus/core";
import { PEOPLE_SCOPE_MAX } from "@arena/shared";
import type { Cluster, Redis } from "ioredis";
import { ResilientRedisPresence } from "../scale/ResilientRedisPresence.ts";

/** Most recent contacts a scoped list looks at (the list's own cap). */
export const CONTACTS_KEPT = PEOPLE_SCOPE_MAX;
/** A person nobody met for this long has no contacts left. */
export const CONTACTS_TTL_S = 30 * 24 * 3600;

export type ContactRelation = "played" | "invited";

export interface Contact {
  userId: string;
  at: number;
  relation: ContactRelation;
}

export const contactsKey = (userId: string): string => `arena:contacts:${userId}`;

/** HSET the pairs, PEXPIRE, and past 2 × kept, HDEL all but the `kept` newest. */
const MEET_SCRIPT = `
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local kept = tonumber(ARGV[2])
if redis.call('HLEN', KEYS[1]) <= kept * 2 then return 0 end
local all = redis.call('HGETALL', KEYS[1])
local entries = {}
for i = 1, #all, 2 do entries[#entries + 1] = { all[i], all[i + 1] } end
table.sort(entries, function(a, b) return a[2] > b[2] end)
for i = kept + 1, #entries do redis.call('HDEL', KEYS[1], entries[i][1]) end
return #entries - kept`;

interface MeetCommand {
  arenaMeet(key: string, ttlMs: number, kept: number, ...pairs: string[]): Promise<number>;
}

const encode = (at: number, relation: ContactRelation): string => `${String(Math.max(0, Math.floor(at))).padStart(13, "0")}:${relation}`;

function decode(userId: string, value: string): Contact | undefined {
  const [at, relation] = value.split(":");
  if (relation !== "played" && relation !== "invited") return undefined;
  return { userId, at: Number(at), relation };
}

/** The newest `CONTACTS_KEPT` of a stored hash, newest first. */
function newest(all: Record<string, string> | null | undefined): Contact[] {
  return Object.entries(all ?? {})
    .map(([id, value]) => decode(id, value))
    .filter((c): c is Contact => c !== undefined)
    .sort((a, b) => b.at - a.at)
    .slice(0, CONTACTS_KEPT);
}

export interface ContactStore {
  /** `userId` met each of `others` (and they met `userId`) at `at`. */
  met(userId: string, others: readonly string[], relation: ContactRelation, at?: number): Promise<void>;
  /** The newest contacts of `userId`, newest first. */
  of(userId: string): Promise<Contact[]>;
}

export class RedisContacts implements ContactStore {
  private readonly command: MeetCommand;

  constructor(private readonly redis: Redis | Cluster) {
    redis.defineCommand("arenaMeet", { numberOfKeys: 1, lua: MEET_SCRIPT });
    this.command = redis as unknown as MeetCommand;
  }

  async met(userId: string, others: readonly string[], relation: ContactRelation, at = Date.now()): Promise<void> {
    const them = [...new Set(others)].filter((o) => o !== userId).slice(0, CONTACTS_KEPT * 2);
    if (them.length === 0) return;
    const value = encode(at, relation);
    await Promise.all([
      this.command.arenaMeet(contactsKey(userId), CONTACTS_TTL_S * 1000, CONTACTS_KEPT, ...them.flatMap((o) => [o, value])),
      ...them.map((o) => this.command.arenaMeet(contactsKey(o), CONTACTS_TTL_S * 1000, CONTACTS_KEPT, userId, value)),
    ]);
  }

  async of(userId: string): Promise<Contact[]> {
    return newest(await this.redis.hgetall(contactsKey(userId)));
  }
}

/** One process, no Redis: kept in memory (and lost with the process, like everything else there). */
export class MemoryContacts implements ContactStore {
  private readonly byUser = new Map<string, Map<string, string>>();

  private add(userId: string, other: string, value: string): void {
    let mine = this.byUser.get(userId);
    if (mine === undefined) this.byUser.set(userId, (mine = new Map()));
    mine.set(other, value);
    if (mine.size > CONTACTS_KEPT * 2) {
      const keep = new Set(newest(Object.fromEntries(mine)).map((c) => c.userId));
      for (const id of [...mine.keys()]) if (!keep.has(id)) mine.delete(id);
    }
  }

  async met(userId: string, others: readonly string[], relation: ContactRelation, at = Date.now()): Promise<void> {
    const value = encode(at, relation);
    for (const other of new Set(others)) {
      if (other === userId) continue;
      this.add(userId, other, value);
      this.add(other, userId, value);
    }
  }

  async of(userId: string): Promise<Contact[]> {
    return newest(Object.fromEntries(this.byUser.get(userId) ?? []));
  }
}

const byPresence = new WeakMap<Presence, ContactStore>();

/** The contacts that go with `presence`: on its Redis connection, or in this process's memory. */
export function contactsOf(presence: Presence): ContactStore {
  let store = byPresence.get(presence);
  if (store === undefined) {
    store = presence instanceof ResilientRedisPresence ? new RedisContacts(presence.commands) : new MemoryContacts();
    byPresence.set(presence, store);
  }
  return store;
}
