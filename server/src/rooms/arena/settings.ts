/** What the process gives every arena room, and what the room keeps per connected client. */
import type { Client } from "@colyseus/core";
import type { IceServer, MatchSettings } from "@arena/shared";
import type { GuestIdentity } from "../../auth.ts";
import type { Leaderboard } from "../../leaderboard/Leaderboard.ts";
import type { Logger } from "../../log.ts";
import type { Metrics } from "../../metrics.ts";
import type { People } from "../../people/People.ts";
import type { RatingStore } from "../../people/Ratings.ts";
import type { TokenBucket } from "../../limits/TokenBucket.ts";
import type { BotBudget } from "./botBudget.ts";
import type { MatchKeeping } from "./keeper.ts";
import type { PublishedMaps } from "./publishedMap.ts";
import type { Replays } from "../../replay/Replays.ts";

/** Settings the process gives every arena room (never taken from client options). */
export interface ArenaSettings {
  readonly tickRate: number;
  readonly patchRate: number;
  readonly maxPlayers: number;
  /** Public rooms are topped up with bots to this many players while fewer people are present; 0 (default): none. */
  readonly botFill?: number;
  /** The process's cap on bots across its rooms; none in unit setups. */
  readonly botBudget?: BotBudget;
  readonly authSecret: Uint8Array;
  readonly log: Logger;
  /** Process metrics; rooms report steps, joins, reconnections and protocol errors. */
  readonly metrics?: Metrics;
  /** Rewind other players to what the shooter saw (on by default; off only to measure its effect). */
  readonly lagCompensation: boolean;
  /** Match length, kill limit and phase durations; the shared constants by default. */
  readonly match?: Partial<MatchSettings>;
  /** Seconds a dropped player's seat is held; RECONNECT_GRACE_S by default. */
  readonly reconnectGraceSeconds?: number;
  /** Where kills and match wins are credited; none in unit setups. */
  readonly leaderboard?: Leaderboard;
  /** People's ratings (people/Ratings.ts): quick-play bots follow them; none in unit setups (bots keep their plan's difficulty). */
  readonly ratings?: RatingStore;
  /** Source of candidate invite codes; random by default (tests force collisions with it). */
  readonly randomRoomCode?: () => string;
  /** Who is online and their notifications; none in unit setups. */
  readonly people?: People;
  /** STUN/TURN servers sent to players for voice (ICE_SERVERS); none by default. */
  readonly iceServers?: readonly IceServer[];
  /** Published editor maps, for rooms created with a `map` option; none in unit setups (such rooms are refused). */
  readonly maps?: PublishedMaps;
  /** Checkpoints, leases and takeovers of matches (with REDIS_URL); none in one process without Redis. */
  readonly keeping?: MatchKeeping;
  /** Seconds a room on a published map waits for its first player (MAP_ROOM_WAIT_S); DEFAULT_MAP_ROOM_WAIT_S by default. */
  readonly mapRoomWaitSeconds?: number;
  /** Match recordings (replay/Replays.ts); none when REPLAY_KEEP is 0, or in unit setups. */
  readonly replays?: Replays;
  /** Players are told to send inputs two to a frame (INPUT_PAIRS, on unless set off); off when not given (unit setups). */
  readonly inputPairs?: boolean;
}

export interface SessionData {
  chat: TokenBucket;
  typing: boolean;
  /**
   * Set when the server closes this connection on purpose (protocol error,
   * or the same user took a seat in this room again): no seat is held for it.
   */
  kicked: boolean;
  /** Watching only: no Player, no inputs, no chat. */
  spectator: boolean;
}

export type ArenaClient = Client<{ userData: SessionData; auth: GuestIdentity }>;
