/**
 * What the server keeps beside each recording: who played (for access and "my replays"), where it stands
 * (recording or ended), and what the lists show. Never served as it is: the list routes answer a
 * ReplaySummary, without the players' user ids.
 */
import { z } from "zod";
import { GAME_MODES } from "@arena/shared";
import type { ReplayEndReason, ReplaySummary } from "@arena/shared/replay";
import { MapRefSchema } from "../rooms/arena/messages.ts";

/** 128 random bits as base64url (shared/src/replay/format.ts, ReplayHeader.id). */
export const REPLAY_ID = /^[A-Za-z0-9_-]{22}$/;

const StandingSchema = z.object({
  sessionId: z.string().max(64), name: z.string().max(64),
  kills: z.number().int().min(0), deaths: z.number().int().min(0), damage: z.number().min(0),
  bestStreak: z.number().int().min(0).optional(), bestLife: z.number().min(0).optional(),
}).strip();

const END_REASONS = ["match_over", "room_closed", "interrupted", "too_large"] as const satisfies readonly ReplayEndReason[];

export const ReplayMetaSchema = z.object({
  id: z.string().regex(REPLAY_ID),
  roomId: z.string().min(1).max(64),
  mode: z.enum(GAME_MODES),
  private: z.boolean(),
  map: MapRefSchema.optional(),
  startedAt: z.number().int().min(0),
  tickRate: z.number().int().min(1),
  /** "recording" until the end chunk is written. */
  state: z.enum(["recording", "ended"]),
  /** Unix ms of the last write (a recording nobody writes to any more was interrupted). */
  updatedAt: z.number().int().min(0),
  endedAt: z.number().int().min(0).optional(),
  reason: z.enum(END_REASONS).optional(),
  /** Segment chunks written so far. */
  segments: z.number().int().min(0),
  firstTick: z.number().int().min(0),
  lastTick: z.number().int().min(0),
  /** Bytes written so far (the file's length once ended). */
  bytes: z.number().int().min(0),
  /** User ids of the people who played in it (not bots, not spectators). */
  players: z.array(z.string().max(64)).max(1024),
  /** The last standings recorded. */
  standings: z.array(StandingSchema).max(64),
}).strict();

export type ReplayMeta = z.infer<typeof ReplayMetaSchema>;

/** A meta read back from storage; undefined when it does not check out (it is then treated as missing). */
export function parseMeta(text: string): ReplayMeta | undefined {
  try {
    const parsed = ReplayMetaSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** What the list routes show of an ended replay. */
export function summaryOf(meta: ReplayMeta): ReplaySummary {
  return {
    id: meta.id, roomId: meta.roomId, mode: meta.mode, private: meta.private,
    startedAt: meta.startedAt, endedAt: meta.endedAt ?? meta.updatedAt,
    seconds: Math.round(((meta.lastTick - meta.firstTick) / meta.tickRate) * 10) / 10,
    reason: meta.reason ?? "interrupted", bytes: meta.bytes,
    ...(meta.map !== undefined ? { map: meta.map } : {}),
    standings: meta.standings,
  };
}
