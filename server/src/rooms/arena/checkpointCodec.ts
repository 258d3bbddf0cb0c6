/**
 * A checkpoint's bytes: written straight from the live room into one reused
 * buffer, four times a second, so it must cost little (docs/BENCHMARKS.md has
 * the figures). What changes every step (the players' fields, projectiles in
 * flight, bot brains) is binary: numbers as float64, strings length-prefixed;
 * no object per player and no number formatting, which is where a JSON
 * checkpoint spent its time (two thirds of ~100 µs at 16 players). What
 * changes only on a join, a leave, a kill or a chat line (seats, credits, the
 * room's code, map and bot plan, the chat tail) is a small JSON header, written
 * again only when the room says it changed.
 *
 * Layout: "ACP3", u32 header length, u32 count of numbers, u32 text length (all little-endian), the
 * header's UTF-8 JSON, the numbers (float64 each), the text (each string a u16 byte length and its UTF-8).
 * Two columns, so the numbers are one copy of a reused Float64Array and no number is formatted. The numbers
 * in order: taken-at (ms), phase, tick, phase end, next projectile id; players count, then per player the
 * fields of PLAYER_NUMBERS, a flags word (PLAYER_FLAGS) and the best-moments tally (MOMENT_NUMBERS; "ACP2",
 * the previous release's, has none); projectiles count, then per projectile x, y,
 * angle, tick, rewindMs, wallAt (Infinity as is); brains count, field-name count, then per brain its random
 * state, has-target, mode, has-goal (then goal x, y) and per field a tag (FIELD_*) and, for a number, its
 * value. The strings in order: winner; per player id, name, killedBy; per projectile id, owner; the brain
 * field names; per brain its session id and target.
 *
 * Reading turns the bytes back into the {@link Checkpoint} object, which is
 * then checked in full (checkpoint.ts): a cut, corrupted or foreign buffer
 * ends in a CheckpointError, never in a crash of the process taking over.
 * A checkpoint written as JSON text by a process of the previous release
 * (during a rolling deploy) is still read.
 */
import type { ArenaState, BrainMemory } from "@arena/shared";
import type { Tally } from "./moments.ts";
import { BOT_MODES, CheckpointError, MAX_CHECKPOINT_BYTES, checkCheckpoint, type Checkpoint, type SeatSnapshot } from "./checkpoint.ts";

const MAGIC = 0x33504341; // "ACP3" read as a little-endian u32
/** The previous release's layout: players without their best moments. Still read (a rolling deploy). */
const MAGIC_WITHOUT_MOMENTS = 0x32504341; // "ACP2"

/** What the checkpoint carries that changes only on a join, a leave, a kill, a chat line or a match's start. */
export interface CheckpointHeader {
  readonly roomId: string;
  readonly mode: Checkpoint["mode"];
  readonly code?: string;
  readonly map?: Checkpoint["map"];
  readonly botPlan: Checkpoint["botPlan"];
  readonly seats: readonly SeatSnapshot[];
  readonly credits: Checkpoint["credits"];
  /** The room's chat tail (changes with each line said). */
  readonly chat?: Checkpoint["chat"];
  /** The bots' roster counter (and whatever else of the bots is not per brain). */
  readonly bots: { readonly added: number; readonly level?: number };
}

/** Player fields written as numbers, in this order. */
const PLAYER_NUMBERS = [
  "x", "y", "aim", "hp", "protectedUntil", "kills", "deaths", "damage", "color",
  "shotTick", "shotX", "shotY", "shotAngle", "landedShot", "cooldown", "respawnAt",
] as const;
/** Player fields written as bits of one byte, in this order. */
const PLAYER_FLAGS = ["alive", "connected", "bot", "voice"] as const;
/** A player's best-moments tally (moments.ts), written after the flags, in this order. */
const MOMENT_NUMBERS = ["streak", "bestStreak", "life", "bestLife"] as const;
const PHASES = ["warmup", "playing", "results"] as const;

const FIELD_NUMBER = 0;
const FIELD_FALSE = 1;
const FIELD_TRUE = 2;
const FIELD_NULL = 3;
const FIELD_ABSENT = 4;

