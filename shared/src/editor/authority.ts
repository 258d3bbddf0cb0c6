/**
 * The authoritative side of the editor (ShareDB's model): one document, a version number and a log.
 * A submitted op names the version it was made on; it is transformed against everything committed
 * since, applied, and given the next version. Pure and synchronous: the room wraps it with I/O.
 */

import { type MapDocument } from "./document.ts";
import {
  EDITOR_MAX_NAME_LENGTH,
  EDITOR_MAX_NOTES_LENGTH,
  EDITOR_TEXT_HARD_FACTOR,
} from "./limits.ts";
import { applyOp, transformOp, type EditOp } from "./ops.ts";
import { textLength } from "./text.ts";

/** How many committed ops are kept for replay; a client further behind gets a snapshot. */
export const EDITOR_LOG_WINDOW = 500;

export interface CommittedOp {
  readonly v: number;
  readonly op: EditOp;
  /** The author's client id and its sequence number: how a resent op is recognised. */
  readonly by: string;
  readonly seq: number;
  /** Set when the op changed nothing (its object was deleted, a limit was reached). */
  readonly dropped?: string;
}

export interface AuthoritySnapshot {
  readonly v: number;
  readonly doc: MapDocument;
  readonly log: readonly CommittedOp[];
  /** Last sequence number committed per client id: resends after a snapshot are still recognised. */
  readonly lastSeq: Readonly<Record<string, number>>;
}

export type SubmitResult =
  | { readonly ok: true; readonly committed: CommittedOp; readonly duplicate: boolean }
  /** `resync`: the base left the log window; an honest client that lagged behind rebases its edits on the current state. */
  | { readonly ok: false; readonly error: string; readonly resync?: true };

export type CatchUp =
  | { readonly kind: "ops"; readonly ops: readonly CommittedOp[] }
  | { readonly kind: "snapshot"; readonly v: number; readonly doc: MapDocument; readonly lastSeq: number };

const TEXT_HARD_LIMIT = {
  name: EDITOR_MAX_NAME_LENGTH * EDITOR_TEXT_HARD_FACTOR,
  notes: EDITOR_MAX_NOTES_LENGTH * EDITOR_TEXT_HARD_FACTOR,
} as const;

export class EditorAuthority {
  private log: CommittedOp[];
  private readonly lastSeq: Map<string, { seq: number; v: number }>;

  /** @param logWindow how many ops are kept for replay (tests make it small to force snapshot catch-ups) */
  constructor(
    private docValue: MapDocument,
    private version = 0,
    log: readonly CommittedOp[] = [],
    lastSeq: Readonly<Record<string, number>> = {},
    private readonly logWindow = EDITOR_LOG_WINDOW,
  ) {
    this.log = log.slice(-logWindow);
    this.lastSeq = new Map(Object.entries(lastSeq).map(([k, seq]) => [k, { seq, v: -1 }]));
    for (const c of this.log) this.lastSeq.set(c.by, { seq: c.seq, v: c.v });
  }

  static fromSnapshot(s: AuthoritySnapshot): EditorAuthority {
    return new EditorAuthority(s.doc, s.v, s.log, s.lastSeq);
  }

  get v(): number {
    return this.version;
  }

  get doc(): MapDocument {
    return this.docValue;
  }

  snapshot(): AuthoritySnapshot {
    const lastSeq: Record<string, number> = {};
    for (const [k, { seq }] of this.lastSeq) lastSeq[k] = seq;
    return { v: this.version, doc: this.docValue, log: this.log.slice(), lastSeq };
  }

  /** Last sequence number committed for a client id (0 when none). */
  lastSeqOf(by: string): number {
    return this.lastSeq.get(by)?.seq ?? 0;
  }

  /**
   * Commits `op` made by `by` (its `seq`-th op) on version `base`. A resent op (seq already committed)
   * is not applied twice. Refuses a base the log cannot bridge and a text op that does not fit.
   */
  submit(by: string, seq: number, base: number, op: EditOp): SubmitResult {
    const last = this.lastSeq.get(by);
    if (last && seq <= last.seq) {
      const original = this.log.find((c) => c.by === by && c.seq === seq);
      if (original) return { ok: true, committed: original, duplicate: true };
      return { ok: false, error: `op ${seq} was already committed` };
    }
    if (!Number.isInteger(base) || base > this.version) return { ok: false, error: `version ${base} is ahead of the document (${this.version})` };
    const oldest = this.version - this.log.length;
    if (base < oldest) return { ok: false, error: `version ${base} is too old (oldest ${oldest}); resync`, resync: true };
    let rebased = op;
    for (const c of this.log.slice(base - oldest)) rebased = transformOp(rebased, c.op, "right");
    let result;
    try {
      result = applyOp(this.docValue, rebased);
    } catch (err) {
      return { ok: false, error: `text op does not fit: ${(err as Error).message}` };
    }
    if (rebased.t === "text" && textLength(result.doc[rebased.field]) > TEXT_HARD_LIMIT[rebased.field]) {
      return { ok: false, error: `${rebased.field} too long` };
    }
    this.version += 1;
    this.docValue = result.doc;
    const committed: CommittedOp = {
      v: this.version, op: rebased, by, seq,
      ...(result.dropped !== undefined && { dropped: result.dropped }),
    };
    this.log.push(committed);
    if (this.log.length > this.logWindow) this.log.splice(0, this.log.length - this.logWindow);
    this.lastSeq.set(by, { seq, v: this.version });
    return { ok: true, committed, duplicate: false };
  }

  /**
   * What a client at version `since` needs: the ops it missed, or a snapshot when the log is too short.
   * `upTo`: an earlier state to stop at (the room gives the newest state it has stored, so nobody is told
   * of an op a crash could still lose); by default the current one.
   */
  catchUp(since: number, by: string, upTo: { readonly v: number; readonly doc: MapDocument } = { v: this.version, doc: this.docValue }): CatchUp {
    const oldest = this.version - this.log.length;
    if (Number.isInteger(since) && since >= oldest && since <= upTo.v) {
      return { kind: "ops", ops: this.log.slice(since - oldest, upTo.v - oldest) };
    }
    return { kind: "snapshot", v: upTo.v, doc: upTo.doc, lastSeq: this.lastSeqAt(by, upTo.v) };
  }

  /**
   * The last seq of `by` committed at or before version `v`: below the first of its ops after `v` (so
   * those are resent, and recognised if they were in fact kept), else its last.
   */
  lastSeqAt(by: string, v: number): number {
    const later = v < this.version ? this.log.find((c) => c.v > v && c.by === by) : undefined;
    return later ? later.seq - 1 : this.lastSeqOf(by);
  }
}
