/**
 * The lobby's room list, a page at a time (LOBBY_ROOMS_PAGE rooms, fullest first, then by room id): each
 * visitor is sent the rooms of their page only, not every public room of the cluster, and not every change of
 * every listing. Colyseus' LobbyRoom sends a new visitor the whole list and every change to everyone; here:
 * - a change of a room on a visitor's page is sent to them at once ("+"), and so is its removal ("-"), so a
 *   room that ends or a process that dies leaves their list as fast as before;
 * - a new room, or a change that moves rooms across pages, reaches the pages it changes at the next resync
 *   (RESYNC_MS): "rooms" with the page's rooms, and `rooms_page` with the page, the pages and the total;
 * - a visitor asks for another page with `rooms_page` `{ page }` (a whole number; garbage is ignored, and so
 *   are requests past LOBBY_PAGE_REQUESTS_PER_S), and is answered with that page.
 * The process still keeps every public listing in memory and hears every listing change (Colyseus' lobby
 * channel): that part grows with the rooms (docs/OPERATIONS.md).
 */
import type { Client, IRoomCache } from "@colyseus/core";
import { LOBBY_PAGE_REQUESTS_PER_S, LOBBY_ROOMS_PAGE, LobbyRoomsMessage, type RoomsPageOut } from "@arena/shared";
import { TokenBucket } from "../limits/TokenBucket.ts";

/** How often pages are compared with what each visitor was sent. */
export const RESYNC_MS = 1000;
/** The highest page number a request may name (beyond it: garbage). */
const MAX_PAGE = 1_000_000;

interface Visitor {
  client: Client;
  page: number;
  /** The rooms of the page as last sent (ids), to forward their changes and find what changed. */
  shown: Set<string>;
  /** Ids in order and the page info, as last sent. */
  sent: string;
  requests: TokenBucket;
}

/** The fullest first, then by room id: the order the page shows them in. */
function byPlayers(a: IRoomCache, b: IRoomCache): number {
  const players = (r: IRoomCache): number => Number((r.metadata as { players?: unknown } | undefined)?.players ?? r.clients) || 0;
  return players(b) - players(a) || (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0);
}

export class LobbyRoomPages {
  private readonly rooms = new Map<string, IRoomCache>();
  private readonly visitors = new Map<string, Visitor>();
  private ordered: IRoomCache[] | undefined;
  private dirty = false;

  /** `every` runs a callback every so often on the room's clock (stopped with the room). */
  constructor(every: (callback: () => void, ms: number) => void) {
    every(() => this.resync(), RESYNC_MS);
  }

  /** The listings read when the lobby opened. */
  load(listings: readonly IRoomCache[]): void {
    for (const r of listings) this.rooms.set(r.roomId, r);
    this.ordered = undefined;
    this.dirty = true;
  }

  /** A listing changed (`listing` set) or is gone (null or undefined), as Colyseus' lobby channel tells. */
  changed(roomId: string, listing: IRoomCache | null | undefined): void {
    this.ordered = undefined;
    this.dirty = true;
    if (listing === undefined || listing === null) {
      this.rooms.delete(roomId);
      for (const v of this.visitors.values()) if (v.shown.delete(roomId)) v.client.send("-", roomId);
      return;
    }
    this.rooms.set(roomId, listing);
    for (const v of this.visitors.values()) if (v.shown.has(roomId)) v.client.send("+", [roomId, listing]);
  }

  join(client: Client): void {
    const visitor: Visitor = { client, page: 0, shown: new Set(), sent: "", requests: new TokenBucket(LOBBY_PAGE_REQUESTS_PER_S, 1000, Date.now()) };
    this.visitors.set(client.sessionId, visitor);
    this.send(visitor);
  }

  leave(client: Client): void {
    this.visitors.delete(client.sessionId);
  }

  /**
   * A visitor asks for a page: a whole number from 0 (past the last page: the last), answered with the page even
   * when it is the one shown; anything else is ignored, and so are requests past the visitor's rate.
   */
  ask(client: Client, request: unknown): void {
    const visitor = this.visitors.get(client.sessionId);
    const page = (request as { page?: unknown } | null | undefined)?.page;
    if (visitor === undefined || typeof page !== "number" || !Number.isInteger(page) || page < 0 || page > MAX_PAGE) return;
    if (!visitor.requests.take(Date.now())) return;
    visitor.page = page;
    this.send(visitor, true);
  }

  /** Public rooms listed now (every page). */
  get total(): number {
    return this.rooms.size;
  }

  private order(): IRoomCache[] {
    this.ordered ??= [...this.rooms.values()].sort(byPlayers);
    return this.ordered;
  }

  private resync(): void {
    if (!this.dirty) return;
    this.dirty = false;
    for (const v of this.visitors.values()) this.send(v);
  }

  /** Sends `visitor` their page if its rooms, their order or the page info changed since the last send (or `always`). */
  private send(visitor: Visitor, always = false): void {
    const all = this.order();
    const pages = Math.max(1, Math.ceil(all.length / LOBBY_ROOMS_PAGE));
    const page = Math.min(visitor.page, pages - 1);
    const rooms = all.slice(page * LOBBY_ROOMS_PAGE, (page + 1) * LOBBY_ROOMS_PAGE);
    const info: RoomsPageOut = { page, pages, total: all.length, pageSize: LOBBY_ROOMS_PAGE };
    const sent = `${rooms.map((r) => r.roomId).join()}|${page}|${pages}|${all.length}`;
    if (sent === visitor.sent && !always) return;
    visitor.sent = sent;
    visitor.shown = new Set(rooms.map((r) => r.roomId));
    visitor.client.send("rooms", rooms);
    visitor.client.send(LobbyRoomsMessage.Page, info);
  }
}
