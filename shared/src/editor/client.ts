/**
 * The editing side of the editor, ot.js's client states: synchronized (nothing unconfirmed),
 * awaiting confirmation (one op sent) and awaiting with a buffer (more ops made meanwhile). Own edits
 * apply at once; ops from the server are applied to the confirmed document and the unconfirmed ones
 * are rebased on them. Undo and redo cover this client's own edits only.
 */

import type { MapDocument } from "./document.ts";
import type { CatchUp, CommittedOp } from "./authority.ts";
import { applyOp, invertOp, transformOp, type EditOp, type TextField } from "./ops.ts";
import { textDiff } from "./text.ts";

const TEXT_FIELDS: readonly TextField[] = ["name", "notes"];

function isEmptyText(op: EditOp): boolean {
  return op.t === "text" && op.op.length === 0;
}

export type ClientState = "synchronized" | "awaitingConfirm" | "awaitingWithBuffer";

/** What the client sends: op number `seq` of this client, made on version `base`. */
export interface OutgoingOp {
  readonly seq: number;
  readonly base: number;
  readonly op: EditOp;
}

interface Pending {
  readonly seq: number;
  op: EditOp;
}

export class EditorClient {
  private confirmedDoc: MapDocument;
  private confirmedV: number;
  private inflight: Pending | null = null;
  private buffer: Pending[] = [];
  private nextSeq: number;
  private docValue: MapDocument;
  /** Inverses of own edits, each kept valid against the current document. */
  private undoStack: EditOp[] = [];
  private redoStack: EditOp[] = [];
  private online = true;

  /**
   * @param id this client's id, stable across reconnections (the server recognises resends by it)
   * @param send called with each op to send; at most one is unconfirmed at a time
   * @param onDropped told when one of this client's edits changed nothing on the server
   */
  constructor(
    readonly id: string,
    doc: MapDocument,
    v: number,
    private readonly send: (out: OutgoingOp) => void,
    private readonly onDropped: (op: EditOp, reason: string) => void = () => {},
    lastSeq = 0,
  ) {
    this.confirmedDoc = doc;
    this.confirmedV = v;
    this.docValue = doc;
    this.nextSeq = lastSeq + 1;
  }

  get doc(): MapDocument {
    return this.docValue;
  }

  get v(): number {
    return this.confirmedV;
  }

  get state(): ClientState {
    if (!this.inflight) return "synchronized";
    return this.buffer.length === 0 ? "awaitingConfirm" : "awaitingWithBuffer";
  }

