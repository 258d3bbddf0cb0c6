/**
 * The lobby's "Live matches": public matches being played (or showing their
 * results), each with its top scorer, their kills and the time left, and
 * Watch (a spectator seat); an ended one, Replay (its recording, ready once its results end). The score comes with the room's listing, which
 * the server writes at most once a second (server/src/rooms/arena/liveScore.ts);
 * the time left counts down here, once a second, from the listed end.
 */
import type { ArenaRoomMetadata } from "@arena/shared";
import type { RoomListing } from "../net/lobby.ts";
import { taggedName } from "./botTag.ts";

/** Listed matches worth watching now: being played first (least time left first), then those showing results. */
export function liveMatchesOf(rooms: readonly RoomListing[]): RoomListing[] {
  const order = (m: ArenaRoomMetadata): number => (m.phase === "playing" ? m.endsAt ?? Infinity : Infinity);
  return rooms
    .filter((r) => r.metadata.phase === "playing" || r.metadata.phase === "results")
    .sort((a, b) => (a.metadata.phase === b.metadata.phase ? 0 : a.metadata.phase === "playing" ? -1 : 1) || order(a.metadata) - order(b.metadata) || a.roomId.localeCompare(b.roomId));
}

/** The top scorer and kills as shown ("—" before anyone scores). */
export function leaderText(m: ArenaRoomMetadata): string {
  if (m.leader === undefined || m.leaderKills === undefined) return "—";
  return `${taggedName(m.leader, "", m.leaderBot === true)} · ${m.leaderKills}`;
}

/** Time left as m:ss, from the listed end and this page's clock; "ended" once the results show. */
export function timeLeftText(m: ArenaRoomMetadata, nowMs: number): string {
  if (m.phase === "results") return "ended";
  if (m.endsAt === undefined) return "";
  const s = Math.max(0, Math.ceil((m.endsAt - nowMs) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The table of live matches; re-rendered with each listing change, its countdown ticking in between. */
export class LiveMatches {
  private timer: ReturnType<typeof setInterval> | undefined;
  private shown: RoomListing[] = [];

  /** `replay`: an ended match's Replay button (results on screen), given the press's time. */
  constructor(private readonly table: HTMLTableElement, private readonly watch: (roomId: string) => void, private readonly replay?: (roomId: string, button: HTMLButtonElement) => void) {}

  render(rooms: readonly RoomListing[]): void {
    this.shown = liveMatchesOf(rooms);
    const table = this.table;
    table.replaceChildren();
    const head = table.insertRow();
    for (const h of ["Top scorer", "Time left", "Players", ""]) head.appendChild(document.createElement("th")).textContent = h;
    if (this.shown.length === 0) {
      table.insertRow().insertCell().textContent = "No match being played right now.";
    }
    const now = Date.now();
    for (const r of this.shown) {
      const row = table.insertRow();
      row.dataset.roomId = r.roomId;
      row.dataset.testid = `live-match-${r.roomId}`;
      const leader = row.insertCell();
      leader.dataset.testid = `live-leader-${r.roomId}`;
      leader.textContent = leaderText(r.metadata);
      const left = row.insertCell();
      left.dataset.testid = `live-time-${r.roomId}`;
      left.textContent = timeLeftText(r.metadata, now);
      const bots = r.metadata.bots ?? 0;
      row.insertCell().textContent = bots > 0 ? `${r.metadata.players} + ${bots} bot${bots === 1 ? "" : "s"}` : String(r.metadata.players);
      const watch = document.createElement("button");
      watch.type = "button";
      watch.textContent = "Watch";
      watch.dataset.testid = `live-watch-${r.roomId}`;
      watch.addEventListener("click", () => this.watch(r.roomId));
      const actions = row.insertCell();
      actions.appendChild(watch);
      const replay = this.replay;
      if (r.metadata.phase === "results" && replay !== undefined) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = "Replay";
        button.dataset.testid = `live-replay-${r.roomId}`;
        button.addEventListener("click", () => replay(r.roomId, button));
        actions.append(" ", button);
      }
    }
    this.countDown();
  }

  /** Stops the countdown. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ticks the time-left cells once a second while a match is counting down. */
  private countDown(): void {
    const counting = this.shown.some((r) => r.metadata.phase === "playing" && r.metadata.endsAt !== undefined);
    if (!counting) return this.stop();
    this.timer ??= setInterval(() => {
      // The lobby left the screen: nothing to tick until its next render.
      if (!this.table.isConnected || this.table.offsetParent === null) return this.stop();
      const now = Date.now();
      for (const r of this.shown) {
        const cell = this.table.querySelector<HTMLElement>(`[data-testid="live-time-${CSS.escape(r.roomId)}"]`);
        if (cell !== null) cell.textContent = timeLeftText(r.metadata, now);
      }
    }, 1000);
  }
}
