/**
 * Remembers sockets the transport closed for a frame over MAX_FRAME_BYTES.
 * `ws` answers such a frame with close code 1009 and destroys the socket, so
 * the room sees an abnormal close (1006) and would hold the seat for a
 * reconnection; rooms ask here to treat it as the protocol error it is.
 */
import type { WebSocketServer } from "ws";

const oversized = new WeakSet<object>();

/** Watches every socket of `wss` for ws' "message too big" error. */
export function watchFrameSize(wss: WebSocketServer): void {
  wss.on("connection", (ws) => {
    ws.on("error", (e: Error & { code?: string }) => {
      if (e.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") oversized.add(ws);
    });
  });
}

/** True when the client's socket was closed for sending a frame over the size limit. */
export function closedForOversizedFrame(client: { ref?: unknown }): boolean {
  const ws = client.ref;
  return typeof ws === "object" && ws !== null && oversized.has(ws);
}