  /** This client's edits the server has not confirmed yet, oldest first, as they apply to the shown document. */
  get pending(): readonly EditOp[] {
    return [...(this.inflight ? [this.inflight.op] : []), ...this.buffer.map((p) => p.op)];
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** Makes an edit: applied here at once, sent when nothing else is awaiting confirmation. */
  edit(op: EditOp): void {
    this.commitLocal(op, "edit");
  }

  /** Undoes this client's last own edit still undoable. */
  undo(): void {
    const op = this.undoStack.pop();
    if (op) this.commitLocal(op, "undo");
  }

  redo(): void {
    const op = this.redoStack.pop();
    if (op) this.commitLocal(op, "redo");
  }

  private commitLocal(op: EditOp, kind: "edit" | "undo" | "redo"): void {
    // An undo whose text others already removed has nothing left to do (and the server refuses empty text ops).
    if (isEmptyText(op)) return;
    const inverse = invertOp(this.docValue, op);
    const after = applyOp(this.docValue, op).doc;
    if (inverse) {
      this.rebaseHistory(op);
      if (kind === "undo") this.redoStack.push(inverse);
      else this.undoStack.push(inverse);
    }
    if (kind === "edit") this.redoStack = [];
    this.docValue = after;
    const pending: Pending = { seq: this.nextSeq++, op };
    if (this.inflight) this.buffer.push(pending);
    else this.sendInflight(pending);
  }

  /** Keeps undo/redo entries valid after `op` is applied to the current document. */
  private rebaseHistory(op: EditOp): void {
    this.undoStack = this.undoStack.map((u) => transformOp(u, op, "left"));
    this.redoStack = this.redoStack.map((u) => transformOp(u, op, "left"));
  }

  private sendInflight(p: Pending): void {
    this.inflight = p;
    if (this.online) this.send({ seq: p.seq, base: this.confirmedV, op: p.op });
  }

  /**
   * Sends the next unsent op. Text typing rebased into nothing (others deleted what it deleted) is
   * skipped: the server refuses an empty text op, and a gap in seq numbers is allowed.
   */
  private sendNext(): void {
    let next = this.buffer.shift();
    while (next && isEmptyText(next.op)) next = this.buffer.shift();
    if (next) this.sendInflight(next);
  }

  /** An op committed by the server, in version order (own ones included: they confirm). */
  receive(c: CommittedOp): void {
    if (c.v <= this.confirmedV) return;
    if (c.v !== this.confirmedV + 1) throw new Error(`editor: got version ${c.v} at ${this.confirmedV}`);
    this.confirmedV = c.v;
    this.confirmedDoc = applyOp(this.confirmedDoc, c.op).doc;
    if (c.by === this.id && this.inflight && c.seq === this.inflight.seq) {
      if (c.dropped !== undefined) this.onDropped(c.op, c.dropped);
      this.inflight = null;
      this.sendNext();
      this.recompute();
      return;
    }
    this.rebasePending(c.op);
    this.recompute();
  }

  /** Rebases the unconfirmed ops on a server op made on the confirmed document, and that op past them (ot.js). */
  private rebasePending(op: EditOp): void {
    let remote = op;
    if (this.inflight) {
      const mine = this.inflight.op;
      this.inflight.op = transformOp(mine, remote, "right");
      remote = transformOp(remote, mine, "left");
    }
    for (const p of this.buffer) {
      const mine = p.op;
      p.op = transformOp(mine, remote, "right");
      remote = transformOp(remote, mine, "left");
    }
    this.rebaseHistory(remote);
  }

  private recompute(): void {
    let doc = this.confirmedDoc;
    if (this.inflight) doc = applyOp(doc, this.inflight.op).doc;
    for (const p of this.buffer) doc = applyOp(doc, p.op).doc;
    this.docValue = doc;
  }

  /** The connection is gone: keep editing locally, send nothing. */
  disconnected(): void {
    this.online = false;
  }

  /**
   * Back online with what the server says was missed. After replayed ops the unconfirmed edits are
   * already rebased. After a snapshot, the ops the server already committed (seq up to its lastSeq) are
   * part of it; the others are rebased on it: object edits as they are (last writer wins, an edit to an
   * object deleted meanwhile is dropped by the server and told), text edits transformed against the diff
   * from the text this client last had (confirmed plus its committed ops) to the snapshot's. The op
   * awaiting confirmation is then resent once, on the new version, unless the server already has it.
   */
  reconnected(catchUp: CatchUp): void {
    // Offline while catching up: a confirmation among the replayed ops must not send the next op here
    // as well as below (twice, and the second may be refused once the log has moved past the first).
    this.online = false;
    if (catchUp.kind === "ops") {
      for (const c of catchUp.ops) this.receive(c);
    } else {
      const all = [...(this.inflight ? [this.inflight] : []), ...this.buffer];
      let local = this.confirmedDoc;
      for (const p of all) if (p.seq <= catchUp.lastSeq) local = applyOp(local, p.op).doc;
      this.confirmedDoc = catchUp.doc;
      this.confirmedV = catchUp.v;
      this.inflight = null;
      this.buffer = all.filter((p) => p.seq > catchUp.lastSeq);
      for (const field of TEXT_FIELDS) {
        const change = textDiff(local[field], catchUp.doc[field]);
        if (change.length > 0) this.rebasePending({ t: "text", field, op: change });
      }
    }
    this.online = true;
    if (this.inflight && isEmptyText(this.inflight.op)) this.inflight = null;
    if (this.inflight) this.send({ seq: this.inflight.seq, base: this.confirmedV, op: this.inflight.op });
    else this.sendNext();
    this.recompute();
  }

  /**
   * The server could not take the op in flight because its base left the log window (this client lagged
   * that far behind): start from the server's state as after a snapshot catch-up, unsent edits rebased on it.
   */
  resync(doc: MapDocument, v: number, lastSeq: number): void {
    this.reconnected({ kind: "snapshot", v, doc, lastSeq });
  }

  /** Server refused an op (bad input): there is no honest path here, so start over from the server's state. */
  reset(doc: MapDocument, v: number, lastSeq: number): void {
    this.confirmedDoc = doc;
    this.confirmedV = v;
    this.inflight = null;
    this.buffer = [];
    this.undoStack = [];
    this.redoStack = [];
    this.nextSeq = Math.max(this.nextSeq, lastSeq + 1);
    this.recompute();
  }
}
