/** The map document the editor works on: an `ArenaMap` with ids on its objects, a name and notes. */

import type { ArenaMap } from "../sim/map.ts";
import { EDITOR_MAP_HEIGHT, EDITOR_MAP_WIDTH } from "./limits.ts";

export interface EditorWall {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface EditorSpawn {
  readonly id: string;
  readonly x: number;
  readonly y: number;
}

export interface MapDocument {
  readonly name: string;
  readonly notes: string;
  readonly width: number;
  readonly height: number;
  /** In server order of creation: every replica applies the same ops in the same order. */
  readonly walls: readonly EditorWall[];
  readonly spawns: readonly EditorSpawn[];
}

/** A new, empty map of the editor's size. */
export function emptyMapDocument(name = ""): MapDocument {
  return { name, notes: "", width: EDITOR_MAP_WIDTH, height: EDITOR_MAP_HEIGHT, walls: [], spawns: [] };
}

/** The arena the game simulates, from a document. */
export function documentToArenaMap(doc: MapDocument): ArenaMap {
  return {
    name: doc.name,
    width: doc.width,
    height: doc.height,
    walls: doc.walls.map(({ x, y, w, h }) => ({ x, y, w, h })),
    spawns: doc.spawns.map(({ x, y }) => ({ x, y })),
  };
}

/** Whether two documents hold the same content (used by tests and by catch-up checks). */
export function sameDocument(a: MapDocument, b: MapDocument): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
