/**
 * Records an arena room's matches (format: docs/REPLAYS.md), one recording per match, from the step that
 * starts it to the end of its results.
 *
 * The room calls `afterPatch` after each patch broadcast: the patch the tap on the room's encoder kept
 * (colyseusInternals.ts `tapPatches`) is appended to the open segment with the tick, and a keyframe is taken
 * when one is due, every KEYFRAME_INTERVAL_S. One call per broadcast, and one per step with an event recorded
 * (`recordsAny`): each call costs the room's thread some µs of cold code, far more than the work inside it
 * (docs/BENCHMARKS.md, "Replays"). While nobody is connected Colyseus drops the changes unencoded (the room
 * calls `changesDropped` before such a broadcast): the recording pauses, and goes on from a fresh keyframe when
 * patches are sent again. A keyframe closes the segment
 * before it: deflated and framed there, then handed to the store (the writes of one recording are chained,
 * in order), so a crash loses at most the last 5 s.
 *
 * A match taken over by another process keeps its one recording: the store keeps the id of each room's
 * recording in progress (`ReplayStore.recordingOf`), and the taker `resume`s it, appending segments after
 * those of the previous holder, the first one fresh (its encoder numbers the state's references afresh). A handover (SIGTERM) `flush`es the open
 * segment first, so nothing is lost; after a crash the seconds since the last segment are missing.
 */
import { randomBytes } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { Reflection } from "@colyseus/schema";
import { standings, type ArenaMap, type ArenaState, type GameEvent, type GameMode, type MapRef } from "@arena/shared";
import {
  ChunkKind, KEYFRAME_INTERVAL_S, REPLAY_FORMAT, RecordKind, SEGMENT_FRESH, SegmentBuilder,
  encodeChunk, encodeJsonChunk, encodeSegmentBody, fileStart, hex, stateHash,
  type ReplayEnd, type ReplayEndReason, type ReplayEvent, type ReplayHeader,
} from "@arena/shared/replay";
import type { PatchTap } from "../colyseusInternals.ts";
import type { Logger } from "../log.ts";
import type { ReplayMeta } from "./meta.ts";
import { nodeSha256 } from "./store.ts";
import type { Replays } from "./Replays.ts";

/** What the recorder reads of its room. */
export interface RecordedRoom {
  readonly roomId: string;
  readonly state: ArenaState;
  readonly mode: GameMode;
  /** A private room's replay is served only to those who played in it. */
  readonly private: boolean;
  readonly map: ArenaMap;
  readonly mapRef: MapRef | undefined;
  readonly tickRate: number;
  readonly patchRate: number;
}

interface Recording {
  meta: ReplayMeta;
  readonly players: Set<string>;
  flags: number;
  hash: Uint8Array;
  /** The store's writes of this recording, one after the other. */
  writes: Promise<void>;
  /** A write failed: the recording stops at the next patch. */
  failed: boolean;
  /** Segments closed (written or on their way); `meta.segments` counts those stored. */
  queued: number;
  /** What is stored reached REPLAY_MAX_KB: the recording ends at the next patch. */
  overCap: boolean;
}

/** deflate level: 1 measured within 2 % of 6's and 9's bytes for a third of their CPU (docs/BENCHMARKS.md, "Replays"). */
export const DEFLATE_LEVEL = 1;
/** Segments between two updates of the standings in a recording's meta (30 s). */
const STANDINGS_EVERY = 6;

/**
 * Whether a step's events hold one the recording keeps (`events` records these and nothing else): the room
 * calls `events` only then, not for each step with a shot or a hit, which is most steps of a fight.
 */
export function recordsAny(events: readonly GameEvent[]): boolean {
  for (let i = 0; i < events.length; i++) {
    const type = events[i]!.type;
    if (type === "kill" || type === "matchStart" || type === "matchEnd") return true;
  }
  return false;
}

