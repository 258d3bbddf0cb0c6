/**
 * The lobby: Colyseus' LobbyRoom's realtime listing of public rooms, across
 * processes through presence, sent a page at a time (lobbyRoomPages.ts), plus
 * the number of people online on all processes and the live leaderboard.
 *
 * Its content is public (the leaderboard is also served over HTTP), but a
 * lobby seat is a live connection, so it takes a valid guest token like the
 * arena: checked at matchmaking by the static onAuth, before any seat; the
 * connect then carries the seat's join ticket, never the token.
 */
import { LobbyRoom, matchMaker, type AuthContext, type Client } from "@colyseus/core";
import { LobbyMessage, LobbyRoomsMessage, ROOM_ARENA, type ArenaRoomMetadata, type LeaderboardSnapshot, type OnlineOut } from "@arena/shared";
import type { GuestIdentity } from "../auth.ts";
import { configuredRoom } from "./configuredRoom.ts";
import { LobbyRoomPages } from "./lobbyRoomPages.ts";
import { roomListing } from "../colyseusInternals.ts";
import { redeemJoinTicket } from "../matchmaking/joinTickets.ts";
import { subscribeListings } from "../matchmaking/lobbyFeed.ts";
import type { People } from "../people/People.ts";
import { LobbyPeople } from "../people/lobbyPeople.ts";
import type { Leaderboard } from "../leaderboard/Leaderboard.ts";
import type { Logger } from "../log.ts";

/** How often the online count is taken from the status feed (which samples the cluster once a second). */
export const ONLINE_POLL_MS = 1000;

export interface LobbySettings {
  readonly leaderboard: Leaderboard;
  readonly log: Logger;
  readonly authSecret: Uint8Array;
  /** Who is online and their notifications; none in unit setups. */
  readonly people?: People;
  /**
   * The cluster's status, whose sample carries the online count: read from this process's memory, so a
   * lobby costs Redis nothing a second. Without it (unit setups) the count is read from the shared stats
   * and listings (onlineNow), whose size grows with the cluster.
   */
  readonly status?: { online(): OnlineOut | undefined };
}

/**
 * People on every live process (players, spectators and lobby visitors: bots are not
 * clients, so the process counts never include them), and apart, the bots playing
 * in the listed arena rooms, private ones included.
 */
export async function onlineNow(): Promise<OnlineOut> {
  const [all, rooms] = await Promise.all([matchMaker.stats.fetchAll(), matchMaker.query({ name: ROOM_ARENA })]);
  const bots = rooms.reduce((sum, r) => sum + ((r.metadata as Partial<ArenaRoomMetadata> | undefined)?.bots ?? 0), 0);
  return { players: all.reduce((sum, p) => sum + p.ccu, 0), bots, processes: all.length };
}

export abstract class ArenaLobbyRoom extends LobbyRoom {
  protected abstract readonly settings: LobbySettings;
  private online: OnlineOut = { players: 0, bots: 0, processes: 0 };
  private board: LeaderboardSnapshot | undefined;
  private unsubscribeBoard: (() => void) | undefined;
  private people: LobbyPeople | undefined;
  private pages: LobbyRoomPages | undefined;

  override async onCreate(): Promise<void> {
    // Not LobbyRoom's onCreate, which sends every listing change to every visitor: the same listing, by pages.
    roomListing(this).unlisted = true; // the lobby does not list itself
    const pages = new LobbyRoomPages((callback, ms) => this.clock.setInterval(callback, ms));
    this.pages = pages;
    this.onMessage(LobbyRoomsMessage.Page, (client, request: unknown) => pages.ask(client, request));
    // Not Colyseus' subscribeLobby, which reads every listing for each change (lobbyFeed.ts): the changed ones, batched.
    const log = this.settings.log.child({ room: this.roomId });
    this.unsubscribeLobby = await subscribeListings(matchMaker.presence, (ids) => matchMaker.findRoomsByIds(ids), (roomId, listing) => pages.changed(roomId, listing), (error) => log.debug("lobby listing read failed", { error }));
    pages.load(await matchMaker.query({ private: false, unlisted: false }));
    this.board = await this.settings.leaderboard.snapshot();
    this.unsubscribeBoard = this.settings.leaderboard.subscribe((snapshot) => {
      if (this.board !== undefined && snapshot.version < this.board.version) return;
      this.board = snapshot;
      this.broadcast(LobbyMessage.Leaderboard, snapshot);
    });
    if (this.settings.people !== undefined) this.people = new LobbyPeople(this, this.settings.people, log);
    const status = this.settings.status;
    this.online = status?.online() ?? await onlineNow();
    this.clock.setInterval(() => {
      (status === undefined ? onlineNow() : Promise.resolve(status.online())).then((now) => {
        if (now === undefined) return; // no fresh sample (Redis out): the count stays as it was
        if (now.players === this.online.players && now.bots === this.online.bots && now.processes === this.online.processes) return;
        this.online = now;
        this.broadcast(LobbyMessage.Online, now);
      }, (error: unknown) => log.warn("online count failed", { error }));
    }, ONLINE_POLL_MS);
  }

  override onJoin(client: Client): void {
    // Not LobbyRoom's onJoin (the whole list, then every change): the visitor's page.
    this.pages?.join(client);
    client.send(LobbyMessage.Online, this.online);
    if (this.board !== undefined) client.send(LobbyMessage.Leaderboard, this.board);
    this.people?.joined(client);
  }

  override onLeave(client: Parameters<LobbyRoom["onLeave"]>[0]): void {
    super.onLeave(client);
    this.pages?.leave(client);
    this.people?.left(client);
  }

  /** At connect: the seat's join ticket (matchmaking/joinTickets.ts); the guest token was checked at matchmaking. */
  override async onAuth(client: Client, _options: unknown, context: AuthContext): Promise<GuestIdentity> {
    return redeemJoinTicket(this.settings.authSecret, context.token, { roomId: this.roomId, sessionId: client.sessionId });
  }

  override onDispose(): void {
    super.onDispose();
    this.unsubscribeBoard?.();
  }
}

export function arenaLobbyRoom(settings: LobbySettings): new () => ArenaLobbyRoom {
  return configuredRoom(ArenaLobbyRoom, settings);
}
