/**
 * Colyseus 0.18 targets Node >= 22 and reads the global `WebSocket` (for its
 * readyState constants) when a player reconnects. Node 20 has no global
 * WebSocket, so reconnection would fail there; `ws` provides the same class.
 */
import { WebSocket as NodeWebSocket } from "ws";

if (typeof globalThis.WebSocket === "undefined") {
  Object.defineProperty(globalThis, "WebSocket", { value: NodeWebSocket, writable: true, configurable: true });
}
