/**
 * Baseline "naive": the same game the naive way. Raw `ws`, JSON both ways,
 * the full world broadcast to every client of a room every tick, and every
 * input a client sends queued without bound. It runs the same shared step
 * function as the real server (with the schema objects' change tracking,
 * which a hand-written naive server would not pay), but no lag compensation.
 */
import { WebSocketServer, type WebSocket } from "ws";
import {
  ARENA_MAP, ArenaState, MAX_PLAYERS, Player, TICK_RATE, createRules, spawnPlayer, stepWorld,
  type GameEvent, type InputCommand, type World,
} from "@arena/shared";
import { listen } from "./listen.ts";
import { sendTimer } from "./sendTimer.ts";
import { worldJson } from "./jsonWorld.ts";

interface NaiveRoom {
  id: string;
  world: World;
  clients: Map<string, WebSocket>;
  /** Every input received, applied one per step: nothing bounds this queue. */
  inputs: Map<string, InputCommand[]>;
}

const rules = createRules(TICK_RATE);
const rooms: NaiveRoom[] = [];
let nextId = 0;

function roomWithSeat(): NaiveRoom {
  const open = rooms.find((r) => r.clients.size < MAX_PLAYERS);
  if (open !== undefined) return open;
  const state = new ArenaState();
  const room: NaiveRoom = { id: `n${nextId++}`, world: { state, map: ARENA_MAP, rules }, clients: new Map(), inputs: new Map() };
  rooms.push(room);
  return room;
}

const http = await listen("naive");
const wss = new WebSocketServer({ server: http });
wss.on("connection", (ws, req) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const room = roomWithSeat();
  const id = `c${nextId++}`;
  const player = new Player();
  player.name = (url.searchParams.get("name") ?? "player").slice(0, 16);
  room.world.state.players.set(id, player);
  spawnPlayer(room.world.state, id, player, ARENA_MAP, rules);
  room.clients.set(id, ws);
  room.inputs.set(id, []);
  ws.send(JSON.stringify({ you: id, room: room.id }));
  ws.on("message", (data) => {
    try {
      room.inputs.get(id)?.push(JSON.parse(String(data)) as InputCommand);
    } catch {
      // a naive server ignores what it cannot parse
    }
  });
  ws.on("close", () => {
    room.clients.delete(id);
    room.inputs.delete(id);
    room.world.state.players.delete(id);
  });
});

const events: GameEvent[] = [];
sendTimer.every(1000 / TICK_RATE, () => {
  let sent = 0;
  for (const room of rooms) {
    if (room.clients.size === 0) continue;
    stepWorld(room.world, { inputOf: (id) => room.inputs.get(id)?.shift() }, events);
    const frame = JSON.stringify(worldJson(room.world.state, events));
    events.length = 0;
    for (const ws of room.clients.values()) ws.send(frame);
    sent += room.clients.size;
  }
  return sent;
});
