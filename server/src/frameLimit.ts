/**
 * Frames the transport refuses before any room reads them, and the sockets it
 * closed for one, so that rooms treat those closes as the protocol errors
 * they are (no seat held for a reconnection):
 *
 * - a frame over MAX_FRAME_BYTES: `ws` answers it with close code 1009 and
 *   destroys the socket, so the room sees an abnormal close (1006);
 * - an unreliable-input frame (Colyseus `Protocol.ROOM_INPUT_UNRELIABLE`).
 *   Colyseus 0.18's decoder for it (`InputDecoder.decodeAll`) trusts each
 *   slot's length: a negative one moves the read offset backwards, and the
 *   3-byte frame [20, 0x00, 0xfe] loops forever, freezing every room of the
 *   process (found by `npm run fuzz`). A WebSocket has no unreliable channel
 *   and our clients send inputs in the reliable mode, so the frame is refused
 *   outright: the socket is closed with PROTOCOL_ERROR;
 * - a flood: more frames than a token bucket of MESSAGE_BURST refilled at
 *   MESSAGES_PER_SECOND allows; the socket is closed with 4002, as Colyseus'
 *   own limit does. Colyseus' limit (`maxMessagesPerSecond`) counts a fixed
 *   one-second window on the room clock, so when the process stalls for a
 *   few seconds (a GC pause, a busy host) the inputs an honest client queued
 *   meanwhile arrive in one burst and get it disconnected; the bucket lets
 *   such a burst through and still holds a sender to the rate over time;
 * - a malformed input pair (`@arena/shared` inputPairs.ts): the socket is
 *   closed with PROTOCOL_ERROR. A well-formed pair takes a token for each of
 *   its two inputs and is handed to the room as the two input frames it
 *   carries, in order, as if they had come one by one.
 *
 * A frame it passes goes to the socket's 'message' listeners (Colyseus'),
 * except a reliable-input frame of a socket whose room takes input frames
 * itself (routeInputFrames): that one goes straight to the room's taker.
 */
import type { WebSocket, WebSocketServer } from "ws";
import { CloseCode, Protocol } from "@colyseus/core";
import { PROTOCOL_CODE_MASK } from "@colyseus/shared-types";
import { CloseCodes, INPUT_PAIR_CODE, MESSAGE_BURST, MESSAGES_PER_SECOND, splitInputPair } from "@arena/shared";
import { TokenBucket } from "./limits/TokenBucket.ts";
import { clientSocket } from "./colyseusInternals.ts";

/** Why the transport closed a socket (the `kind` label of arena_protocol_errors_total). */
export type RefusedFrame = "too_large" | "unreliable_input" | "flood" | "bad_input_pair";

const refused = new WeakMap<object, RefusedFrame>();

/** Watches every socket of `wss` for ws' "message too big" error. */
export function watchFrameSize(wss: WebSocketServer): void {
  wss.on("connection", (ws) => {
    ws.on("error", (e: Error & { code?: string }) => {
      if (e.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") refused.set(ws, "too_large");
    });
  });
}

function isUnreliableInput(data: unknown): boolean {
  return data instanceof Uint8Array && data.length > 0 && (data[0]! & PROTOCOL_CODE_MASK) === Protocol.ROOM_INPUT_UNRELIABLE;
}

/** Counters of the frames a guard passed on, by socket server (the metrics count incoming frames here). */
const passedCounters = new WeakMap<WebSocketServer, (data: unknown) => void>();

/**
 * Has `count` called with every frame the guard of `wss` passes on to the rooms: the guard already
 * sees each frame, so counting there costs no 'message' listener of its own (a second listener makes
 * every emit copy the listener array). Counts nothing unless guardFrames() watches `wss` (see isGuarded).
 */
export function countPassedFrames(wss: WebSocketServer, count: (data: unknown) => void): void {
  passedCounters.set(wss, count);
}

const guarded = new WeakSet<WebSocketServer>();

/** Where a guarded socket's reliable-input frames go, once its room takes them itself. */
interface InputRoute {
  take: ((frame: Uint8Array) => void) | undefined;
}

const inputRoutes = new WeakMap<object, InputRoute>();

/**
 * Hands `ws`'s reliable-input frames (and each half of its input pairs) to `take` instead of the socket's
 * 'message' listeners, after the guard's checks; `undefined` gives them back to the listeners. False when
 * no guard watches `ws` (its frames then all go to the listeners).
 */
export function routeInputFrames(ws: object, take: ((frame: Uint8Array) => void) | undefined): boolean {
  const route = inputRoutes.get(ws);
  if (route === undefined) return false;
  route.take = take;
  return true;
}

/** Whether guardFrames() watches the sockets of `wss`. */
export function isGuarded(wss: WebSocketServer): boolean {
  return guarded.has(wss);
}

/**
 * Closes a socket that sends an unreliable-input frame or floods, without
 * passing the frame on: the socket's `emit` is wrapped, since a listener
 * cannot stop the room's own 'message' listener from seeing the frame.
 * The wrapper runs for every event of every socket: it passes `arguments`
 * on as they are (no rest array per call) and reads the clock only for a message.
 */
export function guardFrames(wss: WebSocketServer): void {
  guarded.add(wss);
  wss.prependListener("connection", (ws: WebSocket) => {
    const emit = ws.emit;
    const bucket = new TokenBucket(MESSAGE_BURST, (MESSAGE_BURST / MESSAGES_PER_SECOND) * 1000, performance.now());
    const count = passedCounters.get(wss);
    const route: InputRoute = { take: undefined };
    inputRoutes.set(ws, route);
    const refuse = (kind: RefusedFrame, code: number, reason: string): false => {
      if (!refused.has(ws)) {
        refused.set(ws, kind);
        ws.close(code, reason);
      }
      return false;
    };
    ws.emit = function (this: WebSocket, event: string | symbol, data?: unknown): boolean {
      if (event === "message") {
        if (refused.has(ws)) return false;
        if (isUnreliableInput(data)) return refuse("unreliable_input", CloseCodes.PROTOCOL_ERROR, "unreliable inputs are not accepted; send inputs in the reliable mode");
        const now = performance.now();
        if (!bucket.take(now)) return refuse("flood", CloseCode.WITH_ERROR, `more than ${MESSAGES_PER_SECOND} messages per second`);
        count?.(data);
        if (data instanceof Uint8Array && data.length > 0) {
          const code = data[0]! & PROTOCOL_CODE_MASK;
          const take = route.take;
          if (code === Protocol.ROOM_INPUT_RELIABLE && take !== undefined) {
            take(data);
            return true;
          }
          if (code === INPUT_PAIR_CODE) {
            const halves = splitInputPair(data);
            if (halves === undefined) return refuse("bad_input_pair", CloseCodes.PROTOCOL_ERROR, "malformed input pair");
            if (!bucket.take(now)) return refuse("flood", CloseCode.WITH_ERROR, `more than ${MESSAGES_PER_SECOND} messages per second`);
            if (take !== undefined) {
              take(halves[0]);
              take(halves[1]);
              return true;
            }
            emit.call(this, "message", halves[0], true);
            return emit.call(this, "message", halves[1], true);
          }
        }
      }
      // eslint-disable-next-line prefer-rest-params -- `arguments` as is: no array built per event
      return emit.apply(this, arguments as unknown as Parameters<WebSocket["emit"]>);
    } as WebSocket["emit"];
  });
}

/** Why the transport closed the client's socket, if it did. */
export function refusedFrame(client: { ref?: unknown }): RefusedFrame | undefined {
  const ws = clientSocket(client);
  return ws !== undefined ? refused.get(ws) : undefined;
}
