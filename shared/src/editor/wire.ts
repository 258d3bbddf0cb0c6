/** What travels in the editor room (docs/PROTOCOL.md, "Editor room"). */

import type { CatchUp, CommittedOp } from "./authority.ts";
import type { MapDocument } from "./document.ts";
import type { EditOp } from "./ops.ts";

export const ROOM_EDITOR = "editor";

export const EditorMessage = {
  /** client → server: an edit ({@link OpIn}); server → clients: a committed op ({@link CommittedOp}). */
  Op: "op",
  /** client → server: where my pointer is ({@link CursorIn}); server → others: {@link CursorOut}. */
  Cursor: "cursor",
  /** server → one client, on join: {@link HelloOut}. */
  Hello: "hello",
  /** server → clients: who is in the document ({@link EditorsOut}). */
  Editors: "editors",
  /** client → server: publish the document as it is now (editors only); server → that client: {@link PublishedOut}. */
  Publish: "publish",
  /** server → one client: an op or message refused, and the state to start over from ({@link RefusedOut}). */
  Refused: "refused",
} as const;

export type EditorRole = "edit" | "view";

/** Join options of the editor room. */
export interface EditorJoinOptions {
  readonly mapId: string;
  /** True to make a new map with this (random, client-chosen) id; its first joiner becomes its creator. */
  readonly create?: boolean;
  /** The edit or view code of the map; the creator needs none. */
  readonly code?: string;
  /** Stable across reconnections of one editor tab: resent ops are recognised by it. */
  readonly clientId: string;
  /** The last version this client holds, to catch up from; omitted for a snapshot. */
  readonly since?: number;
}

export interface OpIn {
  readonly seq: number;
  readonly base: number;
  readonly op: EditOp;
}

export interface CursorIn {
  readonly x: number;
  readonly y: number;
  /** The id of the selected object, or null. */
  readonly sel: string | null;
}

export interface CursorOut extends CursorIn {
  readonly from: string;
}

export interface EditorPresence {
  readonly sessionId: string;
  readonly name: string;
  readonly color: number;
  readonly role: EditorRole;
}

export interface EditorsOut {
  readonly editors: readonly EditorPresence[];
}

export interface HelloOut {
  readonly role: EditorRole;
  readonly mapId: string;
  /** This client's id in committed ops' `by` (the token's user id and the join's clientId). */
  readonly you: string;
  /** The codes to share, sent to the creator only. */
  readonly codes?: { readonly edit: string; readonly view: string };
  readonly catchUp: CatchUp;
  /** The last seq of this client id the server committed. */
  readonly lastSeq: number;
}

export interface RefusedOut {
  readonly error: string;
  /** The op's seq when an op was refused. */
  readonly seq?: number;
  /** The op's base version left the log window (not bad input): rebase unsent edits on `doc` (`EditorClient.resync`) instead of starting over. */
  readonly resync?: true;
  readonly v: number;
  readonly doc: MapDocument;
  readonly lastSeq: number;
}

export type { CommittedOp };

/** Why a publish was refused besides the map's own problems (a quota); the draft is kept either way. */
export const EditorPublishErrors = {
  /** The person published EDITOR_PUBLISHES_PER_MIN times in the last minute; `retryAfterS` says when to try again. */
  RATE_LIMITED: "publish_rate_limited",
  /** The map has EDITOR_VERSIONS_PER_MAP published versions already: no more are kept (copy it to a new map). */
  TOO_MANY_VERSIONS: "too_many_versions",
} as const;
export type EditorPublishError = (typeof EditorPublishErrors)[keyof typeof EditorPublishErrors];

/** The answer to a publish: the frozen version's number, or why the map cannot be published (yet). */
export type PublishedOut =
  | { readonly ok: true; readonly version: number; readonly url: string }
  | { readonly ok: false; readonly problems: readonly string[]; readonly error?: EditorPublishError; readonly retryAfterS?: number };
