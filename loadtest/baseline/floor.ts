/**
 * Baseline "floor": no game at all. A raw `ws` server that receives the
 * clients' inputs and discards them, and sends each client fixed-size binary
 * messages at the patch rate (size from the client's `?size=`, the real
 * server's mean patch size in the same benchmark step). What it costs is the
 * cost of the messages themselves in Node on this machine.
 */
import { WebSocketServer, type WebSocket } from "ws";
import { PATCH_RATE } from "@arena/shared";
import { listen } from "./listen.ts";
import { sendTimer } from "./sendTimer.ts";

const MAX_SIZE = 64 * 1024;
const clients = new Map<WebSocket, Buffer>();
let received = 0;

const http = await listen("floor");
const wss = new WebSocketServer({ server: http });
wss.on("connection", (ws, req) => {
  const size = Math.max(1, Math.min(MAX_SIZE, Number(new URL(req.url ?? "/", "http://localhost").searchParams.get("size")) || 256));
  clients.set(ws, Buffer.alloc(size, 7));
  ws.on("message", () => {
    received++;
  });
  ws.on("close", () => clients.delete(ws));
});

sendTimer.every(1000 / PATCH_RATE, () => {
  for (const [ws, frame] of clients) ws.send(frame);
  return clients.size;
});
