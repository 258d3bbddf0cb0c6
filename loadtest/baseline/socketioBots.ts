/**
 * The bots that drive the Socket.io baseline: the same Pilot, input rate and
 * ramp as the Colyseus bots, over `socket.io-client` (websocket transport
 * only: no long-polling handshake to count, the cheapest way Socket.io
 * connects). A join is connect, then a `join` event acknowledged with the
 * room. Frames are counted at the engine.io packet level, one byte of packet
 * type plus the payload, as they cross the websocket.
 */
import { io, type Socket } from "socket.io-client";
import { seededRandom } from "@arena/testkit/remote";
import { Pilot, type InputFields, type Seen } from "../src/pilot.ts";
import type { DecodeMode } from "../src/options.ts";
import { LoadStats } from "../src/stats.ts";
import { StopSignal, rampThenHold } from "./ramp.ts";

export interface SocketIoJoined {
  socket: Socket;
  you: string;
  room: string;
}

/** What an engine.io packet weighs on the websocket: its type byte and its payload. */
function packetBytes(packet: { data?: unknown }): number {
  const d = packet.data;
  if (typeof d === "string") return 1 + Buffer.byteLength(d);
  if (d instanceof ArrayBuffer || ArrayBuffer.isView(d)) return 1 + d.byteLength;
  return 1;
}

/**
 * Connects to a Socket.io baseline server and joins a room; rejects on a
 * refused join or after `timeoutMs`. `onSocket` sees the socket before it
 * connects (to count its frames from the first one).
 */
export function joinSocketIo(url: string, name: string, timeoutMs = 15_000, onSocket?: (s: Socket) => void): Promise<SocketIoJoined> {
  if (!/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(url)) throw new Error(`baseline url must be on 127.0.0.1: ${url}`);
  const socket = io(url, { transports: ["websocket"], reconnection: false, forceNew: true, timeout: timeoutMs });
  onSocket?.(socket);
  return new Promise((resolve, reject) => {
    const fail = (e: Error): void => {
      socket.close();
      reject(e);
    };
    socket.once("connect_error", fail);
    socket.once("connect", () => {
      socket.timeout(timeoutMs).emit("join", { name }, (err: Error | null, ack: { you?: string; room?: string; error?: string }) => {
        if (err !== null) return fail(err);
        if (ack.you === undefined || ack.room === undefined) return fail(new Error(`join refused: ${ack.error ?? "no room"}`));
        socket.off("connect_error", fail);
        resolve({ socket, you: ack.you, room: ack.room });
      });
    });
  });
}

export interface SocketIoRunOptions {
  /** http://127.0.0.1:PORT of the baseline server. */
  url: string;
  bots: number;
  durationSeconds: number;
  inputRate: number;
  rampPerSecond: number;
  decode: DecodeMode;
  seed: number;
}

interface JsonWorld {
  players: Record<string, Seen>;
}

export class SocketIoRun {
  readonly stats = new LoadStats();
  private readonly sockets: Socket[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  /** Latest world per room, from the one bot of the room that reads it ("room" decode mode). */
  private readonly views = new Map<string, JsonWorld>();
  private readonly observers = new Set<string>();
  private readonly signal = new StopSignal();

  constructor(readonly options: SocketIoRunOptions) {}

  /** Ends the run before its duration is over. */
  stop(): void {
    this.signal.stop();
  }

  private async startBot(index: number): Promise<void> {
    const { options, stats } = this;
    const count = (s: Socket): void => {
      this.sockets.push(s);
      s.io.on("open", () => {
        const engine = s.io.engine;
        engine.on("packet", (p) => {
          stats.messagesIn++;
          stats.bytesIn += packetBytes(p);
        });
        engine.on("packetCreate", (p) => {
          stats.messagesOut++;
          stats.bytesOut += packetBytes(p);
        });
      });
    };
    const t0 = performance.now();
    const { socket, you, room } = await joinSocketIo(options.url, `bot${index}`, 15_000, count);
    stats.joinMs.add(performance.now() - t0);
    stats.botsJoined++;
    stats.joins++;
    stats.inRoom++;
    // Socket.io parses every event's JSON whether or not the bot reads it; "room" decides who keeps the view.
    const keeps = options.decode === "all" || (options.decode === "room" && !this.observers.has(room));
    if (options.decode === "room" && keeps) this.observers.add(room);
    socket.on("state", (world: JsonWorld) => {
      stats.patches++;
      if (keeps) this.views.set(room, world);
    });
    socket.on("disconnect", () => {
      stats.inRoom--;
    });
    const pilot = new Pilot(seededRandom(options.seed * 100_003 + index));
    const input: InputFields = { mx: 0, my: 0, aim: 0, fire: false };
    this.timers.push(setInterval(() => {
      if (!socket.connected) return;
      const world = this.views.get(room);
      const others: Seen[] = [];
      if (world !== undefined) for (const [id, p] of Object.entries(world.players)) if (id !== you) others.push(p);
      pilot.steer(world?.players[you], others, input);
      socket.emit("input", input);
    }, 1000 / options.inputRate));
  }

  /** Ramps the bots up, runs for the duration, closes every socket. */
  async run(): Promise<void> {
    await rampThenHold(this.options, (i) => this.startBot(i), (e) => {
      this.stats.botsFailed++;
      this.stats.fail(e instanceof Error ? e.message : String(e));
    }, this.signal);
    this.timers.forEach(clearInterval);
    for (const s of this.sockets) s.close();
  }
}
