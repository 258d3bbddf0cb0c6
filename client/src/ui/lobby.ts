/** Renders the lobby's live room list, online count and leaderboard. */
import { MAX_SPECTATORS } from "@arena/shared";
import type { LobbyView } from "../net/lobby.ts";
import { byTestId, fillTable } from "./dom.ts";
import { LiveMatches } from "./liveMatches.ts";
import { showRecentMatches } from "./recentMatches.ts";
import { roomReplay } from "../replay/find.ts";
import { replayLink } from "../replay/address.ts";

export interface LobbyActions {
  join(roomId: string): void;
  watch(roomId: string): void;
  /** Shows page `page` (from 0) of the public rooms (without it, no pager is shown). */
  page?(page: number): void;
}

let live: LiveMatches | undefined;
/** The actions of the latest render (the live list outlives one lobby visit). */
let latest: LobbyActions | undefined;

/** An ended match's Replay: waits for its recording to be listed (it ends with the results), then opens the viewer. */
function openReplay(roomId: string, button: HTMLButtonElement): void {
  button.disabled = true;
  button.textContent = "Preparing…";
  roomReplay(location.origin, roomId).then((r) => location.assign(replayLink(r.id)), (e: unknown) => {
    button.disabled = false;
    button.textContent = "Replay";
    button.title = e instanceof Error ? e.message : String(e);
  });
}

export function renderLobby(view: LobbyView, actions: LobbyActions): void {
  // Watch is the same spectator seat as the room list's.
  latest = actions;
  live ??= new LiveMatches(byTestId<HTMLTableElement>("live-matches"), (roomId) => latest?.watch(roomId), openReplay);
  showRecentMatches(location.origin);
  live.render(view.rooms);
  const online = view.online;
  const bots = online && online.bots > 0 ? ` (+${online.bots} bot${online.bots === 1 ? "" : "s"})` : "";
  byTestId("online-count").textContent = online ? `${online.players} online${bots} on ${online.processes} server${online.processes === 1 ? "" : "s"}` : "";

  const table = byTestId<HTMLTableElement>("room-list");
  // People and bots apart: bots give their place to anyone who joins, so "Players" counts people.
  fillTable(table, ["Players", "Bots", "Mode", "Phase", "Server", ""], []);
  if (view.rooms.length === 0) {
    table.insertRow().insertCell().textContent = "No open rooms yet: quick play starts one.";
  }
  for (const r of view.rooms) {
    const row = table.insertRow();
    row.dataset.roomId = r.roomId;
    // maxClients includes the spectator seats.
    row.insertCell().textContent = `${r.metadata.players}/${r.maxClients - MAX_SPECTATORS}`;
    row.insertCell().textContent = String(r.metadata.bots ?? 0);
    row.insertCell().textContent = r.metadata.mode;
    row.insertCell().textContent = r.metadata.phase;
    row.insertCell().textContent = r.processId;
    const cell = row.insertCell();
    const join = document.createElement("button");
    join.textContent = "Join";
    join.dataset.testid = `join-room-${r.roomId}`;
    join.disabled = r.locked;
    join.addEventListener("click", () => actions.join(r.roomId));
    const watch = document.createElement("button");
    watch.textContent = "Watch";
    watch.dataset.testid = `watch-room-${r.roomId}`;
    watch.addEventListener("click", () => actions.watch(r.roomId));
    cell.append(join, " ", watch);
  }

  renderPager(table, view, actions);

  const board = view.leaderboard;
  const rows = (board?.allTime ?? []).slice(0, 10).map((e) => [String(e.rank), e.tag ? `${e.name} #${e.tag}` : e.name, String(e.score)]);
  fillTable(byTestId<HTMLTableElement>("leaderboard"), ["#", "Player", "Points"], rows);
}

/** "Page 2 of 5 (93 rooms)" with previous and next buttons, under the room list; none while one page holds them all. */
function renderPager(table: HTMLTableElement, view: LobbyView, actions: LobbyActions): void {
  let pager = document.querySelector<HTMLElement>("[data-testid=rooms-pager]");
  if (pager === null) {
    pager = document.createElement("p");
    pager.dataset.testid = "rooms-pager";
    table.after(pager);
  }
  const p = view.roomsPage;
  pager.replaceChildren();
  pager.hidden = p === undefined || p.pages <= 1;
  if (p === undefined || p.pages <= 1 || actions.page === undefined) return;
  const ask = actions.page;
  const button = (label: string, id: string, page: number, enabled: boolean): HTMLButtonElement => {
    const b = document.createElement("button");
    b.textContent = label;
    b.dataset.testid = id;
    b.disabled = !enabled;
    b.addEventListener("click", () => ask(page));
    return b;
  };
  const text = document.createElement("span");
  text.dataset.testid = "rooms-page";
  text.textContent = ` Page ${p.page + 1} of ${p.pages} (${p.total} rooms) `;
  pager.append(button("‹ Previous", "rooms-prev", p.page - 1, p.page > 0), text, button("Next ›", "rooms-next", p.page + 1, p.page + 1 < p.pages));
}
