/** A text field's change as one text op: the common prefix and suffix kept, the middle replaced (code points). */
import { type TextOp } from "@arena/shared/editor";

export function diffToTextOp(before: string, after: string): TextOp | null {
  const a = Array.from(before);
  const b = Array.from(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  if (endA === start && endB === start) return null;
  const op: TextOp = [];
  if (start > 0) op.push(start);
  if (endA > start) op.push({ d: a.slice(start, endA).join("") });
  if (endB > start) op.push(b.slice(start, endB).join(""));
  return op;
}

/** UTF-16 offset in `s` to code points, and back (textarea carets count UTF-16 units). */
export function utf16ToPoints(s: string, offset: number): number {
  return Array.from(s.slice(0, offset)).length;
}

export function pointsToUtf16(s: string, points: number): number {
  return Array.from(s).slice(0, points).join("").length;
}

/**
 * Where a caret at `pos` goes when someone else's `op` is applied: text inserted exactly at the caret
 * lands after it, so the person typing there keeps typing one run of text.
 */
export function caretAfterRemote(pos: number, op: TextOp): number {
  let oldAt = 0;
  let delta = 0;
  for (const c of op) {
    if (typeof c === "number") oldAt += c;
    else if (typeof c === "string") {
      if (oldAt < pos) delta += Array.from(c).length;
    } else {
      const n = typeof c.d === "number" ? c.d : Array.from(c.d).length;
      delta -= Math.max(0, Math.min(pos, oldAt + n) - oldAt);
      oldAt += n;
    }
  }
  return pos + delta;
}