/** One per room: its columns are reused from checkpoint to checkpoint. */
export class CheckpointWriter {
  /** Every number, in the order the layout reads them. */
  private nums = new Float64Array(1024);
  private n = 0;
  /** Every string (u16 byte length, then UTF-8). */
  private text = Buffer.allocUnsafe(4096);
  private t = 0;
  private headerBytes: Buffer = Buffer.alloc(0);
  private headerKey: unknown;

  /**
   * The checkpoint's bytes (a copy, safe to hand to the Redis client). `headerKey` names the header's
   * content: the header is serialised again only when it differs from the last call's (the room changes
   * it on a join, leave, reconnection, kill credit or match start). `momentsOf` gives a player's best-moments tally.
   */
  encode(
    header: () => CheckpointHeader, headerKey: unknown, at: number, state: ArenaState, brains: readonly { sessionId: string; memory: BrainMemory }[],
    momentsOf: (id: string) => Readonly<Tally> | undefined = () => undefined,
  ): Buffer {
    if (headerKey !== this.headerKey) {
      this.headerBytes = Buffer.from(JSON.stringify({ v: 2, ...header() }), "utf8");
      this.headerKey = headerKey;
    }
    this.n = 0;
    this.t = 0;
    const players = state.players.size;
    const projectiles = state.projectiles.size;
    const names = brains.length > 0 ? Object.keys(brains[0]!.memory.fields) : [];
    // An upper bound of the numbers below, so the loops write without a check each.
    this.room(8 + players * (PLAYER_NUMBERS.length + 1 + MOMENT_NUMBERS.length) + projectiles * 6 + 1 + brains.length * (7 + names.length * 2));

    const v = this.nums;
    let i = 0;
    v[i++] = at;
    v[i++] = Math.max(0, PHASES.indexOf(state.phase as (typeof PHASES)[number]));
    v[i++] = state.tick;
    v[i++] = state.phaseEndsAt;
    v[i++] = state.nextProjectileId;
    this.str(state.winner);

    v[i++] = players;
    state.players.forEach((p, id) => {
      this.str(id);
      this.str(p.name);
      this.str(p.killedBy);
      v[i++] = p.x; v[i++] = p.y; v[i++] = p.aim; v[i++] = p.hp; v[i++] = p.protectedUntil; v[i++] = p.kills;
      v[i++] = p.deaths; v[i++] = p.damage; v[i++] = p.color; v[i++] = p.shotTick; v[i++] = p.shotX; v[i++] = p.shotY;
      v[i++] = p.shotAngle; v[i++] = p.landedShot; v[i++] = p.cooldown; v[i++] = p.respawnAt;
      v[i++] = (p.alive ? 1 : 0) | (p.connected ? 2 : 0) | (p.bot ? 4 : 0) | (p.voice ? 8 : 0);
      const t = momentsOf(id);
      v[i++] = t?.streak ?? 0; v[i++] = t?.bestStreak ?? 0; v[i++] = t?.life ?? 0; v[i++] = t?.bestLife ?? 0;
    });

    v[i++] = projectiles;
    state.projectiles.forEach((pr, id) => {
      this.str(id);
      this.str(pr.ownerId);
      v[i++] = pr.x; v[i++] = pr.y; v[i++] = pr.angle; v[i++] = pr.tick; v[i++] = pr.rewindMs; v[i++] = pr.wallAt;
    });

    v[i++] = brains.length;
    v[i++] = names.length;
    for (const name of names) this.str(name);
    for (const { sessionId, memory } of brains) {
      this.str(sessionId);
      v[i++] = memory.random;
      v[i++] = memory.targetId === null ? 0 : 1;
      if (memory.targetId !== null) this.str(memory.targetId);
      v[i++] = BOT_MODES.indexOf(memory.mode);
      v[i++] = memory.goal === null ? 0 : 1;
      if (memory.goal !== null) {
        v[i++] = memory.goal.x;
        v[i++] = memory.goal.y;
      }
      // In the first brain's order: every brain's fields object has the same shape (BotBrain.memory).
      const values = Object.values(memory.fields);
      const same = values.length === names.length;
      for (let k = 0; k < names.length; k++) {
        const f = same ? values[k] : memory.fields[names[k]!];
        if (typeof f === "number") {
          v[i++] = FIELD_NUMBER;
          v[i++] = f;
        } else {
          v[i++] = f === undefined ? FIELD_ABSENT : f === null ? FIELD_NULL : f ? FIELD_TRUE : FIELD_FALSE;
        }
      }
    }
    this.n = i;

    const numBytes = this.n * 8;
    const size = 16 + this.headerBytes.length + numBytes + this.t;
    if (size > MAX_CHECKPOINT_BYTES) throw new CheckpointError(`checkpoint of ${size} bytes is over the ${MAX_CHECKPOINT_BYTES}-byte cap`);
    const out = Buffer.allocUnsafe(size);
    // Byte by byte: Buffer's writeUInt32LE checks its arguments each call, which showed in the room's profile.
    u32(out, 0, MAGIC);
    u32(out, 4, this.headerBytes.length);
    u32(out, 8, this.n);
    u32(out, 12, this.t);
    this.headerBytes.copy(out, 16);
    // Float64Array bytes are the machine's order: little-endian on every platform Node runs us on (x64, arm64).
    Buffer.from(this.nums.buffer, 0, numBytes).copy(out, 16 + this.headerBytes.length);
    this.text.copy(out, 16 + this.headerBytes.length + numBytes, 0, this.t);
    return out;
  }

