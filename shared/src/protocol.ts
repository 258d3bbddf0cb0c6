/** Message names, payloads and error codes shared by the server and its clients. See docs/PROTOCOL.md. */
import type { MatchEndReason, Standing } from "./events.ts";

/** Room names a client can join. */
export const ROOM_ARENA = "arena";

/** Messages a client may send (besides inputs, which use `room.input()`). */
export const ClientMessage = {
  Chat: "chat",
  Typing: "typing",
} as const;

/** Messages the server sends. */
export const ServerMessage = {
  Chat: "chat",
  Typing: "typing",
  Kill: "kill",
  Hit: "hit",
  MatchStart: "matchStart",
  Results: "results",
  Notice: "notice",
} as const;

export interface ChatIn {
  text: string;
}

export interface TypingIn {
  typing: boolean;
}

export interface ChatOut {
  from: string;
  name: string;
  text: string;
  /** Server time of the message, ms since the epoch. */
  at: number;
}

export interface TypingOut {
  from: string;
  typing: boolean;
}

export interface KillOut {
  killer: string;
  killerName: string;
  victim: string;
  victimName: string;
  tick: number;
}

export interface HitOut {
  shooter: string;
  target: string;
  /** Id of the projectile that hit (its key in `state.projectiles`). */
  projectile: string;
  damage: number;
  x: number;
  y: number;
}

export interface MatchStartOut {
  tick: number;
  endsAt: number;
}

export interface ResultsOut {
  reason: MatchEndReason;
  winner: string;
  standings: Standing[];
  /** Tick at which the next warm-up begins. */
  nextAt: number;
}

/** A recoverable problem reported to one client (the connection stays open). */
export interface NoticeOut {
  code: NoticeCode;
  message: string;
}

export type NoticeCode = "chat_rate_limited" | "chat_empty";

/** Options a client passes when joining an arena room. */
export interface JoinOptions {
  /** Optional display name; the token's name is used when absent. */
  name?: string;
}

/**
 * WebSocket close codes the server uses. 4000-4010 are Colyseus' own
 * (4000 consented leave, 4001 server shutdown, 4002 error, e.g. a message flood).
 */
export const CloseCodes = {
  /** A message failed validation or had an unknown type. */
  PROTOCOL_ERROR: 4400,
} as const;

/** Matchmaking error codes (HTTP-level join refusals), as Colyseus reports them. */
export const JoinErrorCodes = {
  /** Missing, forged or expired token. */
  AUTH_FAILED: 525,
} as const;