/**
 * A kill's event record, the JSON that `JSON.stringify` makes of `{ type: "kill", tick, killer, killerName,
 * victim, victimName }`, made without it: on a room's thread, once every few steps, JSON.stringify's cold
 * code cost some 40 µs a kill (docs/BENCHMARKS.md, "Replays"). The ids and most names need no escaping.
 */
export function killJson(tick: number, killer: string, killerName: string, victim: string, victimName: string): string {
  return `{"type":"kill","tick":${tick},"killer":${jsonString(killer)},"killerName":${jsonString(killerName)},"victim":${jsonString(victim)},"victimName":${jsonString(victimName)}}`;
}

/** `s` as a JSON string: quoted as it is when nothing in it needs escaping (JSON.stringify's output either way). */
function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Control characters, the quote, the backslash, and surrogates (a lone one is escaped): JSON.stringify's rules.
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

export class MatchRecorder {
  private tap: PatchTap | undefined;
  private handshake: string | undefined;
  private rec: Recording | undefined;
  /** A recording begins (or, with an id, goes on) at the next patch broadcast. */
  private pending: { readonly resume?: ReplayMeta } | undefined;
  /** The coming broadcast drops the state's changes unencoded (nobody connected). */
  private dropping = false;
  /**
   * The next broadcast must look at more than its patch (`dropping`, `pending`, a failed write, the size cap):
   * one flag read on the way of each patch instead of four, on memory the room's work has made cold.
   */
  private attention = false;
  /** The recording's open segment (`builder`), if any: a recording paused, or none, has none. */
  private open: SegmentBuilder | undefined;
  /** The tick at which the open segment's next keyframe is due. */
  private nextKeyTick = 0;
  /** The room's state (kept at `attach`: reached through the room, each patch went through two getters). */
  private state: ArenaState;
  private readonly stats: Replays["stats"];
  /** The people seated now: session id -> user id. */
  private readonly seats = new Map<string, string>();
  private keyBuffer: Uint8Array = new Uint8Array(16 * 1024);
  /** The open segment's bytes; one buffer for all of this room's segments (each is deflated as it closes). */
  private builder: SegmentBuilder | undefined;

  constructor(private readonly replays: Replays, private readonly room: RecordedRoom, private readonly log: Logger) {
    this.state = room.state;
    this.stats = replays.stats;
  }

  /** The recording in progress. */
  get id(): string | undefined {
    return this.rec?.meta.id ?? this.pending?.resume?.id;
  }

  /** Starts reading the room's patches from `tap` (call after each assignment of the room's state). */
  attach(tap: PatchTap): void {
    this.tap?.remove();
    this.tap = tap;
    this.state = this.room.state;
    this.handshake = hex(Reflection.encode(tap.encoder));
  }

  /** A person took a player's seat (a spectator is not one). */
  seat(sessionId: string, userId: string): void {
    this.seats.set(sessionId, userId);
    this.rec?.players.add(userId);
  }

  unseat(sessionId: string): void {
    this.seats.delete(sessionId);
  }

  /** A match started: its recording begins at the next patch broadcast (one in progress ends first). */
  matchStarted(): void {
    if (this.rec !== undefined) void this.finish("match_over");
    this.pending = {};
    this.attention = true;
  }

  /**
   * The match in room `roomId` was taken over from another process mid-match: its recording goes on here
   * from the next patch (a fresh keyframe), or, when there is none in progress, a new one begins.
   */
  async resume(roomId: string): Promise<void> {
    const store = this.replays.store;
    const id = await store.recordingOf(roomId).catch(() => undefined);
    const meta = id === undefined ? undefined : await store.get(id).catch(() => undefined);
    this.pending = meta?.state === "recording" && meta.roomId === roomId ? { resume: meta } : {};
    this.attention = true;
  }

