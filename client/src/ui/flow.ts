/**
 * The player's path through the app as a pure state machine:
 * name → lobby → connecting → game ⇄ results, with reconnecting and error
 * states. The DOM layer renders a FlowState; it never decides transitions.
 */
import { CloseCode } from "@colyseus/sdk";
import { CloseCodes } from "@arena/shared";

/** WebSocket close code 1009 (RFC 6455): the server's frame size limit. */
const WS_MESSAGE_TOO_BIG = 1009;

export type Screen = "name" | "lobby" | "connecting" | "game" | "results" | "error";

/**
 * What the player asked to join: quick play, a code or room id (invite link or
 * typed), a room from the lobby list, a new private room, a practice room
 * against bots, or a room to watch.
 */
export type JoinRequest =
  | { kind: "quick" }
  | { kind: "code"; code: string }
  | { kind: "create" }
  /** "Play vs bots": a private room with this many bots of this difficulty (checked by the server). */
  | { kind: "practice"; bots: number; difficulty: string }
  | { kind: "spectate"; roomId: string };

export interface FlowState {
  readonly screen: Screen;
  readonly name: string;
  /** True while the SDK is reconnecting a dropped socket (the game stays on screen). */
  readonly reconnecting: boolean;
  /** What the player asked to join, while connecting. */
  readonly joining: JoinRequest | undefined;
  /** Why the last attempt failed or the server dropped the player. */
  readonly message: string;
}

export type FlowEvent =
  | { type: "submitName"; name: string }
  | { type: "join"; request: JoinRequest }
  | { type: "joined" }
  | { type: "refused"; message: string }
  | { type: "matchEnded" }
  | { type: "matchStarted" }
  | { type: "dropped" }
  | { type: "reconnected" }
  | { type: "lost"; message: string }
  | { type: "leave" }
  /** Play again: the room named its group's next room (a room id or a private room's code). */
  | { type: "playAgain"; roomId: string }
  | { type: "dismiss" };

/** The first screen for the URL parameters: a name and ?quick or ?join go straight to connecting. */
export function initialFlow(params: { name: string; quick: boolean; join: string }): FlowState {
  const name = params.name.trim();
  const base: FlowState = { screen: name ? "lobby" : "name", name, reconnecting: false, joining: undefined, message: "" };
  if (!name) return base;
  if (params.join) return { ...base, screen: "connecting", joining: { kind: "code", code: params.join } };
  if (params.quick) return { ...base, screen: "connecting", joining: { kind: "quick" } };
  return base;
}

/** The next state; events that make no sense on the current screen leave it unchanged. */
export function reduce(state: FlowState, event: FlowEvent): FlowState {
  switch (event.type) {
    case "submitName": {
      const name = event.name.trim();
      if (!name || (state.screen !== "name" && state.screen !== "lobby")) return state;
      return { ...state, name, screen: "lobby", message: "" };
    }
    case "join":
      if (state.screen !== "lobby" || !state.name) return state;
      return { ...state, screen: "connecting", joining: event.request, message: "" };
    case "joined":
      return state.screen === "connecting" ? { ...state, screen: "game", joining: undefined } : state;
    case "refused":
      return state.screen === "connecting" ? { ...state, screen: "error", joining: undefined, message: event.message } : state;
    case "matchEnded":
      return state.screen === "game" ? { ...state, screen: "results" } : state;
    case "matchStarted":
      return state.screen === "results" ? { ...state, screen: "game" } : state;
    case "dropped":
      return state.screen === "game" || state.screen === "results" ? { ...state, reconnecting: true } : state;
    case "reconnected":
      return { ...state, reconnecting: false };
    case "lost":
      if (state.screen !== "game" && state.screen !== "results") return state;
      return { ...state, screen: "error", reconnecting: false, message: event.message };
    case "leave":
      if (state.screen !== "game" && state.screen !== "results") return state;
      return { ...state, screen: "lobby", reconnecting: false };
    case "playAgain":
      // From the results only: the page leaves its room and joins the group's next one.
      if (state.screen !== "results") return state;
      return { ...state, screen: "connecting", reconnecting: false, joining: { kind: "code", code: event.roomId }, message: "" };
    case "dismiss":
      return state.screen === "error" ? { ...state, screen: "lobby", message: "" } : state;
  }
}

/** A sentence for a close code the player can understand (the SDK's CloseCode, or ours). */
export function describeClose(code: number, reason?: string): string {
  switch (code) {
    case CloseCodes.PROTOCOL_ERROR: return `The server disconnected you for a protocol error${reason ? `: ${reason}` : ""}.`;
    case CloseCode.WITH_ERROR: return "The server disconnected you (too many messages or an unreadable one).";
    case CloseCode.SERVER_SHUTDOWN: return "The server is shutting down.";
    case CloseCodes.SIGNED_IN_ELSEWHERE: return "You signed in elsewhere: you are playing this room from another tab or device now.";
    case CloseCode.FAILED_TO_RECONNECT: return "The connection was lost and could not be restored in time.";
    case WS_MESSAGE_TOO_BIG: return "The server refused a message that was too large.";
    default: return `The connection was lost (code ${code}).`;
  }
}