  private room(numbers: number): void {
    if (numbers > this.nums.length) this.nums = new Float64Array(Math.max(numbers, this.nums.length * 2));
  }

  /** u16 byte length, then the bytes; ASCII (ids, most names) without a call into Buffer's UTF-8 encoder. */
  private str(s: string): void {
    const n = s.length;
    if (this.t + 2 + n * 3 > this.text.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.text.length * 2, this.t + 2 + n * 3));
      this.text.copy(bigger, 0, 0, this.t);
      this.text = bigger;
    }
    const b = this.text;
    const start = this.t + 2;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[start + i] = c;
    }
    const bytes = i === n ? n : b.write(s, start, "utf8");
    b[this.t] = bytes & 0xff;
    b[this.t + 1] = bytes >>> 8;
    this.t = start + bytes;
  }
}

/** `v` (a whole number below 2^32) as 4 little-endian bytes at `at`. */
function u32(b: Buffer, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = v >>> 24;
}

/**
 * Parses and checks a checkpoint read from Redis; throws CheckpointError saying why it is refused. JSON text
 * (starting with "{") is what the previous release wrote, still read during a rolling deploy.
 */
export function decodeCheckpoint(data: Buffer | string, roomId: string): Checkpoint {
  if (data.length > MAX_CHECKPOINT_BYTES) throw new CheckpointError(`checkpoint of ${data.length} bytes is over the ${MAX_CHECKPOINT_BYTES}-byte cap`);
  if (typeof data !== "string" && data[0] !== 0x7b) return checkCheckpoint(readBytes(data), roomId);
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString());
  } catch {
    throw new CheckpointError("checkpoint is not JSON");
  }
  return checkCheckpoint(raw, roomId);
}

