/**
 * Finding replays from the lobby: a room's (the Replay button of an ended match in Live matches) and the
 * person's own ("Recent matches"). A match's recording ends with its results (docs/REPLAYS.md), so the
 * replay of a match whose results are on screen is listed a few seconds after the button is pressed: the
 * lookup waits for a replay of that room other than the newest listed at the press (compared by id, not by
 * time: the page's clock and the server's may differ).
 */
import type { ReplayListOut, ReplaySummary } from "@arena/shared/replay";

/** How long the Replay button waits for the match's recording to be listed (its results last ~10 s). */
const ROOM_WAIT_MS = 30_000;
const ROOM_POLL_MS = 1000;

async function list(origin: string, query: string, token?: string): Promise<readonly ReplaySummary[]> {
  const res = await fetch(`${origin}/api/replays?${query}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  const body = (await res.json().catch(() => ({}))) as Partial<ReplayListOut> & { message?: string };
  if (!res.ok) throw new Error(body.message ?? `replays could not be listed (HTTP ${res.status})`);
  return body.replays ?? [];
}

/** The replay of the match `roomId` shows the results of, once it is listed. */
export async function roomReplay(origin: string, roomId: string, waitMs = ROOM_WAIT_MS): Promise<ReplaySummary> {
  const deadline = Date.now() + waitMs;
  const newest = async (): Promise<ReplaySummary | undefined> => (await list(origin, `room=${encodeURIComponent(roomId)}&limit=1`))[0];
  // The room's previous match, if it had one: not the one asked for.
  const before = (await newest())?.id;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, ROOM_POLL_MS));
    const found = await newest();
    if (found !== undefined && found.id !== before) return found;
    if (Date.now() >= deadline) throw new Error("this match's replay is not ready (it may not have been recorded)");
  }
}

/** The person's own last matches, newest first. */
export function myReplays(origin: string, token: string, limit = 10): Promise<readonly ReplaySummary[]> {
  return list(origin, `mine=1&limit=${limit}`, token);
}
