/**
 * The results screen: the standings, this player's best moments (longest streak, most damage in one life),
 * their rating change, and Play again, which asks the room for its group's next room and hands it to the page
 * (every player of the room who presses it gets the same room: server/src/rooms/arena/playAgain.ts).
 */
import {
  ClientMessage, ServerMessage,
  type NextRoomOut, type NoticeOut, type RatingOut, type ResultsOut, type Standing,
} from "@arena/shared";
import type { ArenaRoom } from "../net/session.ts";
import { taggedName } from "./botTag.ts";
import { byTestId, fillTable } from "./dom.ts";

/** "+5.2", "-3", "±0": a rating change as read at a glance. */
export function signed(delta: number): string {
  const d = Math.round(delta * 10) / 10;
  return d > 0 ? `+${d}` : d < 0 ? `−${-d}` : "±0";
}

/** The lines of "your best moments" for `me` (none when `me` is not in the standings). */
export function bestMoments(me: Standing | undefined): string[] {
  if (me === undefined) return [];
  const lines: string[] = [];
  if ((me.bestStreak ?? 0) > 0) lines.push(`Longest streak: ${me.bestStreak} ${me.bestStreak === 1 ? "kill" : "kills"} in a row`);
  if ((me.bestLife ?? 0) > 0) lines.push(`Most damage in one life: ${me.bestLife}`);
  if (me.damage > 0) lines.push(`Damage dealt: ${me.damage}`);
  if (lines.length === 0) lines.push("None yet: land a hit next match to set one");
  return lines;
}

export class ResultsView {
  constructor(private readonly room: ArenaRoom, private readonly playAgain: (roomId: string) => void) {
    const button = byTestId<HTMLButtonElement>("results-play-again");
    this.reset();
    room.onMessage(ServerMessage.Results, (r: ResultsOut) => this.show(r));
    room.onMessage(ServerMessage.Rating, (r: RatingOut) => {
      byTestId("results-rating").textContent = `Rating ${Math.round(r.before)} → ${Math.round(r.after)} (${signed(r.after - r.before)})`;
    });
    room.onMessage(ServerMessage.NextRoom, (next: NextRoomOut) => this.playAgain(next.roomId));
    room.onMessage(ServerMessage.Notice, (n: NoticeOut) => {
      if (n.code !== "play_again_unavailable") return;
      button.disabled = false;
      button.textContent = "Play again";
      byTestId("results-next").textContent = n.message;
    });
    button.onclick = () => {
      button.disabled = true;
      button.textContent = "Finding your group's room…";
      room.send(ClientMessage.PlayAgain);
    };
  }

  private reset(): void {
    const button = byTestId<HTMLButtonElement>("results-play-again");
    button.disabled = false;
    button.textContent = "Play again";
    byTestId("results-rating").textContent = "";
    byTestId("results-next").textContent = "Next match here starts soon, or play again with everyone who presses it.";
  }

  private show(r: ResultsOut): void {
    this.reset();
    const me = this.room.sessionId;
    const winner = r.standings.find((s) => s.sessionId === r.winner);
    byTestId("results-title").textContent = winner ? `${taggedName(winner.name, winner.sessionId)} wins` : "Match over";
    const table = byTestId<HTMLTableElement>("results-table");
    fillTable(table, ["#", "Player", "Kills", "Deaths", "Damage", "Streak"],
      r.standings.map((s, i) => [String(i + 1), taggedName(s.name, s.sessionId), String(s.kills), String(s.deaths), String(s.damage), String(s.bestStreak ?? 0)]));
    // The player's own line, marked by more than colour: a "you" mark and a weight.
    const mine = r.standings.findIndex((s) => s.sessionId === me);
    const row = mine < 0 ? undefined : table.rows[mine + 1];
    if (row !== undefined) {
      row.classList.add("me");
      row.cells[1]!.textContent += " (you)";
    }
    const moments = byTestId("results-moments");
    moments.replaceChildren(...bestMoments(r.standings[mine]).map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
  }
}
