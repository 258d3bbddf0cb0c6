/** The lobby's room list, a page at a time: what each visitor is sent is bounded, whatever the number of rooms. */

/** Rooms in one page of the lobby's list. */
export const LOBBY_ROOMS_PAGE = 20;

/** Most page requests a visitor may make per second; more are ignored. */
export const LOBBY_PAGE_REQUESTS_PER_S = 10;

/**
 * Messages about pages, beside LobbyRoom's own "rooms" (now: the rooms of the visitor's page, replacing what was
 * shown), "+" (a room of that page changed) and "-" (a room of that page is gone).
 */
export const LobbyRoomsMessage = {
  /** Server to client: RoomsPageOut, on join and whenever it changes. Client to server: RoomsPageIn. */
  Page: "rooms_page",
} as const;

/** Which page a visitor sees, of how many. */
export interface RoomsPageOut {
  /** From 0. */
  page: number;
  /** At least 1 (an empty list is one empty page). */
  pages: number;
  /** Public rooms listed on every process. */
  total: number;
  pageSize: number;
}

/** A visitor asks for another page (a whole number from 0; past the last, the last). */
export interface RoomsPageIn {
  page: number;
}
