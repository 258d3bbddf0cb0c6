/**
 * A private arena room on a published editor map: the map it plays, read once at creation, and the wait
 * for its first player (the editor's "Play this map" creates the room for a link, before anyone is in it).
 */
import { ServerError } from "@colyseus/core";
import { ARENA_MAP, JoinErrorCodes, type ArenaMap, type MapRef } from "@arena/shared";

/** Where published maps are read from (the editor's map store). */
export interface PublishedMaps {
  published(mapId: string, version: number): Promise<ArenaMap | undefined>;
}

/**
 * How long a published-map room stays open while nobody has joined it yet (MAP_ROOM_WAIT_S): long enough
 * for the editor to open the link and share it, short enough that a client creating rooms it never joins
 * holds each for under a minute. After its first player it closes when empty, like any private room.
 */
export const DEFAULT_MAP_ROOM_WAIT_S = 60;

/** The map a room plays: the built-in one, or the published version `ref` (a matchmaking error if there is none). */
export async function roomMap(maps: PublishedMaps | undefined, ref: MapRef | undefined): Promise<ArenaMap> {
  if (ref === undefined) return ARENA_MAP;
  let map: ArenaMap | undefined;
  try {
    map = await maps?.published(ref.id, ref.version);
  } catch {
    throw new ServerError(JoinErrorCodes.UNKNOWN_MAP, `map ${ref.id} cannot be read right now; try again`);
  }
  if (map === undefined) throw new ServerError(JoinErrorCodes.UNKNOWN_MAP, `no published version ${ref.version} of map ${ref.id}`);
  return map;
}
