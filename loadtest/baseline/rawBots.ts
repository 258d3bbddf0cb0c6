/**
 * The bots that drive the baselines: the same Pilot, input rate and ramp as
 * the Colyseus bots, over raw `ws` (JSON for naive, a fixed 8-byte binary
 * input for floor). They count frames and bytes like the Colyseus bots.
 */
import { WebSocket } from "ws";
import { seededRandom } from "@arena/testkit/remote";
import { Pilot, type InputFields, type Seen } from "../src/pilot.ts";
import type { DecodeMode } from "../src/options.ts";
import { LoadStats } from "../src/stats.ts";
import { StopSignal, rampThenHold } from "./ramp.ts";

export type BaselineKind = "naive" | "floor";

export interface RawRunOptions {
  /** ws://127.0.0.1:PORT of the baseline server. */
  url: string;
  kind: BaselineKind;
  bots: number;
  durationSeconds: number;
  inputRate: number;
  rampPerSecond: number;
  decode: DecodeMode;
  /** Size of the floor server's messages to this bot. */
  floorBytes: number;
  seed: number;
}

interface NaiveWorld {
  players: Record<string, Seen>;
}

const INPUT_BYTES = 8;

export class RawRun {
  readonly stats = new LoadStats();
  private readonly sockets: WebSocket[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  /** Latest parsed world per room, from the one bot of the room that parses ("room" decode mode). */
  private readonly views = new Map<string, NaiveWorld>();
  private readonly observers = new Map<string, number>();
  private readonly signal = new StopSignal();

  /** Ends the run before its duration is over. */
  stop(): void {
    this.signal.stop();
  }

  constructor(readonly options: RawRunOptions) {
    if (!/^wss?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(options.url)) throw new Error(`baseline url must be on 127.0.0.1: ${options.url}`);
  }

  private startBot(index: number): Promise<void> {
    const { options, stats } = this;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${options.url.replace(/\/$/, "")}/?name=bot${index}&size=${options.floorBytes}`);
      ws.binaryType = "nodebuffer";
      this.sockets.push(ws);
      const pilot = new Pilot(seededRandom(options.seed * 100_003 + index));
      const input: InputFields = { mx: 0, my: 0, aim: 0, fire: false };
      const binary = Buffer.alloc(INPUT_BYTES);
      let me = "";
      let room = "";
      let parses = false;
      ws.on("open", () => {
        stats.botsJoined++;
        stats.joins++;
        stats.inRoom++;
        resolve();
        this.timers.push(setInterval(() => {
          if (ws.readyState !== WebSocket.OPEN) return;
          const world = this.views.get(room);
          const others: Seen[] = [];
          if (world !== undefined) for (const [id, p] of Object.entries(world.players)) if (id !== me) others.push(p);
          pilot.steer(world?.players[me], others, input);
          let frame: Buffer | string;
          if (options.kind === "naive") frame = JSON.stringify(input);
          else {
            binary.writeInt8(input.mx, 0);
            binary.writeInt8(input.my, 1);
            binary.writeFloatLE(input.aim, 2);
            binary.writeUInt8(input.fire ? 1 : 0, 6);
            frame = binary;
          }
          stats.messagesOut++;
          stats.bytesOut += typeof frame === "string" ? Buffer.byteLength(frame) : frame.byteLength;
          ws.send(frame);
        }, 1000 / options.inputRate));
      });
      ws.on("message", (data: Buffer, isBinary: boolean) => {
        stats.messagesIn++;
        stats.bytesIn += data.byteLength;
        if (isBinary) {
          stats.patches++;
          return;
        }
        stats.patches++;
        if (me === "") {
          const hello = JSON.parse(String(data)) as { you: string; room: string };
          me = hello.you;
          room = hello.room;
          parses = options.decode === "all" || (options.decode === "room" && !this.observers.has(room));
          if (parses && options.decode === "room") this.observers.set(room, index);
          return;
        }
        if (parses) this.views.set(room, JSON.parse(String(data)) as NaiveWorld);
      });
      ws.on("error", (e) => {
        stats.fail(e.message);
        reject(e);
      });
      ws.on("close", () => {
        stats.inRoom--;
      });
    });
  }

  /** Ramps the bots up, runs for the duration, closes every socket. */
  async run(): Promise<void> {
    // startBot counts the failure's reason itself.
    await rampThenHold(this.options, (i) => this.startBot(i), () => { this.stats.botsFailed++; }, this.signal);
    this.timers.forEach(clearInterval);
    await Promise.all(this.sockets.map((ws) => new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once("close", () => resolve());
      ws.close();
      setTimeout(resolve, 2000);
    })));
  }
}
