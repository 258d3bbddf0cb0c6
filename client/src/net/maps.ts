/**
 * The map a room plays: the built-in one, or a published editor map fetched by id and version from
 * GET /api/maps/:id/:version. Versions are frozen, so each is fetched once per page (and the browser keeps
 * the response for good: the server marks it immutable).
 */
import { ARENA_MAP, type ArenaMap, type ArenaState, type MapRef } from "@arena/shared";
import type { ArenaRoom } from "./session.ts";

const loaded = new Map<string, Promise<ArenaMap>>();

/** The published map `ref`, from this page's cache or the server (always the page's own origin). */
export function fetchMap(ref: MapRef): Promise<ArenaMap> {
  const url = `/api/maps/${encodeURIComponent(ref.id)}/${ref.version}`;
  let map = loaded.get(url);
  if (map === undefined) {
    map = fetch(url).then(async (res) => {
      if (!res.ok) throw new Error(`map ${ref.id} version ${ref.version} could not be loaded (${res.status})`);
      return checkedMap(await res.json());
    });
    // A failure is not kept: the next room on this map tries again.
    map.catch(() => loaded.delete(url));
    loaded.set(url, map);
  }
  return map;
}

/** The map `state` names (empty id: the built-in map). */
export function mapOfState(state: Pick<ArenaState, "mapId" | "mapVersion">): Promise<ArenaMap> {
  return state.mapId === "" ? Promise.resolve(ARENA_MAP) : fetchMap({ id: state.mapId, version: state.mapVersion });
}

/** The map of a room just joined: known once its first state has arrived. */
export function roomMap(room: ArenaRoom): Promise<ArenaMap> {
  if (room.state?.players !== undefined) return mapOfState(room.state);
  return new Promise((resolve, reject) => room.onStateChange.once((state) => mapOfState(state).then(resolve, reject)));
}

function isRect(r: unknown): r is { x: number; y: number; w: number; h: number } {
  const o = r as Record<string, unknown> | null;
  return typeof o === "object" && o !== null && ["x", "y", "w", "h"].every((k) => Number.isFinite(o[k]));
}

/** A map the simulation can run on, or an error: predicting on a malformed one would only diverge. */
function checkedMap(json: unknown): ArenaMap {
  const m = json as Partial<Record<keyof ArenaMap, unknown>> | null;
  const ok = typeof m === "object" && m !== null && typeof m.name === "string"
    && Number.isFinite(m.width) && Number.isFinite(m.height)
    && Array.isArray(m.walls) && m.walls.every(isRect)
    && Array.isArray(m.spawns) && m.spawns.every((p) => Number.isFinite((p as { x?: unknown })?.x) && Number.isFinite((p as { y?: unknown })?.y));
  if (!ok) throw new Error("the server sent a map this page cannot read");
  return m as unknown as ArenaMap;
}