  /** The step's events: kills, the match's start and end (the room calls it when `recordsAny` of them). */
  events(events: readonly GameEvent[]): void {
    const started = performance.now();
    const state = this.state;
    for (const e of events) {
      switch (e.type) {
        case "matchStart":
          this.matchStarted();
          this.event({ type: "matchStart", tick: e.tick, endsAt: e.endsAt });
          break;
        case "kill": {
          const killerName = state.players.get(e.killer)?.name ?? "";
          const victimName = state.players.get(e.victim)?.name ?? "";
          if (this.open !== undefined) this.open.addText(RecordKind.Event, state.tick, killJson(e.tick, e.killer, killerName, e.victim, victimName));
          else this.event({ type: "kill", tick: e.tick, killer: e.killer, killerName, victim: e.victim, victimName });
          break;
        }
        case "matchEnd":
          this.event({ type: "matchEnd", tick: state.tick, reason: e.reason, winner: e.winner, standings: e.standings });
          break;
        default:
          break;
      }
    }
    this.stats.cpuMs += performance.now() - started;
  }

  /** A chat line the room relayed to everyone in it. */
  chat(from: string, name: string, text: string): void {
    this.event({ type: "chat", tick: this.state.tick, from, name, text });
  }

  private event(e: ReplayEvent): void {
    // Before the first keyframe (the match's first step): kept for the segment it opens.
    if (this.pending !== undefined && this.rec === undefined) {
      this.early.push(e);
      return;
    }
    this.open?.addText(RecordKind.Event, this.state.tick, JSON.stringify(e));
  }

  private early: ReplayEvent[] = [];

  /**
   * Before a broadcast that drops the state's changes unencoded (colyseusInternals.ts `broadcastDropsChanges`:
   * nobody connected); rare, so the room asks only then.
   */
  changesDropped(): void {
    const started = performance.now();
    this.dropping = this.tap?.encoder.hasChanges ?? false;
    this.attention ||= this.dropping;
    this.stats.cpuMs += performance.now() - started;
  }

  /**
   * After a patch broadcast: its patch is recorded; a recording begins, pauses or stops, or a keyframe is
   * taken, when due. The way of most patches touches the recorder, the tap, the state's tick and the open
   * segment, and nothing else.
   */
  afterPatch(): void {
    const started = performance.now();
    const tap = this.tap;
    const open = this.open;
    const tick = this.state.tick;
    const patch = tap?.patch;
    if (patch !== undefined) {
      tap!.patch = undefined;
      open?.add(RecordKind.Patch, tick, patch, tap!.patchFrom);
    }
    if (this.attention || open === undefined || tick >= this.nextKeyTick) this.beyondPatch(tick);
    this.stats.cpuMs += performance.now() - started;
  }

  /** What a broadcast calls for beyond its patch: a recording begun, stopped or paused, a keyframe. */
  private beyondPatch(tick: number): void {
    if (this.tap === undefined) return;
    const dropped = this.dropping;
    this.dropping = false;
    this.attention = false;
    if (this.rec?.failed) this.stop();
    if (this.rec?.overCap) {
      this.log.warn("recording stopped at the size cap (REPLAY_MAX_KB)", { replay: this.rec.meta.id, bytes: this.rec.meta.bytes });
      void this.end("too_large");
    }
    if (this.pending !== undefined) this.begin();
    if (this.rec === undefined) return;
    if (dropped) {
      // Nobody connected: Colyseus dropped the changes unencoded. The recording pauses (its open segment is
      // whole up to the last patch) and goes on from a fresh keyframe once patches are sent again.
      if (this.open !== undefined) this.closeSegment();
    } else if (this.open === undefined) this.keyframe(SEGMENT_FRESH);
    else if (tick >= this.nextKeyTick) this.keyframe(0);
  }

  private get keyframeTicks(): number {
    return KEYFRAME_INTERVAL_S * this.room.tickRate;
  }

