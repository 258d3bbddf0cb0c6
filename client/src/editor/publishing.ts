/**
 * Publish and play from the editor page: freezing the map as a numbered version (the room checks it and
 * answers with the version or its problems), and opening a private arena room on a published version for
 * an invite link.
 */
import { JoinErrorCodes, ROOM_ARENA, type MapRef } from "@arena/shared";
import type { MapDocument } from "@arena/shared/editor";

/** The objects a publish problem names ("wall <id> …", "spawn <id> …"), to show them on the map. */
export function problemObjects(problems: readonly string[], doc: MapDocument): Set<string> {
  const ids = new Set([...doc.walls, ...doc.spawns].map((o) => o.id));
  const named = new Set<string>();
  for (const p of problems) {
    for (const m of p.matchAll(/\b(?:wall|spawn) (\S+)/g)) if (ids.has(m[1]!)) named.add(m[1]!);
  }
  return named;
}

/** The newest published version of `mapId`; 0 when it has none. */
export async function latestVersion(mapId: string): Promise<number> {
  const res = await fetch(`/api/maps/${encodeURIComponent(mapId)}`, { cache: "no-store" });
  if (res.status === 404) return 0;
  if (!res.ok) throw new Error(`the published versions could not be read (${res.status})`);
  return ((await res.json()) as { latest: number }).latest;
}

/**
 * Creates a private arena room on `map` and returns its invite code. The seat matchmaking reserves for
 * this page is left unused: the room waits open for its first player (server/src/rooms/arena/publishedMap.ts).
 */
export async function createMapRoom(token: string, map: MapRef): Promise<string> {
  const res = await fetch(`/matchmake/create/${ROOM_ARENA}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ map }),
  });
  const body = (await res.json().catch(() => ({}))) as { roomId?: string; code?: number; error?: string };
  if (res.ok && typeof body.roomId === "string") return body.roomId;
  if (body.code === JoinErrorCodes.UNKNOWN_MAP) throw new Error(body.error ?? "that map version is not published");
  throw new Error(body.error ? `the room could not be created: ${body.error}` : `the room could not be created (${res.status})`);
}