/** A checkpoint's bytes back as the object checkpoint.ts checks; throws CheckpointError when they do not parse. */
function readBytes(data: Buffer): unknown {
  const magic = data.length < 16 ? 0 : data.readUInt32LE(0);
  if (magic !== MAGIC && magic !== MAGIC_WITHOUT_MOMENTS) throw new CheckpointError("checkpoint is not one of ours");
  const withMoments = magic === MAGIC;
  const headerLength = data.readUInt32LE(4);
  const numCount = data.readUInt32LE(8);
  const textLength = data.readUInt32LE(12);
  if (16 + headerLength + numCount * 8 + textLength !== data.length) throw new CheckpointError("checkpoint's parts do not add up to its length");
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(data.toString("utf8", 16, 16 + headerLength)) as Record<string, unknown>;
  } catch {
    throw new CheckpointError("checkpoint header is not JSON");
  }
  if (typeof header !== "object" || header === null || header.v !== 2) throw new CheckpointError("checkpoint header is not version 2");
  const r = new Reader(data, 16 + headerLength, numCount, 16 + headerLength + numCount * 8);
  const { v: _v, bots, ...rest } = header;
  const at = r.num();
  const phase = PHASES[r.num()];
  const tick = r.num();
  const phaseEndsAt = r.num();
  const nextProjectileId = r.num();
  const winner = r.str();
  const players: Record<string, unknown>[] = [];
  const moments: Record<string, unknown>[] = [];
  for (let n = r.count(); n > 0; n--) {
    const p: Record<string, unknown> = { id: r.str(), name: r.str(), killedBy: r.str() };
    for (const f of PLAYER_NUMBERS) p[f] = r.num();
    const flags = r.num();
    PLAYER_FLAGS.forEach((f, i) => (p[f] = (flags & (1 << i)) !== 0));
    players.push(p);
    if (!withMoments) continue;
    const tally: Record<string, unknown> = { id: p.id };
    for (const f of MOMENT_NUMBERS) tally[f] = r.num();
    moments.push(tally);
  }
  const projectiles: Record<string, unknown>[] = [];
  for (let n = r.count(); n > 0; n--) {
    const id = r.str();
    const ownerId = r.str();
    const [x, y, angle, t, rewindMs, wallAt] = [r.num(), r.num(), r.num(), r.num(), r.num(), r.num()];
    projectiles.push({ id, ownerId, x, y, angle, tick: t, rewindMs, wallAt: Number.isFinite(wallAt) ? wallAt : null });
  }
  const brainCount = r.count();
  const names: string[] = [];
  for (let n = r.count(); n > 0; n--) names.push(r.str());
  const brains: { sessionId: string; memory: Record<string, unknown> }[] = [];
  for (let n = brainCount; n > 0; n--) {
    const sessionId = r.str();
    const random = r.num();
    const targetId = r.num() === 1 ? r.str() : null;
    const mode = BOT_MODES[r.num()];
    const goal = r.num() === 1 ? { x: r.num(), y: r.num() } : null;
    const fields: Record<string, number | boolean | null> = {};
    for (const name of names) {
      const tag = r.num();
      if (tag === FIELD_NUMBER) fields[name] = r.num();
      else if (tag === FIELD_NULL) fields[name] = null;
      else if (tag === FIELD_TRUE || tag === FIELD_FALSE) fields[name] = tag === FIELD_TRUE;
      else if (tag !== FIELD_ABSENT) throw new CheckpointError(`checkpoint has an unknown brain field tag ${tag}`);
    }
    brains.push({ sessionId, memory: { random, targetId, mode, goal, fields } });
  }
  r.done();
  return {
    v: 1, ...rest, at, ...(withMoments ? { moments } : {}),
    state: { phase, tick, phaseEndsAt, winner, nextProjectileId, players, projectiles },
    bots: { ...(typeof bots === "object" && bots !== null ? bots : {}), brains },
  };
}

/** Bounds-checked reads of the two columns: running past either end, or stopping short of it, is a CheckpointError. */
class Reader {
  private n = 0;
  constructor(private readonly data: Buffer, private readonly numsAt: number, private readonly numCount: number, private t: number) {}

  num(): number {
    if (this.n >= this.numCount) throw new CheckpointError("checkpoint is cut short");
    return this.data.readDoubleLE(this.numsAt + 8 * this.n++);
  }

  /** A count of what follows: a whole number of at most 65535. */
  count(): number {
    const c = this.num();
    if (!Number.isInteger(c) || c < 0 || c > 65_535) throw new CheckpointError(`checkpoint has a count of ${c}`);
    return c;
  }

  str(): string {
    if (this.t + 2 > this.data.length) throw new CheckpointError("checkpoint is cut short");
    const length = this.data.readUInt16LE(this.t);
    const at = this.t + 2;
    if (at + length > this.data.length) throw new CheckpointError("checkpoint is cut short");
    this.t = at + length;
    return this.data.toString("utf8", at, at + length);
  }

  done(): void {
    if (this.n !== this.numCount || this.t !== this.data.length) throw new CheckpointError("checkpoint has bytes past its end");
  }
}
