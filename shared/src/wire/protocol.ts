/** Message names, payloads and error codes shared by the server and its clients. See docs/PROTOCOL.md. */

/** Room names a client can join. */
export const ROOM_ARENA = "arena";
/** The lobby: realtime room listing, online count and leaderboard. */
export const ROOM_LOBBY = "lobby";

/** Game modes; quick play matches players of the same mode. */
export const GAME_MODES = ["ffa"] as const;
export type GameMode = (typeof GAME_MODES)[number];
export const DEFAULT_MODE: GameMode = "ffa";

/** Messages a client may send (besides inputs, which use `room.input()`). */
export const ClientMessage = {
  Chat: "chat",
  Typing: "typing",
  /** Turns this player's voice on or off (see docs/PROTOCOL.md, voice). */
  Voice: "voice",
  /** A WebRTC offer, answer or ICE candidate for one voice peer, relayed by the room. */
  Signal: "signal",
  /** Answer to the server's round-trip probe, echoing its `n` at once. */
  Pong: "pong",
  /** On the results screen: this player wants the next match with this room's group (no payload; see NextRoomOut). */
  PlayAgain: "playAgain",
} as const;

/** Messages the server sends. */
export const ServerMessage = {
  Chat: "chat",
  /**
   * The room's last chat lines (at most CHAT_TAIL_LINES, oldest first), to each client on join and when back in a
   * seat restored on another process; not sent while the room has none. A client shows them in place of its log.
   */
  ChatTail: "chatTail",
  Typing: "typing",
  MatchStart: "matchStart",
  Results: "results",
  Notice: "notice",
  /** The STUN/TURN servers to use for voice; sent to each player on join. */
  VoiceConfig: "voiceConfig",
  /** This player's current voice peers; sent whenever they change. */
  VoicePeers: "voicePeers",
  Signal: "signal",
  /**
   * The server's round-trip probe (about once a second). The leading "__"
   * makes SDK clients that do not answer it ignore it quietly.
   */
  Ping: "__rtt",
  /** This player's rating before and after the match just ended (to that player only; see RatingOut). */
  Rating: "rating",
  /** Where this room's group plays its next match (to each player who sent PlayAgain). */
  NextRoom: "nextRoom",
} as const;

/** The server's round-trip probe, echoed back unchanged as `ClientMessage.Pong`. */
export interface PingOut {
  /** Unpredictable 31-bit integer: a pong cannot be sent before its ping arrived. */
  n: number;
}

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

export interface ChatTailOut {
  lines: ChatOut[];
}

export interface TypingOut {
  from: string;
  typing: boolean;
}

export interface MatchStartOut {
  tick: number;
  endsAt: number;
}

/** One player's line in the results. */
export interface Standing {
  sessionId: string;
  name: string;
  kills: number;
  deaths: number;
  damage: number;
  /** Most kills in a row without dying, this match (filled by the server at the end). */
  bestStreak?: number;
  /** Most damage dealt within one life, this match (filled by the server at the end). */
  bestLife?: number;
}

/** A player's rating (0..100, the bots' level scale ×100: 25 easy, 60 normal, 100 hard) before and after a match. */
export interface RatingOut {
  before: number;
  after: number;
  /** Rated matches so far, this one included. */
  matches: number;
}

/**
 * The next room of this room's group: every player who pressed Play again is sent the same `roomId` (a room id
 * to join by id, or a private room's code), created on the first press with this room's kind (public, private
 * or practice, the same map and bots).
 */
export interface NextRoomOut {
  roomId: string;
}

/** Why a match ended: the kill limit, the time limit, or too few players left. */
export type MatchEndReason = "kills" | "time" | "players";

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

/**
 * `spectator_read_only`: a spectator tried to chat or to turn voice on (spectators' typing and inputs are
 * ignored silently). `voice_not_peer`: a signal named someone who is not (or no longer) a voice peer of the
 * sender, or an old link; it was dropped. `voice_rate_limited`: signals beyond the rate limit were dropped.
 * `play_again_unavailable`: Play again was sent outside the results, or the next room could not be opened.
 */
export type NoticeCode =
  | "chat_rate_limited" | "chat_empty" | "server_shutdown" | "spectator_read_only"
  | "voice_not_peer" | "voice_rate_limited" | "play_again_unavailable";

/** Longest SDP a client may send (characters); an audio-only Chromium offer is ~3 000. */
export const VOICE_SDP_MAX = 8000;
/** Longest ICE candidate line a client may send (characters). */
export const VOICE_CANDIDATE_MAX = 512;
/** Signaling messages (and voice toggles) a player may send per {@link VOICE_SIGNAL_WINDOW_S}, over all its peers. */
export const VOICE_SIGNAL_BURST = 60;
/** Window of the signaling rate limit, seconds. */
export const VOICE_SIGNAL_WINDOW_S = 10;

export interface VoiceIn {
  on: boolean;
}

