/**
 * Baseline "socketio": the same game as a Socket.io tutorial would build it.
 * Socket.io 4.8 rooms of 16, the shared step at the tick rate, the whole
 * world as JSON broadcast to each room at the patch rate with
 * `io.to(room).emit`, inputs as `input` events (checked and clamped, the
 * newest one applied per step, as ours applies at most one), and a `join`
 * event that seats the player in a room with a free seat or opens one.
 *
 * With REDIS_URL, processes share one `@socket.io/redis-adapter` (8.3), so a
 * broadcast reaches a room's sockets on any process. Rooms are found the
 * simplest honest way: each process fills its own rooms (the load balancer
 * spreads the players). Socket.io has no cross-process room listing, seat
 * reservation or room locking: seating a player in another process's room
 * would need a hand-written registry in Redis with its own locking, which is
 * what Colyseus' matchmaking driver and presence are.
 */
import { Server as IoServer, type Socket } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import {
  ARENA_MAP, ArenaState, MAX_PLAYERS, MOVE_SCALE, PATCH_RATE, Player, TICK_RATE, cleanName, createRules, spawnPlayer, stepWorld,
  type GameEvent, type InputCommand, type World,
} from "@arena/shared";
import { listen } from "./listen.ts";
import { sendTimer } from "./sendTimer.ts";
import { worldJson } from "./jsonWorld.ts";

/** What a `join` is acknowledged with. */
export type JoinAck = { you: string; room: string } | { error: string };

interface SioRoom {
  id: string;
  world: World;
  seated: Set<string>;
  /** The newest valid input of each player not yet applied. */
  inputs: Map<string, InputCommand>;
  /** Events of the steps since the last broadcast. */
  events: GameEvent[];
}

const rules = createRules(TICK_RATE);
const rooms = new Map<string, SioRoom>();
let nextRoom = 0;

function roomWithSeat(): SioRoom {
  for (const room of rooms.values()) if (room.seated.size < MAX_PLAYERS) return room;
  // Room names are global across processes with the Redis adapter: this process's pid keeps them apart.
  const room: SioRoom = { id: `s${process.pid}-${nextRoom++}`, world: { state: new ArenaState(), map: ARENA_MAP, rules }, seated: new Set(), inputs: new Map(), events: [] };
  rooms.set(room.id, room);
  return room;
}

/** A checked input, or undefined for anything else. */
function toInput(raw: unknown): InputCommand | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const { mx, my, aim, fire } = raw as Record<string, unknown>;
  if (typeof mx !== "number" || typeof my !== "number" || typeof aim !== "number" || typeof fire !== "boolean") return undefined;
  if (!Number.isFinite(mx) || !Number.isFinite(my) || !Number.isFinite(aim)) return undefined;
  return { mx: Math.max(-MOVE_SCALE, Math.min(MOVE_SCALE, Math.round(mx))), my: Math.max(-MOVE_SCALE, Math.min(MOVE_SCALE, Math.round(my))), aim, fire };
}

const http = await listen("socketio");
const io = new IoServer(http, { serveClient: false, cors: { origin: false } });
const redisUrl = process.env.REDIS_URL;
if (redisUrl !== undefined) {
  const pub = new Redis(redisUrl);
  const sub = pub.duplicate();
  io.adapter(createAdapter(pub, sub));
}

io.on("connection", (socket: Socket) => {
  let room: SioRoom | undefined;
  socket.on("join", (payload: unknown, ack: unknown) => {
    if (typeof ack !== "function") return;
    const reply = ack as (a: JoinAck) => void;
    if (room !== undefined) return reply({ error: "already_joined" });
    const name = typeof payload === "object" && payload !== null ? (payload as { name?: unknown }).name : undefined;
    room = roomWithSeat();
    const player = new Player();
    player.name = cleanName(typeof name === "string" ? name : "player");
    room.world.state.players.set(socket.id, player);
    spawnPlayer(room.world.state, socket.id, player, ARENA_MAP, rules);
    room.seated.add(socket.id);
    void socket.join(room.id);
    reply({ you: socket.id, room: room.id });
    socket.emit("state", worldJson(room.world.state, []));
  });
  socket.on("input", (raw: unknown) => {
    const cmd = toInput(raw);
    if (room !== undefined && cmd !== undefined) room.inputs.set(socket.id, cmd);
  });
  socket.on("disconnect", () => {
    if (room === undefined) return;
    room.seated.delete(socket.id);
    room.inputs.delete(socket.id);
    room.world.state.players.delete(socket.id);
    if (room.seated.size === 0) rooms.delete(room.id);
  });
});

setInterval(() => {
  for (const room of rooms.values()) {
    stepWorld(room.world, {
      inputOf: (id) => {
        const cmd = room.inputs.get(id);
        room.inputs.delete(id);
        return cmd;
      },
    }, room.events);
  }
}, 1000 / TICK_RATE);

sendTimer.every(1000 / PATCH_RATE, () => {
  let sent = 0;
  for (const room of rooms.values()) {
    io.to(room.id).emit("state", worldJson(room.world.state, room.events));
    sent += room.seated.size;
    room.events = [];
  }
  return sent;
});
