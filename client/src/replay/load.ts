/**
 * Fetches a recording and opens it: the whole file is checked by ReplayReader.open before anything is
 * shown, so a corrupted or truncated one ends here with the reader's message, never half-played. A
 * private room's replay is asked for with this browser's guest token.
 */
import { ReplayError, ReplayReader } from "@arena/shared/replay";

export class ReplayUnavailable extends Error {}

export async function loadReplay(origin: string, id: string, token: string | undefined): Promise<ReplayReader> {
  const res = await fetch(`${origin}/api/replays/${encodeURIComponent(id)}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: unknown };
    throw new ReplayUnavailable(typeof body.message === "string" ? body.message : `the replay could not be fetched (HTTP ${res.status})`);
  }
  return ReplayReader.open(new Uint8Array(await res.arrayBuffer()));
}

/** What the page says when a replay cannot be played. */
export function describeLoadError(e: unknown): string {
  if (e instanceof ReplayError) return `This replay cannot be played: ${e.message}`;
  if (e instanceof ReplayUnavailable) return `This replay cannot be played: ${e.message}`;
  return `This replay could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
}