/** One STUN or TURN server, as `RTCIceServer` takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface VoiceConfigOut {
  iceServers: IceServer[];
}

/**
 * A voice peer and the number of the link to it. A link that closes and opens
 * again gets a new number, so signals of an old connection never reach a new one.
 */
export interface VoicePeer {
  id: string;
  link: number;
}

export interface VoicePeersOut {
  peers: VoicePeer[];
}

/** An SDP offer or answer (`RTCSessionDescriptionInit`). */
export interface SessionDescriptionWire {
  type: "offer" | "answer";
  sdp: string;
}

/** A trickled ICE candidate (`RTCIceCandidateInit`). */
export interface IceCandidateWire {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** What a signal carries: a description or a candidate, never both. */
export type SignalBody = { description: SessionDescriptionWire; candidate?: undefined } | { candidate: IceCandidateWire; description?: undefined };

/** Client → server: for the voice peer `to`, on link `link`. */
export type SignalIn = { to: string; link: number } & SignalBody;

/** Server → client: from the voice peer `from`, on link `link`. */
export type SignalOut = { from: string; link: number } & SignalBody;

/** Options a client passes when joining an arena room. */
export interface JoinOptions {
  /** Optional display name; the token's name is used when absent. */
  name?: string;
  /** Game mode for quick play and room creation (DEFAULT_MODE when absent). */
  mode?: GameMode;
  /** With `create`: a private room, unlisted, joinable only by its code. */
  private?: boolean;
  /** With `create`: a practice room (private) with this many server-side bots, 1 to PRACTICE_MAX_BOTS. */
  bots?: number;
  /** With `bots`: how well they play, one of BOT_DIFFICULTIES ("normal" when absent); the server refuses others. */
  difficulty?: string;
  /** With `create`: a private room on this published editor map version (`GET /api/maps/:id/:version`). */
  map?: MapRef;
}

/** A published editor map version: what a room plays on when it is not on the built-in map. */
export interface MapRef {
  /** The editor map's id (8-64 letters, digits, - or _). */
  id: string;
  /** Its published version, from 1. */
  version: number;
}

/** What a map id may be (the editor makes `m` + 32 hex digits); it also names files, so nothing else. */
export const MAP_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** Highest published version number a request may name. */
export const MAP_VERSION_MAX = 1_000_000;

/** Every bot's session id starts with this; a person's (Colyseus: 9 characters of A-Za-z0-9_-) never has a ':'. */
export const BOT_ID_PREFIX = "bot:";

/** Whether a session id (in the state, a kill feed or the standings) is a bot's. */
export function isBotId(sessionId: string): boolean {
  return sessionId.startsWith(BOT_ID_PREFIX);
}

/** Most bots a practice room may be created with (one seat left for its creator). */
export const PRACTICE_MAX_BOTS = 15;

/** What the room listing (matchmaking and lobby) shows about an arena room. */
export interface ArenaRoomMetadata {
  mode: GameMode;
  phase: "warmup" | "playing" | "results";
  /** People with a player seat (quick play sorts on it). */
  players: number;
  spectators: number;
  /** Server-side bots playing (not counted in `players`, which counts people). */
  bots: number;
  /** Invite code; only on private rooms (whose roomId is the code). */
  code?: string;
  /** The published map the room plays; absent on the built-in map. */
  map?: MapRef;
  /**
   * The live score (server/src/rooms/arena/liveScore.ts, at most once a second): the top scorer's name
   * and kills while a match is played or its results show; absent before anyone has a kill.
   */
  leader?: string;
  leaderKills?: number;
  /** Whether the top scorer is a bot. */
  leaderBot?: boolean;
  /** When the match being played ends at the latest (Unix ms, the server's clock); absent outside "playing". */
  endsAt?: number;
}

/** Body of POST /api/matchmake/code (join a private room by code, or watch any room). */
export interface CodeJoinRequest {
  code: string;
  name?: string;
  /** Watch without a player seat. */
  spectate?: boolean;
}

/** Messages the lobby room sends (besides LobbyRoom's own "rooms", "+" and "-"). */
export const LobbyMessage = {
  Online: "online",
  Leaderboard: "leaderboard",
} as const;

export interface OnlineOut {
  /** Clients connected to all processes (people only: bots are not clients). */
  players: number;
  /** Server-side bots playing in rooms on all processes. */
  bots: number;
  /** Processes alive. */
  processes: number;
}

export interface LeaderboardEntry {
  rank: number;
  userId: string;
  name: string;
  /** Set when another entry of the same board shows the same name: a short, stable tag from the user id. */
  tag?: string;
  score: number;
}

export interface LeaderboardSnapshot {
  /** Increases with every write; the SSE event id. */
  version: number;
  /** UTC day of the daily board, YYYY-MM-DD. */
  day: string;
  allTime: LeaderboardEntry[];
  daily: LeaderboardEntry[];
}