  /** Opens the pending recording: a new one (its header written), or one taken over. */
  private begin(): void {
    const pending = this.pending!;
    this.pending = undefined;
    const early = this.early;
    this.early = [];
    if (!this.replays.admit()) {
      this.log.warn("match not recorded: this process records as many matches as it may (REPLAY_MAX_ACTIVE)", { max: this.replays.settings.maxActive });
      return;
    }
    const room = this.room;
    const now = Date.now();
    const tick = room.state.tick;
    const players = new Set([...(pending.resume?.players ?? []), ...this.seats.values()]);
    if (pending.resume !== undefined) {
      this.rec = { meta: { ...pending.resume, updatedAt: now }, players, flags: SEGMENT_FRESH, hash: new Uint8Array(0), writes: Promise.resolve(), failed: false, queued: 0, overCap: false };
      this.log.info("recording goes on", { replay: pending.resume.id, segments: pending.resume.segments });
    } else {
      const id = randomBytes(16).toString("base64url");
      const header: ReplayHeader = {
        format: REPLAY_FORMAT, id, roomId: room.roomId, mode: room.mode, private: room.private, startedAt: now,
        tickRate: room.tickRate, patchRate: room.patchRate, keyframeTicks: this.keyframeTicks, map: room.map,
        ...(room.mapRef !== undefined ? { mapRef: room.mapRef } : {}), handshake: this.handshake!,
      };
      const head = concat(fileStart(), encodeJsonChunk(ChunkKind.Header, header, nodeSha256));
      const meta: ReplayMeta = {
        id, roomId: room.roomId, mode: room.mode, private: room.private, ...(room.mapRef !== undefined ? { map: room.mapRef } : {}),
        startedAt: now, tickRate: room.tickRate, state: "recording", updatedAt: now, segments: 0, firstTick: tick, lastTick: tick,
        bytes: head.length, players: [...players], standings: standings(room.state),
      };
      this.rec = { meta, players, flags: SEGMENT_FRESH, hash: new Uint8Array(0), writes: Promise.resolve(), failed: false, queued: 0, overCap: false };
      this.write((store) => store.begin(meta, head));
      this.replays.stats.started++;
    }
    this.open = undefined; // (none is: a recording in progress ends before another begins)
    const open = this.keyframe(SEGMENT_FRESH);
    for (const e of early) open.addText(RecordKind.Event, tick, JSON.stringify(e));
  }

  /** Closes the open segment (if any) and opens the next one on a keyframe of the state as it is now; returns it. */
  private keyframe(flags: number): SegmentBuilder {
    const rec = this.rec!;
    if (this.open !== undefined) this.closeSegment();
    const encoded = this.tap!.encoder.encodeAll({ offset: 0 }, this.keyBuffer);
    if (encoded.buffer !== this.keyBuffer.buffer) this.keyBuffer = new Uint8Array(encoded.buffer); // it grew
    const tick = this.state.tick;
    if (this.builder === undefined) this.builder = new SegmentBuilder(tick, encoded, 32 * 1024);
    else this.builder.restart(tick, encoded);
    this.open = this.builder;
    this.nextKeyTick = tick + this.keyframeTicks;
    rec.flags = flags;
    rec.hash = stateHash(this.state, nodeSha256);
    return this.builder;
  }

  /**
   * Closes the open segment: deflated and framed here, then stored in order after the recording's earlier
   * writes, with a meta counting exactly what is stored. Deflating on the room's thread (level 1: 0.1-0.3 ms
   * every 5 s at 16 players) costs this thread less than node:zlib's asynchronous deflate did just to set up
   * its stream for the thread pool, which took 1.5-4x the CPU in all (docs/BENCHMARKS.md, "Replays"); and the
   * segment's buffer is free again for the next one.
   */
  private closeSegment(): void {
    const rec = this.rec!;
    const seg = this.open!;
    this.open = undefined;
    const head = { keyTick: seg.keyTick, lastTick: seg.lastTick, flags: rec.flags, stateHash: rec.hash };
    const chunk = encodeChunk(ChunkKind.Segment, encodeSegmentBody(head, seg.bytes(), (raw) => deflateRawSync(raw, { level: DEFLATE_LEVEL })), nodeSha256);
    // The standings are for the lists (and an interrupted recording's end): every STANDINGS_EVERY segments is enough.
    if ((rec.queued + 1) % STANDINGS_EVERY === 0) rec.meta = { ...rec.meta, standings: standings(this.room.state) };
    rec.queued++;
    this.write(async (store) => {
      const started = performance.now();
      rec.meta = {
        ...rec.meta, segments: rec.meta.segments + 1, lastTick: head.lastTick, bytes: rec.meta.bytes + chunk.length, updatedAt: Date.now(), players: [...rec.players],
      };
      const meta = rec.meta;
      this.stats.bytes += chunk.length;
      this.stats.cpuMs += performance.now() - started;
      await store.append(meta, chunk);
      if (meta.bytes >= this.replays.settings.maxBytes) {
        rec.overCap = true;
        this.attention = true;
      }
    });
  }

