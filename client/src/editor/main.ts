/**
 * The map editor page (/editor): ?map=<id>&code=<edit or view code>; without ?map a new map is made and
 * the page's address becomes its creator's link. Drawing on a canvas at 40 % of map size.
 */
import { textLength, type CursorOut, type EditOp, type EditorPresence, type MapDocument } from "@arena/shared/editor";
import { ensureIdentity, storedName } from "../people/identity.ts";
import { EditorConnection } from "./connection.ts";
import { createMapRoom, latestVersion, problemObjects } from "./publishing.ts";
import { caretAfterRemote, diffToTextOp, pointsToUtf16, utf16ToPoints } from "./textDiff.ts";

const SCALE = 0.4;
const CURSOR_INTERVAL_MS = 50;
const HANDLE = 8;

const $ = <T extends HTMLElement>(id: string): T => document.querySelector<T>(`[data-testid=${id}]`)!;
const canvas = $<HTMLCanvasElement>("map");
const ctx = canvas.getContext("2d")!;
const nameInput = $<HTMLInputElement>("map-name");
const notesInput = $<HTMLTextAreaElement>("map-notes");

const params = new URLSearchParams(location.search);
const create = !params.has("map");
const mapId = params.get("map") ?? `m${crypto.randomUUID().replaceAll("-", "")}`;
const code = params.get("code") ?? undefined;
const clientId = crypto.randomUUID().slice(0, 12);
let counter = 0;
const newId = (): string => `${clientId}-${++counter}`;

const cursors = new Map<string, CursorOut>();
let editors: readonly EditorPresence[] = [];
let selected: string | null = null;
let canEdit = false;
/** Publish problems as the server stated them; the objects they name are outlined on the map. */
let problems: readonly string[] = [];
/** The version this page published last (else "Play this map" asks the server for the newest). */
let published = 0;

function edit(op: EditOp): void {
  if (!canEdit || !conn.doc) return;
  conn.doc.edit(op);
  render();
}

// The person of this browser (the same as on the game page and on every visit), so the maps they make
// stay theirs and they show as "editing" in the lobby's people list.
const { token } = await ensureIdentity(location.origin, params.get("name") ?? storedName() ?? "editor");
const conn = new EditorConnection(location.origin, token, mapId, code, create, clientId, {
  changed: render,
  hello(hello) {
    canEdit = hello.role === "edit";
    $("publish").hidden = !canEdit;
    $<HTMLButtonElement>("play-map").disabled = false;
    $("editor-role").textContent = canEdit ? "editing" : "view only";
    nameInput.readOnly = notesInput.readOnly = !canEdit;
    if (hello.codes) {
      const base = `${location.origin}/editor?map=${hello.mapId}`;
      $<HTMLInputElement>("edit-link").value = `${base}&code=${hello.codes.edit}`;
      $<HTMLInputElement>("view-link").value = `${base}&code=${hello.codes.view}`;
      if (create) history.replaceState(null, "", `/editor?map=${hello.mapId}&code=${hello.codes.edit}`);
    }
  },
  cursor(c) {
    cursors.set(c.from, c);
    render();
  },
  editors(e) {
    editors = e.editors;
    for (const id of cursors.keys()) if (!editors.some((p) => p.sessionId === id)) cursors.delete(id);
    const list = $("editors");
    list.replaceChildren(...editors.map((p) => {
      const li = document.createElement("li");
      li.textContent = `${p.name}${p.role === "view" ? " (view)" : ""}`;
      li.style.background = hex(p.color);
      return li;
    }));
    render();
  },
  notice(text) {
    $("editor-notice").textContent = text;
  },
  status(text) {
    $("editor-status").textContent = text;
  },
});
try {
  await conn.connect();
} catch (e) {
  // E.g. the person's quota of maps (529) or a map that does not exist: say why instead of staying on "Connecting…".
  $("editor-status").textContent = `Not connected: ${(e as Error).message}`;
}
(window as unknown as { __editor: unknown }).__editor = { doc: () => conn.doc?.doc, cursors: () => [...cursors.values()] };

function hex(color: number): string {
  return `#${color.toString(16).padStart(6, "0")}`;
}

/** Keeps a text field in step with the document without moving the caret of the person typing in it. */
function syncText(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  if (el.value === value) return;
  const focused = document.activeElement === el;
  const start = utf16ToPoints(el.value, el.selectionStart ?? 0);
  const end = utf16ToPoints(el.value, el.selectionEnd ?? 0);
  const old = el.value;
  el.value = value;
  if (focused) {
    const op = diffToTextOp(old, value);
    const s = op ? caretAfterRemote(start, op) : start;
    const e = op ? caretAfterRemote(end, op) : end;
    el.setSelectionRange(pointsToUtf16(value, Math.min(s, textLength(value))), pointsToUtf16(value, Math.min(e, textLength(value))));
  }
}

