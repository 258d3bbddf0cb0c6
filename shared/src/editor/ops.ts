/**
 * Edits to a map document and their rules. Objects follow Figma's model: every property is
 * last-writer-wins in server order and an edit to an object that no longer exists is dropped (apply
 * reports why). Text fields carry character-level OT ops that are transformed against concurrent ones.
 */

import type { EditorSpawn, EditorWall, MapDocument } from "./document.ts";
import {
  EDITOR_MAX_SPAWNS,
  EDITOR_MAX_WALLS,
  EDITOR_MAX_WALL_SIZE,
  EDITOR_MIN_WALL_SIZE,
} from "./limits.ts";
import { applyText, invertText, transformText, type TextOp } from "./text.ts";

export type TextField = "name" | "notes";

export type EditOp =
  | { readonly t: "addWall"; readonly id: string; readonly x: number; readonly y: number; readonly w: number; readonly h: number }
  | { readonly t: "addSpawn"; readonly id: string; readonly x: number; readonly y: number }
  | { readonly t: "remove"; readonly id: string }
  /** Move and/or resize: only the properties given are written. */
  | { readonly t: "set"; readonly id: string; readonly x?: number; readonly y?: number; readonly w?: number; readonly h?: number }
  | { readonly t: "text"; readonly field: TextField; readonly op: TextOp };

export interface ApplyResult {
  readonly doc: MapDocument;
  /** Why the op changed nothing, when it did not apply. */
  readonly dropped?: string;
}

function exists(doc: MapDocument, id: string): boolean {
  return doc.walls.some((w) => w.id === id) || doc.spawns.some((s) => s.id === id);
}

function wallFits(doc: MapDocument, w: { x: number; y: number; w: number; h: number }): boolean {
  return (
    w.w >= EDITOR_MIN_WALL_SIZE && w.h >= EDITOR_MIN_WALL_SIZE &&
    w.w <= EDITOR_MAX_WALL_SIZE && w.h <= EDITOR_MAX_WALL_SIZE &&
    w.x >= 0 && w.y >= 0 && w.x + w.w <= doc.width && w.y + w.h <= doc.height
  );
}

function spawnFits(doc: MapDocument, s: { x: number; y: number }): boolean {
  return s.x >= 0 && s.y >= 0 && s.x <= doc.width && s.y <= doc.height;
}

/**
 * Applies `op`. Total and deterministic: an op that cannot apply (deleted object, limit reached,
 * out of bounds) leaves the document as it is and says why, the same way on every replica.
 * Throws only for a text op that does not fit its text (a transform bug or a hostile op).
 */
export function applyOp(doc: MapDocument, op: EditOp): ApplyResult {
  switch (op.t) {
    case "addWall": {
      if (exists(doc, op.id)) return { doc, dropped: `object ${op.id} exists` };
      if (doc.walls.length >= EDITOR_MAX_WALLS) return { doc, dropped: `at most ${EDITOR_MAX_WALLS} walls` };
      const wall: EditorWall = { id: op.id, x: op.x, y: op.y, w: op.w, h: op.h };
      if (!wallFits(doc, wall)) return { doc, dropped: "wall out of bounds or size limits" };
      return { doc: { ...doc, walls: [...doc.walls, wall] } };
    }
    case "addSpawn": {
      if (exists(doc, op.id)) return { doc, dropped: `object ${op.id} exists` };
      if (doc.spawns.length >= EDITOR_MAX_SPAWNS) return { doc, dropped: `at most ${EDITOR_MAX_SPAWNS} spawns` };
      const spawn: EditorSpawn = { id: op.id, x: op.x, y: op.y };
      if (!spawnFits(doc, spawn)) return { doc, dropped: "spawn out of bounds" };
      return { doc: { ...doc, spawns: [...doc.spawns, spawn] } };
    }
    case "remove": {
      if (!exists(doc, op.id)) return { doc, dropped: `object ${op.id} was deleted` };
      return {
        doc: { ...doc, walls: doc.walls.filter((w) => w.id !== op.id), spawns: doc.spawns.filter((s) => s.id !== op.id) },
      };
    }
    case "set": {
      const wi = doc.walls.findIndex((w) => w.id === op.id);
      if (wi >= 0) {
        const old = doc.walls[wi]!;
        const wall: EditorWall = { id: old.id, x: op.x ?? old.x, y: op.y ?? old.y, w: op.w ?? old.w, h: op.h ?? old.h };
        if (!wallFits(doc, wall)) return { doc, dropped: "wall out of bounds or size limits" };
        const walls = doc.walls.slice();
        walls[wi] = wall;
        return { doc: { ...doc, walls } };
      }
      const si = doc.spawns.findIndex((s) => s.id === op.id);
      if (si >= 0) {
        if (op.w !== undefined || op.h !== undefined) return { doc, dropped: "a spawn has no size" };
        const old = doc.spawns[si]!;
        const spawn: EditorSpawn = { id: old.id, x: op.x ?? old.x, y: op.y ?? old.y };
        if (!spawnFits(doc, spawn)) return { doc, dropped: "spawn out of bounds" };
        const spawns = doc.spawns.slice();
        spawns[si] = spawn;
        return { doc: { ...doc, spawns } };
      }
      return { doc, dropped: `object ${op.id} was deleted` };
    }
    case "text":
      return { doc: { ...doc, [op.field]: applyText(doc[op.field], op.op) } };
  }
}

/**
 * `op` rewritten to apply after `other`, both made on the same version. Only text ops on the same
 * field need rewriting: object edits are ordered by the server and last-writer-wins per property.
 * `side` "left" wins ties (the server's committed op is left, the later submission right).
 */
export function transformOp(op: EditOp, other: EditOp, side: "left" | "right"): EditOp {
  if (op.t === "text" && other.t === "text" && op.field === other.field) {
    return { t: "text", field: op.field, op: transformText(op.op, other.op, side) };
  }
  return op;
}

/** The op that undoes `op` applied to `before`, or null when `op` changes nothing there. */
export function invertOp(before: MapDocument, op: EditOp): EditOp | null {
  if (applyOp(before, op).dropped !== undefined) return null;
  switch (op.t) {
    case "addWall":
    case "addSpawn":
      return { t: "remove", id: op.id };
    case "remove": {
      const wall = before.walls.find((w) => w.id === op.id);
      if (wall) return { t: "addWall", ...wall };
      const spawn = before.spawns.find((s) => s.id === op.id);
      return spawn ? { t: "addSpawn", ...spawn } : null;
    }
    case "set": {
      const wall = before.walls.find((w) => w.id === op.id);
      if (wall) {
        return {
          t: "set", id: op.id,
          ...(op.x !== undefined && { x: wall.x }), ...(op.y !== undefined && { y: wall.y }),
          ...(op.w !== undefined && { w: wall.w }), ...(op.h !== undefined && { h: wall.h }),
        };
      }
      const spawn = before.spawns.find((s) => s.id === op.id);
      return spawn ? { t: "set", id: op.id, ...(op.x !== undefined && { x: spawn.x }), ...(op.y !== undefined && { y: spawn.y }) } : null;
    }
    case "text":
      return { t: "text", field: op.field, op: invertText(op.op, before[op.field]) };
  }
}
