/**
 * Character-level OT for the text fields, from `ot-text-unicode` (the ShareDB text type): positions
 * count Unicode code points, so a transform never splits a surrogate pair.
 */

import fastDiff from "fast-diff";
import otText from "ot-text-unicode";

export type TextOp = otText.TextOp;

interface InvertibleTextType {
  invertWithDoc(op: TextOp, doc: string): TextOp;
}

const textType = otText.type;
const invertible = otText.type as unknown as InvertibleTextType;

/** Applies a text op; throws when the op does not fit the text. */
export function applyText(text: string, op: TextOp): string {
  return textType.apply(text, op);
}

/** `op` rewritten to apply after `other`; `side` breaks ties at the same position ("left" goes first). */
export function transformText(op: TextOp, other: TextOp, side: "left" | "right"): TextOp {
  return textType.transform(op, other, side);
}

/** The op that undoes `op` applied to `before`. */
export function invertText(op: TextOp, before: string): TextOp {
  return invertible.invertWithDoc(op, before);
}

/** Inserts `text` at code point `pos`. */
export function textInsert(pos: number, text: string): TextOp {
  return otText.insert(pos, text);
}

/** Deletes `length` code points at `pos`. */
export function textRemove(pos: number, length: number): TextOp {
  return otText.remove(pos, length);
}

/** Length in code points (the unit text ops count in). */
export function textLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Throws when `op` is not a well-formed text op. */
export function checkTextOp(op: TextOp): void {
  textType.checkOp(op);
}

/** Where a caret at `pos` lands after `op`. */
export function transformTextPosition(pos: number, op: TextOp): number {
  return textType.transformPosition(pos, op);
}

/**
 * A text op turning `from` into `to`, from a character diff (fast-diff: Myers' diff with
 * diff-match-patch's clean-ups, never splitting a surrogate pair). It is how a client that missed more
 * than the log window learns what the server changed: one op to transform its unsent typing against.
 * Any op from `from` to `to` keeps transforms correct; a good diff keeps intent (a caret in untouched text
 * stays put). Checked, with delete-all-insert-all as the fallback should the diff ever disagree.
 */
export function textDiff(from: string, to: string): TextOp {
  if (from === to) return [];
  const op: TextOp = [];
  for (const [kind, chunk] of fastDiff(from, to)) {
    if (kind === fastDiff.EQUAL) op.push(textLength(chunk));
    else if (kind === fastDiff.INSERT) op.push(chunk);
    else op.push({ d: textLength(chunk) });
  }
  const normalized = textType.normalize(op);
  try {
    if (textType.apply(from, normalized) === to) return normalized;
  } catch {
    // Falls through to the op that cannot be wrong.
  }
  return textType.normalize([{ d: textLength(from) }, to]);
}
