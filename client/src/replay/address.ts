/**
 * Where a replay link points: `/replay/<id>` (or `/replay.html?replay=<id>`, as Vite's dev server serves the page),
 * with `?t=<seconds>` for the moment it opens at. Ids are the server's (22 base64url characters); anything
 * else is not fetched.
 */
export interface ReplayAddress {
  readonly id: string;
  /** Seconds from the recording's start; 0 when absent or nonsense. */
  readonly t: number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseReplayAddress(pathname: string, search: string): ReplayAddress | undefined {
  const q = new URLSearchParams(search);
  const fromPath = /^\/replay\/([^/]+)\/?$/.exec(pathname)?.[1];
  const id = decodeURIComponent(fromPath ?? q.get("replay") ?? "");
  if (!ID.test(id)) return undefined;
  const t = Number(q.get("t") ?? 0);
  return { id, t: Number.isFinite(t) && t > 0 ? t : 0 };
}

/** The link to a replay, at `seconds` if given. */
export function replayLink(id: string, seconds?: number): string {
  const at = seconds === undefined || seconds <= 0 ? "" : `?t=${Math.round(seconds * 10) / 10}`;
  return `/replay/${encodeURIComponent(id)}${at}`;
}
