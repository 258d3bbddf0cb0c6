/**
 * People on this process: the online directory, notifications, blocks and
 * invites, and the two hooks every room calls (a connection opened, closed).
 * One per process, created at start and given to each room's settings.
 */
import type { Client, Presence } from "@colyseus/core";
import { PeopleMessage, type PeopleCounts } from "@arena/shared";
import { Gauge, type Registry } from "prom-client";
import type { GuestIdentity } from "../auth.ts";
import type { Leaderboard } from "../leaderboard/Leaderboard.ts";
import type { Logger } from "../log.ts";
import { Blocks } from "./Blocks.ts";
import { contactsOf, type ContactStore } from "./Contacts.ts";
import { Invites } from "./Invites.ts";
import { Notifications } from "./Notifications.ts";
import { PeopleDirectory, type Whereabouts } from "./PeopleDirectory.ts";
import { PeopleScope } from "./PeopleScope.ts";
import { watchPasses } from "./passes.ts";

/** What everyone connected to a stopping process is told, besides the rooms' own notice. */
export const RESTART_NOTICE = "this server is restarting; you will be able to play again in a moment";

/** Longest a stopping process waits on presence (Redis may be the reason it stops). */
const STOP_WAIT_MS = 1000;

/** `work`, or nothing after `ms`: shutdown must not hang on an unreachable Redis. */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

export class People {
  readonly directory: PeopleDirectory;
  readonly notes: Notifications;
  readonly blocks: Blocks;
  readonly invites: Invites;
  readonly contacts: ContactStore;
  /** Each person's scoped list (the lobby's and GET /api/people's). */
  readonly scope: PeopleScope;
  private readonly stops = new Map<string, () => void>();
  private unwatch: (() => void) | undefined;

  /** `up`: whether the presence (Redis) is reachable now; always with the in-memory one. `processId`: see PeopleDirectory. */
  constructor(private readonly presence: Presence, private readonly log: Logger, inviteTtlSeconds: number, up: () => boolean = () => true, processId?: () => string) {
    this.directory = new PeopleDirectory(presence, log, up, processId);
    this.notes = new Notifications(presence, log);
    this.blocks = new Blocks(presence);
    this.contacts = contactsOf(presence);
    this.invites = new Invites(presence, this.notes, this.blocks, inviteTtlSeconds, this.contacts);
    this.scope = new PeopleScope(this.directory, this.contacts, this.blocks);
  }

  /** Everyone online, counted by status (PeopleDirectory.counts). */
  counts(): PeopleCounts {
    return this.directory.counts();
  }

  /** Exports `arena_people_connected` (people with a connection to this process) on `registry`. */
  measure(registry: Registry): void {
    const directory = this.directory;
    new Gauge({
      name: "arena_people_connected", help: "People (not sessions: two tabs count once) connected to this process.", registers: [registry],
      collect() {
        this.set(directory.localUserIds().size);
      },
    });
  }

  /** Starts writing presence and watching the leaderboard for passes. */
  start(leaderboard: Leaderboard): void {
    this.directory.start();
    this.unwatch = watchPasses(leaderboard, this.presence, this.notes, this.blocks, this.log);
  }

  /**
   * A room connection of `who` opened: they count as online with `where`, and
   * their notifications reach `client`; with `inbox`, the kept ones are sent first.
   */
  connected(roomId: string, client: Client, who: GuestIdentity, where: Whereabouts, inbox = false): void {
    const key = `${roomId}/${client.sessionId}`;
    this.directory.enter(key, who.userId, who.name, where);
    // A player who sits down in a match has played with everyone playing there (a room's connections are all here).
    if (where().status === "match") {
      const mates = this.directory.localInRoom(roomId, "match").filter((id) => id !== who.userId);
      this.contacts.met(who.userId, mates, "played").catch((error: unknown) => this.log.warn("contacts write failed", { error }));
    }
    if (inbox) {
      this.notes.inbox(who.userId).then((box) => client.send(PeopleMessage.Inbox, box), (error: unknown) => this.log.warn("inbox read failed", { error }));
    }
    this.notes.listen(who.userId, (note) => client.send(PeopleMessage.Notification, note)).then((stop) => {
      if (this.stops.has(key)) this.stops.set(key, stop);
      else stop(); // left before the subscription was made
    }, (error: unknown) => this.log.warn("notification subscribe failed", { error }));
    this.stops.set(key, () => undefined);
  }

  /**
   * A room connection of `who` opened that counts them as online with `where`, without sending them
   * notifications (the editor page shows none). `disconnected` ends it like any other.
   */
  listed(roomId: string, client: Client, who: GuestIdentity, where: Whereabouts): void {
    this.directory.enter(`${roomId}/${client.sessionId}`, who.userId, who.name, where);
  }

  disconnected(roomId: string, client: Client): void {
    const key = `${roomId}/${client.sessionId}`;
    this.directory.leave(key);
    this.stops.get(key)?.();
    this.stops.delete(key);
  }

  /** The operator's notice before a restart, to everyone connected to this process. */
  async restarting(message: string): Promise<void> {
    await within(STOP_WAIT_MS, Promise.all([...this.directory.localUserIds()].map((userId) =>
      this.notes.send(userId, { kind: "server_restarting", message }).catch(() => undefined))));
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    await within(STOP_WAIT_MS, this.directory.stop());
  }
}