function render(): void {
  const doc = conn.doc?.doc;
  if (!doc) return;
  syncText(nameInput, doc.name);
  syncText(notesInput, doc.notes);
  $<HTMLButtonElement>("undo").disabled = !conn.doc?.canUndo;
  $<HTMLButtonElement>("redo").disabled = !conn.doc?.canRedo;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const flagged = problemObjects(problems, doc);
  ctx.strokeStyle = "#ff5252";
  ctx.lineWidth = 2;
  for (const w of doc.walls) {
    ctx.fillStyle = w.id === selected ? "#8fb3ff" : "#7a8294";
    ctx.fillRect(w.x * SCALE, w.y * SCALE, w.w * SCALE, w.h * SCALE);
    if (flagged.has(w.id)) ctx.strokeRect(w.x * SCALE, w.y * SCALE, w.w * SCALE, w.h * SCALE);
    if (w.id === selected) {
      ctx.fillStyle = "#fff";
      ctx.fillRect((w.x + w.w) * SCALE - HANDLE / 2, (w.y + w.h) * SCALE - HANDLE / 2, HANDLE, HANDLE);
    }
  }
  for (const s of doc.spawns) {
    ctx.fillStyle = s.id === selected ? "#8fb3ff" : "#5fd38d";
    ctx.beginPath();
    ctx.arc(s.x * SCALE, s.y * SCALE, 6, 0, Math.PI * 2);
    ctx.fill();
    if (flagged.has(s.id)) ctx.stroke();
  }
  if (drag?.kind === "draw") {
    ctx.strokeStyle = "#fff";
    const r = rectOf(drag.x0, drag.y0, drag.x, drag.y);
    ctx.strokeRect(r.x * SCALE, r.y * SCALE, r.w * SCALE, r.h * SCALE);
  }
  for (const c of cursors.values()) {
    const who = editors.find((p) => p.sessionId === c.from);
    ctx.fillStyle = hex(who?.color ?? 0xffffff);
    ctx.beginPath();
    ctx.moveTo(c.x * SCALE, c.y * SCALE);
    ctx.lineTo(c.x * SCALE + 12, c.y * SCALE + 5);
    ctx.lineTo(c.x * SCALE + 5, c.y * SCALE + 12);
    ctx.fill();
    ctx.fillText(who?.name ?? "", c.x * SCALE + 12, c.y * SCALE + 20);
  }
}

function rectOf(x0: number, y0: number, x1: number, y1: number) {
  return { x: Math.min(x0, x1), y: Math.min(y0, y1), w: Math.abs(x1 - x0), h: Math.abs(y1 - y0) };
}

type Drag =
  | { kind: "draw"; x0: number; y0: number; x: number; y: number }
  | { kind: "move"; id: string; dx: number; dy: number; x: number; y: number }
  | { kind: "resize"; id: string; x: number; y: number };
let drag: Drag | null = null;

function mapPoint(e: MouseEvent): { x: number; y: number } {
  const box = canvas.getBoundingClientRect();
  return { x: Math.round((e.clientX - box.left) / SCALE), y: Math.round((e.clientY - box.top) / SCALE) };
}

function hit(doc: MapDocument, x: number, y: number): { id: string; corner: boolean; ox: number; oy: number } | null {
  for (const s of [...doc.spawns].reverse()) if (Math.hypot(s.x - x, s.y - y) < 8 / SCALE) return { id: s.id, corner: false, ox: s.x, oy: s.y };
  for (const w of [...doc.walls].reverse()) {
    const corner = Math.abs(w.x + w.w - x) < HANDLE / SCALE && Math.abs(w.y + w.h - y) < HANDLE / SCALE;
    if (corner || (x >= w.x && x <= w.x + w.w && y >= w.y && y <= w.y + w.h)) return { id: w.id, corner, ox: w.x, oy: w.y };
  }
  return null;
}

const tool = (): string => document.querySelector<HTMLInputElement>("input[name=tool]:checked")?.value ?? "select";

canvas.addEventListener("mousedown", (e) => {
  const doc = conn.doc?.doc;
  if (!doc || !canEdit) return;
  const p = mapPoint(e);
  if (tool() === "wall") drag = { kind: "draw", x0: p.x, y0: p.y, x: p.x, y: p.y };
  else if (tool() === "spawn") edit({ t: "addSpawn", id: newId(), x: p.x, y: p.y });
  else {
    const h = hit(doc, p.x, p.y);
    selected = h?.id ?? null;
    if (h) drag = h.corner ? { kind: "resize", id: h.id, x: p.x, y: p.y } : { kind: "move", id: h.id, dx: p.x - h.ox, dy: p.y - h.oy, x: p.x, y: p.y };
  }
  render();
});

