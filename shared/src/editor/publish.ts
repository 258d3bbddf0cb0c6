/** What a map must satisfy to be published (and so played): checked on the document about to be frozen. */

import { NavGrid } from "../bots/navGrid.ts";
import { PLAYER_RADIUS } from "../constants.ts";
import { circleOverlapsRect } from "../sim/geometry.ts";
import { documentToArenaMap, type MapDocument } from "./document.ts";
import { EDITOR_MAX_SPAWNS, EDITOR_MIN_SPAWNS } from "./limits.ts";

/** The map's problems, one sentence each; empty when it can be published. */
export function publishProblems(doc: MapDocument): string[] {
  const problems: string[] = [];
  if (doc.spawns.length < EDITOR_MIN_SPAWNS || doc.spawns.length > EDITOR_MAX_SPAWNS) {
    problems.push(`a map needs ${EDITOR_MIN_SPAWNS} to ${EDITOR_MAX_SPAWNS} spawns (it has ${doc.spawns.length})`);
  }
  for (const w of doc.walls) {
    if (w.x < 0 || w.y < 0 || w.x + w.w > doc.width || w.y + w.h > doc.height) problems.push(`wall ${w.id} is outside the map`);
  }
  for (const s of doc.spawns) {
    if (doc.walls.some((w) => circleOverlapsRect(s.x, s.y, PLAYER_RADIUS, w))) problems.push(`spawn ${s.id} is inside a wall`);
  }
  if (problems.length > 0 || doc.spawns.length === 0) return problems;
  // Every spawn reachable from every other: all in the open area around the first one (the bots' grid).
  const grid = new NavGrid(documentToArenaMap(doc));
  const start = grid.nearestOpen(doc.spawns[0]!.x, doc.spawns[0]!.y);
  const seen = new Uint8Array(grid.cols * grid.rows);
  const queue = [start];
  seen[start] = 1;
  while (queue.length > 0) {
    const i = queue.pop()!;
    const c = i % grid.cols;
    const next = [c > 0 ? i - 1 : -1, c < grid.cols - 1 ? i + 1 : -1, i - grid.cols, i + grid.cols];
    for (const j of next) {
      if (j >= 0 && j < seen.length && !seen[j] && grid.isOpen(j)) {
        seen[j] = 1;
        queue.push(j);
      }
    }
  }
  for (const s of doc.spawns) {
    if (!seen[grid.nearestOpen(s.x, s.y)]) problems.push(`spawn ${s.id} cannot be reached from spawn ${doc.spawns[0]!.id}`);
  }
  return problems;
}
