/**
 * The lobby's "Recent matches": this person's last matches (GET /api/replays?mine=1 with the guest token
 * kept in this browser), each with when, how long, who won and a link to its replay. Its panel is added
 * beside Live matches on the first lobby shown, and the list is fetched again on each lobby visit.
 */
import type { ReplaySummary } from "@arena/shared/replay";
import { storedToken } from "../people/identity.ts";
import { myReplays } from "../replay/find.ts";
import { replayLink } from "../replay/address.ts";

/** A lobby re-rendered more often than this does not fetch the list again. */
const REFRESH_MS = 15_000;

let table: HTMLTableElement | undefined;
let fetchedAt = -Infinity;

function panel(): HTMLTableElement {
  if (table !== undefined) return table;
  const live = document.querySelector('[data-testid="live-matches"]')?.parentElement;
  const box = document.createElement("div");
  box.appendChild(document.createElement("h2")).textContent = "Recent matches";
  table = box.appendChild(document.createElement("table"));
  table.className = "list";
  table.dataset.testid = "recent-matches";
  if (live) live.after(box);
  else document.body.appendChild(box);
  return table;
}

function render(t: HTMLTableElement, replays: readonly ReplaySummary[]): void {
  t.replaceChildren();
  const head = t.insertRow();
  for (const h of ["When", "Length", "Winner", ""]) head.appendChild(document.createElement("th")).textContent = h;
  if (replays.length === 0) t.insertRow().insertCell().textContent = "Your matches' replays show here once they end.";
  for (const r of replays) {
    const row = t.insertRow();
    row.dataset.testid = `recent-match-${r.id}`;
    row.insertCell().textContent = new Date(r.startedAt).toLocaleString();
    row.insertCell().textContent = `${Math.floor(r.seconds / 60)}:${String(Math.round(r.seconds % 60)).padStart(2, "0")}`;
    const best = r.standings[0];
    row.insertCell().textContent = best === undefined ? "—" : `${best.name} · ${best.kills}`;
    const link = document.createElement("a");
    link.href = replayLink(r.id);
    link.textContent = "Replay";
    link.dataset.testid = `recent-replay-${r.id}`;
    row.insertCell().appendChild(link);
  }
}

/** Shows the list (fetched again at most every REFRESH_MS); without a kept token there is nothing of one's own. */
export function showRecentMatches(origin: string): void {
  const t = panel();
  const token = storedToken();
  if (token === undefined || performance.now() - fetchedAt < REFRESH_MS) return;
  fetchedAt = performance.now();
  myReplays(origin, token).then((replays) => render(t, replays), (e: unknown) => {
    t.replaceChildren();
    t.insertRow().insertCell().textContent = `Recent matches unavailable: ${e instanceof Error ? e.message : String(e)}`;
  });
}
