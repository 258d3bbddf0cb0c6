/** The scoreboard at the moment shown: every player of the state, most kills first (fewest deaths on a tie). */
import type { ArenaState } from "@arena/shared";
import { taggedName } from "../ui/botTag.ts";

export interface ScoreRow {
  readonly id: string;
  readonly name: string;
  readonly kills: number;
  readonly deaths: number;
}

export function scoreRows(state: ArenaState): ScoreRow[] {
  const rows: ScoreRow[] = [];
  state.players.forEach((p, id) => rows.push({ id, name: taggedName(p.name, id, p.bot), kills: p.kills, deaths: p.deaths }));
  return rows.sort((a, b) => b.kills - a.kills || a.deaths - b.deaths || a.name.localeCompare(b.name));
}

/** Rewrites `table` only when what it shows changed (it is called every frame). */
export function renderScoreboard(table: HTMLTableElement, rows: readonly ScoreRow[], followed: string | undefined): void {
  const key = rows.map((r) => `${r.id}:${r.kills}:${r.deaths}`).join(",") + `|${followed ?? ""}`;
  if (table.dataset.key === key) return;
  table.dataset.key = key;
  table.replaceChildren();
  const head = table.insertRow();
  for (const h of ["#", "Player", "Kills", "Deaths"]) head.appendChild(document.createElement("th")).textContent = h;
  rows.forEach((r, i) => {
    const row = table.insertRow();
    row.dataset.testid = `replay-score-${r.id}`;
    if (r.id === followed) row.className = "followed";
    for (const v of [String(i + 1), r.name, String(r.kills), String(r.deaths)]) row.insertCell().textContent = v;
  });
}
