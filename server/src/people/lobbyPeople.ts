/**
 * The lobby's part in people: each visitor counts as online "in lobby" and gets their kept notifications on
 * join; the room sends each visitor their own scoped list (PeopleScope.ts: room-mates, people played with,
 * invited or blocked, online, at most PEOPLE_SCOPE_MAX) on join and again when it changes (re-read every
 * SCOPE_REFRESH_MS, visitors spread over that period), and everyone the online counts (PeopleCounts, from
 * the cluster's counters) when they change. A visitor cannot ask for anyone else's list: there is no message
 * to ask with, the list is the one of the visitor's own token.
 */
import type { Client, Room } from "@colyseus/core";
import { PeopleMessage, type PeopleCounts } from "@arena/shared";
import type { GuestIdentity } from "../auth.ts";
import type { Logger } from "../log.ts";
import type { People } from "./People.ts";
import { PUBLISH_MS, SCOPE_REFRESH_MS } from "./PeopleDirectory.ts";

/**
 * How often the room looks for lists that are due. A list is read at most DUE_CHECK_MS after it is due, so a change
 * shows within the directory's 50 ms write delay + SCOPE_REFRESH_MS + DUE_CHECK_MS + one read (about 3.35 s; the
 * documented bound is 4 s). Checked once a second, as before, a change could take 4.05 s and more.
 */
const DUE_CHECK_MS = 250;

interface Visitor {
  client: Client;
  userId: string;
  /** What was last sent, to send only changes. */
  text: string | undefined;
  /** When the list is read again. */
  due: number;
  reading: boolean;
}

export class LobbyPeople {
  private readonly visitors = new Map<string, Visitor>();
  private counts: PeopleCounts;
  private countsText: string;

  constructor(private readonly room: Room, private readonly people: People, private readonly log: Logger) {
    this.counts = people.counts();
    this.countsText = JSON.stringify(this.counts);
    room.clock.setInterval(() => this.sendCounts(), PUBLISH_MS);
    room.clock.setInterval(() => this.readDue(), DUE_CHECK_MS);
  }

  joined(client: Client): void {
    const who = client.auth as GuestIdentity | undefined;
    if (who === undefined) return;
    this.people.connected(this.room.roomId, client, who, () => ({ status: "lobby" }), true);
    client.send(PeopleMessage.Counts, this.counts);
    const visitor: Visitor = { client, userId: who.userId, text: undefined, due: 0, reading: false };
    this.visitors.set(client.sessionId, visitor);
    this.read(visitor);
  }

  left(client: Client): void {
    this.visitors.delete(client.sessionId);
    this.people.disconnected(this.room.roomId, client);
  }

  private sendCounts(): void {
    const counts = this.people.counts();
    const text = JSON.stringify(counts);
    if (text !== this.countsText) {
      this.counts = counts;
      this.countsText = text;
      this.room.broadcast(PeopleMessage.Counts, counts);
    }
  }

  private readDue(): void {
    const now = Date.now();
    for (const visitor of this.visitors.values()) if (visitor.due <= now) this.read(visitor);
  }

  private read(visitor: Visitor): void {
    if (visitor.reading) return;
    visitor.reading = true;
    // The next read a whole period from this one: visitors who came at different times stay spread over it.
    visitor.due = Date.now() + SCOPE_REFRESH_MS;
    this.people.scope.of(visitor.userId).then((list) => {
      const text = JSON.stringify(list);
      if (text === visitor.text || !this.visitors.has(visitor.client.sessionId)) return;
      visitor.text = text;
      visitor.client.send(PeopleMessage.People, list);
    }, (error: unknown) => {
      if (this.people.directory.up()) this.log.warn("people list read failed", { error });
    }).finally(() => (visitor.reading = false));
  }
}