// Throttled, with a trailing send: the others always end up seeing where the pointer stopped.
let lastCursor = 0;
let cursorTimer: ReturnType<typeof setTimeout> | undefined;
let pointer = { x: 0, y: 0 };
const sendCursor = (): void => {
  cursorTimer = undefined;
  lastCursor = performance.now();
  conn.sendCursor({ x: pointer.x, y: pointer.y, sel: selected });
};
canvas.addEventListener("mousemove", (e) => {
  const p = mapPoint(e);
  pointer = p;
  const wait = CURSOR_INTERVAL_MS - (performance.now() - lastCursor);
  if (wait <= 0) sendCursor();
  else cursorTimer ??= setTimeout(sendCursor, wait);
  if (!drag) return;
  drag.x = p.x;
  drag.y = p.y;
  render();
});

window.addEventListener("mouseup", () => {
  const d = drag;
  drag = null;
  if (!d) return;
  if (d.kind === "draw") {
    const r = rectOf(d.x0, d.y0, d.x, d.y);
    if (r.w >= 10 && r.h >= 10) edit({ t: "addWall", id: newId(), ...r });
  } else if (d.kind === "move") {
    edit({ t: "set", id: d.id, x: d.x - d.dx, y: d.y - d.dy });
  } else {
    const w = conn.doc?.doc.walls.find((x) => x.id === d.id);
    if (w) edit({ t: "set", id: d.id, w: Math.max(10, d.x - w.x), h: Math.max(10, d.y - w.y) });
  }
  render();
});

function textEdited(el: HTMLInputElement | HTMLTextAreaElement, field: "name" | "notes"): void {
  const doc = conn.doc?.doc;
  if (!doc) return;
  const op = diffToTextOp(doc[field], el.value);
  if (op) edit({ t: "text", field, op });
}
nameInput.addEventListener("input", () => textEdited(nameInput, "name"));
notesInput.addEventListener("input", () => textEdited(notesInput, "notes"));

const undo = (): void => { conn.doc?.undo(); render(); };
const redo = (): void => { conn.doc?.redo(); render(); };
const remove = (): void => { if (selected) edit({ t: "remove", id: selected }); selected = null; };
$("undo").addEventListener("click", undo);
$("redo").addEventListener("click", redo);
$("delete").addEventListener("click", remove);
window.addEventListener("keydown", (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
  if ((e.ctrlKey || e.metaKey) && e.key === "z") undo();
  else if ((e.ctrlKey || e.metaKey) && e.key === "y") redo();
  else if (e.key === "Delete" || e.key === "Backspace") remove();
});

async function publish(): Promise<void> {
  const button = $<HTMLButtonElement>("publish");
  button.disabled = true;
  $("publish-result").textContent = "Checking…";
  try {
    const answer = await conn.publish();
    // A quota refusal (answer.error) is about the person or the map's versions, not about what is drawn.
    problems = answer.ok || answer.error !== undefined ? [] : answer.problems;
    if (answer.ok) published = answer.version;
    $("publish-result").textContent = answer.ok
      ? `Published as version ${answer.version}.`
      : answer.error !== undefined
        ? `Not published: ${answer.problems.join(" ")}`
        : `Not published: ${answer.problems.length} problem${answer.problems.length === 1 ? "" : "s"} to fix (outlined in red).`;
    $("publish-problems").replaceChildren(...problems.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      // Selecting the first object a problem names shows which one it is.
      li.addEventListener("click", () => {
        const doc = conn.doc?.doc;
        selected = doc ? ([...problemObjects([text], doc)][0] ?? selected) : selected;
        render();
      });
      return li;
    }));
  } catch (e) {
    $("publish-result").textContent = `Not published: ${e instanceof Error ? e.message : "no answer"}.`;
  } finally {
    button.disabled = false;
    render();
  }
}

/** Opens a private arena room on the newest published version and copies its invite link. */
async function playMap(): Promise<void> {
  const button = $<HTMLButtonElement>("play-map");
  button.disabled = true;
  try {
    const version = published || (await latestVersion(mapId));
    if (version === 0) {
      $("publish-result").textContent = "Publish the map first: rooms play published versions.";
      return;
    }
    const roomCode = await createMapRoom(token, { id: mapId, version });
    const link = `${location.origin}/?join=${encodeURIComponent(roomCode)}`;
    $<HTMLInputElement>("play-link").value = link;
    $("play").hidden = false;
    const name = params.get("name");
    const open = $<HTMLAnchorElement>("play-open");
    open.href = name ? `${link}&name=${encodeURIComponent(name)}` : link;
    open.hidden = false;
    const copied = await navigator.clipboard?.writeText(link).then(() => true, () => false);
    $("publish-result").textContent = `A private room on version ${version} is open${copied ? "; its invite link is copied" : ""}. It waits a few minutes for its first player.`;
  } catch (e) {
    $("publish-result").textContent = `No room: ${e instanceof Error ? e.message : "the server did not answer"}.`;
  } finally {
    button.disabled = false;
  }
}

$("publish").addEventListener("click", () => void publish());
$("play-map").addEventListener("click", () => void playMap());
render();
