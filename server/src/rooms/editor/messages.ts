/** Validation of everything a client sends to the editor room (zod): a message that fails is refused. */

import { z } from "zod";
import {
  EDITOR_MAX_ID_LENGTH, EDITOR_MAX_NOTES_LENGTH,
  type CursorIn, type EditOp, type EditorJoinOptions, type OpIn, type TextOp,
} from "@arena/shared/editor";

export const MAP_ID = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 letters, digits, - or _");
const ID = z.string().min(1).max(EDITOR_MAX_ID_LENGTH).regex(/^[\w-]+$/, "object ids are letters, digits, - or _");
/** Geometry is checked against the map by the op itself; here only that it is a sane number. */
const COORD = z.number().int().min(-100_000).max(100_000);

export const JoinOptionsSchema: z.ZodType<EditorJoinOptions> = z.object({
  mapId: MAP_ID,
  create: z.boolean().optional(),
  code: z.string().max(64).optional(),
  clientId: z.string().regex(/^[\w-]{4,40}$/, "clientId must be 4-40 letters, digits, - or _"),
  since: z.number().int().min(0).optional(),
});

const TEXT_OP: z.ZodType<TextOp> = z.array(z.union([
  z.number().int().min(1),
  z.string().min(1).max(EDITOR_MAX_NOTES_LENGTH),
  z.object({ d: z.union([z.number().int().min(1), z.string().min(1).max(EDITOR_MAX_NOTES_LENGTH)]) }).strict(),
])).min(1).max(64);

const EDIT_OP: z.ZodType<EditOp> = z.discriminatedUnion("t", [
  z.object({ t: z.literal("addWall"), id: ID, x: COORD, y: COORD, w: COORD, h: COORD }).strict(),
  z.object({ t: z.literal("addSpawn"), id: ID, x: COORD, y: COORD }).strict(),
  z.object({ t: z.literal("remove"), id: ID }).strict(),
  z.object({ t: z.literal("set"), id: ID, x: COORD.optional(), y: COORD.optional(), w: COORD.optional(), h: COORD.optional() }).strict(),
  z.object({ t: z.literal("text"), field: z.enum(["name", "notes"]), op: TEXT_OP }).strict(),
]);

export const OpInSchema: z.ZodType<OpIn> = z.object({
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  base: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  op: EDIT_OP,
}).strict();

export const CursorInSchema: z.ZodType<CursorIn> = z.object({
  x: z.number().finite().min(-10_000).max(10_000),
  y: z.number().finite().min(-10_000).max(10_000),
  sel: ID.nullable(),
}).strict();

/** The first issue of a failed parse, as "path: message". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  return issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}
