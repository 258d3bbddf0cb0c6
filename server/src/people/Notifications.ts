/**
 * A channel per person, delivered wherever that person is connected and kept.
 *
 * Kept: `arena:notes:<userId>` is a hash of the last NOTIFICATIONS_KEPT
 * notifications by id, `arena:notes:seq:<userId>` counts ids up, and
 * `arena:notes:read:<userId>` is the highest id read; all three expire
 * NOTES_TTL_S after the last write. Delivered: each notification is published
 * on `arena:person:<userId>` through the Colyseus presence (Redis pub/sub with
 * REDIS_URL), and each process subscribes to that channel while the person has
 * a connection there (a room seat or an SSE stream), counted by listeners.
 */
import { LocalPresence, type Presence } from "@colyseus/core";
import { NOTIFICATIONS_KEPT, type Inbox, type NoteBody, type Notification } from "@arena/shared";
import type { Logger } from "../log.ts";

/** Kept notifications expire this long after the person's last one (30 days). */
export const NOTES_TTL_S = 30 * 24 * 60 * 60;

const listKey = (u: string): string => `arena:notes:${u}`;
const seqKey = (u: string): string => `arena:notes:seq:${u}`;
const readKey = (u: string): string => `arena:notes:read:${u}`;
export const personChannel = (u: string): string => `arena:person:${u}`;

export type NoteListener = (note: Notification) => void;

export class Notifications {
  private readonly listeners = new Map<string, { set: Set<NoteListener>; relay: (raw: unknown) => void }>();

  /**
   * The in-memory presence expires keys with a timer, which cannot wait 30
   * days (Node caps timers at about 24.8 days, and a longer one fires at
   * once): there, kept notifications live as long as the process instead.
   */
  private readonly ttl: number;

  constructor(private readonly presence: Presence, private readonly log: Logger) {
    this.ttl = presence instanceof LocalPresence ? 0 : NOTES_TTL_S;
  }

  private async expire(...keys: string[]): Promise<void> {
    if (this.ttl > 0) await Promise.all(keys.map((k) => this.presence.expire(k, this.ttl)));
  }

  /**
   * Keeps `body` for `userId` and delivers it to every connection of theirs, on any process. `at` is when it happened
   * (an invite's note carries the time its expiry counts from), now by default.
   */
  async send(userId: string, body: NoteBody, at = Date.now()): Promise<Notification> {
    const id = await this.presence.incr(seqKey(userId));
    const note = { ...body, id, at } as Notification;
    await this.presence.hset(listKey(userId), String(id), JSON.stringify(note));
    if (id > NOTIFICATIONS_KEPT) await this.presence.hdel(listKey(userId), String(id - NOTIFICATIONS_KEPT));
    await this.expire(listKey(userId), seqKey(userId));
    await this.presence.publish(personChannel(userId), note);
    return note;
  }

  /** The kept notifications (newest first) and how many are unread. */
  async inbox(userId: string): Promise<Inbox> {
    const [all, read] = await Promise.all([this.presence.hgetall(listKey(userId)), this.presence.get(readKey(userId)) as Promise<string | null>]);
    const items = Object.values(all ?? {}).map((raw) => JSON.parse(raw) as Notification).sort((a, b) => b.id - a.id);
    const readUpTo = Number(read ?? 0) || 0;
    return { items, unread: items.filter((n) => n.id > readUpTo).length, readUpTo };
  }

  /** Kept notifications after `afterId`, oldest first (SSE replay). */
  async since(userId: string, afterId: number): Promise<Notification[]> {
    return (await this.inbox(userId)).items.filter((n) => n.id > afterId).reverse();
  }

  /** Marks everything up to `upTo` read; never moves the mark back. */
  async markRead(userId: string, upTo: number): Promise<Inbox> {
    const before = Number((await this.presence.get(readKey(userId))) ?? 0) || 0;
    const latest = Number((await this.presence.get(seqKey(userId))) ?? 0) || 0;
    const mark = Math.min(Math.max(before, upTo), latest);
    await this.presence.set(readKey(userId), String(mark));
    await this.expire(readKey(userId));
    return this.inbox(userId);
  }

  /** Calls `listener` with each new notification of `userId` until the returned function is called. */
  async listen(userId: string, listener: NoteListener): Promise<() => void> {
    let entry = this.listeners.get(userId);
    if (entry === undefined) {
      const set = new Set<NoteListener>();
      const relay = (raw: unknown): void => {
        let note: Notification;
        try {
          note = (typeof raw === "string" ? JSON.parse(raw) : raw) as Notification;
        } catch (error) {
          this.log.warn("unreadable notification", { userId, error });
          return;
        }
        for (const l of set) l(note);
      };
      entry = { set, relay };
      this.listeners.set(userId, entry);
      await this.presence.subscribe(personChannel(userId), relay);
    }
    const { set, relay } = entry;
    set.add(listener);
    return () => {
      if (!set.delete(listener) || set.size > 0) return;
      this.listeners.delete(userId);
      void Promise.resolve(this.presence.unsubscribe(personChannel(userId), relay)).catch(() => undefined);
    };
  }

  /** People with a listener on this process. */
  listening(): string[] {
    return [...this.listeners.keys()];
  }
}
