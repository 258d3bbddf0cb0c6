/**
 * Why a sign-in or a join failed, in words a player understands. Colyseus'
 * matchmaking refusals carry the SDK's `ErrorCode`s; a connection that closes
 * while joining carries a `CloseCode` (or one of ours); our own HTTP routes
 * answer `{ error, message }` with the names in `CodeJoinErrors`/`HttpErrors`.
 */
import { ErrorCode, MatchMakeError, ServerError } from "@colyseus/sdk";
import { CodeJoinErrors, HttpErrors, JoinErrorCodes } from "@arena/shared";
import { describeClose } from "../ui/flow.ts";

/** A refusal from one of our HTTP routes (sign-in, code join, spectate), with its machine-readable name. */
export class HttpRefused extends Error {
  override name = "HttpRefused";
  constructor(readonly status: number, readonly error: string, message: string, readonly retryAfterS?: number) {
    super(message);
  }
}

/** Seconds from a Retry-After header (seconds form only), or undefined. */
export function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

const waitHint = (s: number | undefined): string => (s === undefined ? "wait a moment" : `wait ${s} s`);

/** A sentence for a refusal of our HTTP routes. */
function describeRefusal(e: HttpRefused): string {
  switch (e.error) {
    case HttpErrors.RATE_LIMITED: return `Too many attempts from your network; ${waitHint(e.retryAfterS)} and try again.`;
    case HttpErrors.BUSY: return "The server is busy; try again in a moment.";
    case CodeJoinErrors.UNKNOWN_CODE: return "No room has that code; its match may have ended.";
    case CodeJoinErrors.ROOM_FULL: return "That room is full; you can watch it as a spectator.";
    case CodeJoinErrors.ROOM_LOCKED: return "That match is ending; try again in a few seconds.";
    case CodeJoinErrors.INVALID_REQUEST: return "That is not a room code: codes are 6 letters and digits.";
    case CodeJoinErrors.AUTH_FAILED: return "Your sign-in has expired; reload the page to sign in again.";
    case CodeJoinErrors.UNAVAILABLE: return "The server is restarting; try again in a moment.";
    default: return `The server refused: ${e.message}.`;
  }
}

/** A sentence for a matchmaking error code (or an HTTP status Colyseus' route answered with). */
function describeMatchmaking(code: number, message: string): string | undefined {
  switch (code) {
    case ErrorCode.AUTH_FAILED: return "Your sign-in was refused or has expired; reload the page to sign in again.";
    case ErrorCode.MATCHMAKE_INVALID_ROOM_ID:
      // Colyseus uses one code for a room that is gone and one that is locked (full, or its match ending).
      return /is locked/.test(message)
        ? "That room is not taking players right now (it is full or its match is ending); try again or watch it."
        : "That room does not exist any more.";
    case ErrorCode.MATCHMAKE_INVALID_CRITERIA: {
      // Our rooms name the option they refuse (e.g. a practice room's bot count): say which.
      const refused = /^invalid options: (.+)$/.exec(message)?.[1];
      return refused !== undefined
        ? `The server refused these room settings: ${refused}.`
        : "The server did not accept this join request; reload the page and try again.";
    }
    case ErrorCode.MATCHMAKE_EXPIRED: return "Your seat was held too long and expired; try again.";
    case ErrorCode.MATCHMAKE_NO_HANDLER: return "This server does not offer that game; reload the page.";
    case ErrorCode.MATCHMAKE_UNHANDLED: return "The server could not place you in a room; try again.";
    // Our rooms raise it only when a private room finds no free invite code (JoinErrorCodes.NO_FREE_CODE).
    case JoinErrorCodes.TOO_MANY_BOTS: return "The server runs as many bots as it may right now; try fewer bots, or again later.";
    case JoinErrorCodes.UNKNOWN_MAP: return `That map cannot be played: ${message}.`;
    case JoinErrorCodes.NO_FREE_CODE: return "No private room could be opened right now (no free invite code); try again in a moment.";
    case ErrorCode.INVALID_PAYLOAD: return "The server could not read the join request; reload the page.";
    case 429: return `Too many attempts from your network; ${message.match(/try again in \d+ s/)?.[0] ?? "wait a moment and try again"}.`;
    case 503: return "The server is restarting; try again in a moment.";
    default: return undefined;
  }
}

/** A readable sentence for anything `signIn` or `joinRoom` threw. */
export function describeJoinError(e: unknown): string {
  if (e instanceof HttpRefused) return describeRefusal(e);
  if (e instanceof MatchMakeError || e instanceof ServerError) {
    const code = e.code as number | string | undefined;
    // Network failures come through with a string code (ECONNREFUSED) or none.
    if (typeof code !== "number") return "Cannot reach the game server; check your connection and try again.";
    const known = describeMatchmaking(code, e.message);
    if (known !== undefined) return known;
    // A connection closed during the join: a close code, ours or the SDK's.
    if (code >= 1000 && code < 5000) return describeClose(code, e.message);
    return `Could not join (${code}): ${e.message}.`;
  }
  if (e instanceof TypeError) return "Cannot reach the game server; check your connection and try again.";
  const message = (e as { message?: unknown } | undefined)?.message;
  return typeof message === "string" && message ? `Could not join: ${message}.` : "Could not join the room.";
}