  /**
   * The match is over (or the room closes): the open segment and the end chunk are written; resolves
   * once they are stored, or after `withinMs` at most (a room closing does not wait on a store that hangs).
   */
  finish(reason: ReplayEndReason, withinMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.pending = undefined;
    this.early = [];
    if (this.rec === undefined) return Promise.resolve();
    const started = performance.now();
    if (this.open !== undefined) this.closeSegment();
    const written = this.end(reason);
    this.stats.cpuMs += performance.now() - started;
    if (!Number.isFinite(withinMs)) return written;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([written, new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]).finally(() => clearTimeout(timer));
  }

  /** Ends the recording: its end chunk is written after everything before it, counting what was stored. */
  private end(reason: ReplayEndReason): Promise<void> {
    const rec = this.rec!;
    this.rec = undefined;
    this.open = undefined;
    this.replays.release();
    // A room closing after everyone left has nobody in its state: the last standings recorded stand.
    const last = standings(this.room.state);
    if (last.length > 0) rec.meta = { ...rec.meta, standings: last };
    this.write(async (store) => {
      const endedAt = Date.now();
      const end: ReplayEnd = { segments: rec.meta.segments, endTick: rec.meta.lastTick, endedAt, reason, standings: rec.meta.standings };
      const chunk = encodeJsonChunk(ChunkKind.End, end, nodeSha256);
      const meta: ReplayMeta = { ...rec.meta, state: "ended", reason, endedAt, updatedAt: endedAt, bytes: rec.meta.bytes + chunk.length, players: [...rec.players] };
      rec.meta = meta;
      await store.finish(meta, chunk);
      this.replays.stats.finished++;
      this.log.info("match recorded", { replay: meta.id, reason, segments: meta.segments, bytes: meta.bytes, seconds: (meta.lastTick - meta.firstTick) / meta.tickRate });
      this.replays.recorded(meta);
    }, rec);
    return rec.writes;
  }

  /**
   * The match is handed to another process: the open segment is written (resolves once stored), and the
   * recording stops here without an end; the taker goes on with it. If the handover fails, the next patch
   * here goes on with a fresh keyframe.
   */
  flush(): Promise<void> {
    const rec = this.rec;
    if (rec === undefined) return Promise.resolve();
    const started = performance.now();
    if (this.open !== undefined) this.closeSegment();
    this.stats.cpuMs += performance.now() - started;
    return rec.writes;
  }

  /** Another process holds the match now: nothing more is written here (the recording is the taker's). */
  abandon(): void {
    this.pending = undefined;
    this.stop();
  }

  private stop(): void {
    if (this.rec === undefined) return;
    this.rec = undefined;
    this.open = undefined;
    this.replays.release();
  }

  /** Chains a store write after the recording's previous ones; a failure stops the recording. */
  private write(op: (store: Replays["store"]) => Promise<void>, rec = this.rec!): void {
    rec.writes = rec.writes.then(() => (rec.failed ? undefined : op(this.replays.store))).catch((error: unknown) => {
      if (!rec.failed) this.log.error("replay write failed, the recording stops", { replay: rec.meta.id, error });
      rec.failed = true;
      this.attention = true;
      this.replays.stats.failed++;
    });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
