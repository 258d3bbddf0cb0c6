/**
 * One write per message: a binary message this server sends goes to the socket as one buffer, its websocket frame
 * header and payload together, where `ws`' Sender writes the header and the payload as two buffers (`cork`, two
 * `write`s, `uncork`, and Node's writable turns them into a `writev` with its chunk arrays). Every patch goes to
 * every player, 20 times a second: `npm run bench:ab` measured 0.949× the server's CPU per player-second at 150
 * players (an experiment replacing `ws`' send for the whole process first: 0.926× at 150, 0.971× at 300;
 * docs/BENCHMARKS.md, issue 23, fifth pass). The payload is copied once more (a patch is a few hundred bytes); the
 * frame is the one `ws` would have written (FIN, binary opcode, unmasked, the length in 7, 16 or 64 bits: RFC 6455
 * §5.2).
 *
 * Taken only where `ws` itself would write the frame at once and as it is: the socket open, `ws`' sender idle (no
 * message queued behind a compression or a Blob being read, no fragmented message under way), no permessage-deflate
 * (the transport does not offer it), a Uint8Array, no callback. Anything else goes to `ws`' own send, so order is
 * kept: both write to the same socket synchronously. This reads `ws` 8's private `_socket`, `_sender` (`_state`,
 * `_queue`, `_firstFragment`) and `_extensions`; a socket without them keeps `ws`' send, and
 * server/test/whole-frames.test.ts checks them against the installed `ws` and the frames against its own reader.
 */
import type { WebSocket, WebSocketServer } from "ws";

/** `ws`' private parts this reads (ws 8). */
interface WsInternals {
  readyState: number;
  _isServer: boolean;
  _socket: { write(chunk: Uint8Array): boolean } | null;
  _sender: { _state: number; _queue: unknown[]; _firstFragment: boolean };
  _extensions: Record<string, unknown>;
}

const OPEN = 1;
/** The sender's state when it writes at once (ws/lib/sender.js DEFAULT). */
const SENDER_IDLE = 0;
/** FIN set, opcode 2 (binary). */
const FIN_BINARY = 0x82;

/** Whether `ws` has the private parts this reads, as the installed `ws` 8 has them. */
export function hasWholeFrameInternals(ws: object): boolean {
  const w = ws as Partial<WsInternals>;
  const sender = w._sender as Partial<WsInternals["_sender"]> | undefined;
  return typeof w._isServer === "boolean" && typeof w._extensions === "object" && w._extensions !== null
    && typeof w._socket?.write === "function"
    && typeof sender?._state === "number" && Array.isArray(sender._queue) && typeof sender._firstFragment === "boolean";
}

/** `data` as one websocket frame (unmasked, FIN, binary): its header, then the payload. */
export function wholeFrame(data: Uint8Array): Buffer {
  const n = data.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = FIN_BINARY;
  if (head === 2) frame[1] = n;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  frame.set(data, head);
  return frame;
}

/** Sends `data` on `ws` as one write when `ws` would write it at once and plainly; otherwise as `ws` does. */
function sendWhole(this: WebSocket, data: unknown, options?: unknown, cb?: unknown): void {
  const w = this as unknown as WsInternals;
  const sender = w._sender;
  if (
    cb === undefined && plainBinary(options) && data instanceof Uint8Array && w.readyState === OPEN && w._isServer
    && sender._state === SENDER_IDLE && sender._queue.length === 0 && sender._firstFragment && w._socket !== null
    && w._extensions["permessage-deflate"] === undefined
  ) {
    w._socket.write(wholeFrame(data));
    return;
  }
  wsSend.call(this, data as never, options as never, cb as never);
}

/** No options, or options that leave a Uint8Array a whole, binary, unmasked message (Colyseus passes `{ binary: true }`). */
function plainBinary(options: unknown): boolean {
  if (options === undefined) return true;
  if (typeof options !== "object" || options === null) return false; // ws.send(data, cb): a callback
  const o = options as { binary?: unknown; fin?: unknown; mask?: unknown };
  return o.binary !== false && o.fin !== false && o.mask !== true;
}

let wsSend: WebSocket["send"];

/**
 * Gives every socket of `wss` the whole-frame send. Installed after the metrics' wrapper is prepended (app.ts), so
 * that it runs before it: the wrapper counts each message and calls this.
 */
export function writeWholeFrames(wss: WebSocketServer): void {
  wss.prependListener("connection", (ws: WebSocket) => {
    if (!hasWholeFrameInternals(ws)) return;
    wsSend ??= Object.getPrototypeOf(ws).send as WebSocket["send"];
    ws.send = sendWhole as WebSocket["send"];
  });
}
