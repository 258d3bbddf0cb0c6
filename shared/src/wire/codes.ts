/** Our own close and error codes (Colyseus' own come from the SDK and core). See docs/PROTOCOL.md. */

/**
 * WebSocket close codes the server uses. 4000-4010 are Colyseus' own
 * (4000 consented leave, 4001 server shutdown, 4002 error, e.g. a message flood).
 */
export const CloseCodes = {
  /** A message failed validation or had an unknown type. */
  PROTOCOL_ERROR: 4400,
  /** The same user took a seat in this room from another connection (one seat per user per room); no reconnection. */
  SIGNED_IN_ELSEWHERE: 4409,
} as const;

/** Matchmaking error codes (HTTP-level join refusals), as Colyseus reports them. */
export const JoinErrorCodes = {
  /** Missing, forged or expired token. */
  AUTH_FAILED: 525,
  /** Join or create options of the wrong shape (Colyseus' MATCHMAKE_INVALID_CRITERIA). */
  INVALID_OPTIONS: 521,
  /** Creating a private room found no free invite code (Colyseus' APPLICATION_ERROR); trying again may work. */
  NO_FREE_CODE: 526,
  /** Creating a practice room would pass the process's bot cap (BOT_MAX); fewer bots, or later, may work. */
  TOO_MANY_BOTS: 527,
  /** Creating a room on a published map that does not exist (or cannot be read right now). */
  UNKNOWN_MAP: 528,
  /** Creating an editor map past the person's quota (EDITOR_MAPS_PER_PERSON); publish or wait for a draft to expire. */
  TOO_MANY_MAPS: 529,
} as const;

/** Error strings of the code-join endpoint (JSON `{ error, message }`, with the HTTP status). */
export const CodeJoinErrors = {
  /** 400: body or code malformed. */
  INVALID_REQUEST: "invalid_request",
  /** 401: missing or bad token. */
  AUTH_FAILED: "auth_failed",
  /** 404: no room has this code (never existed, or ended). */
  UNKNOWN_CODE: "unknown_code",
  /** 409: every player seat is taken (spectating may still work). */
  ROOM_FULL: "room_full",
  /** 423: the room's match is ending; try again in a few seconds. */
  ROOM_LOCKED: "room_locked",
  /** 503: the process is shutting down. */
  UNAVAILABLE: "unavailable",
} as const;

/** Error strings any HTTP route may answer with besides its own (JSON `{ error, message }`). */
export const HttpErrors = {
  /** 429 with Retry-After: too many requests (or open leaderboard streams) from this address. */
  RATE_LIMITED: "rate_limited",
  /** 503 with Retry-After: this process has no room for another leaderboard stream. */
  BUSY: "busy",
  /** 503 with Retry-After: a store this route reads is unreachable (Redis down); nothing was changed. */
  UNAVAILABLE: "unavailable",
} as const;
