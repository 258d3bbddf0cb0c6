/**
 * One bot: signs in as a guest, quick-plays (or joins a given room), and plays
 * like a person: wanders and strafes, aims at the nearest enemy, fires, chats
 * now and then, and sometimes leaves and rejoins. Every frame it sends or
 * receives is counted before the SDK sees it.
 */
import { Client, CloseCode, Protocol, type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { ClientMessage, CloseCodes, PlayerInput, ROOM_ARENA, isInputPair, pairInputs, type ArenaState } from "@arena/shared";
import { guestToken, seededRandom, tapFrames } from "@arena/testkit/remote";
import type { LoadOptions } from "./options.ts";
import { Pilot, type InputFields, type Seen } from "./pilot.ts";
import type { LoadStats } from "./stats.ts";

const PING_EVERY_MS = 2000;
const CHAT_LINES = ["gg", "nice shot", "anyone on the left?", "brb", "that was close", "lag?", "one more", "glhf"];

export type ArenaRoom = Room<any, ArenaState>;

/** Per-room state views shared by the bots of one process ("room" decode mode). */
export type RoomViews = Map<string, Bot>;

/** What a bot needs from the run it belongs to. */
export interface RunContext {
  readonly options: LoadOptions;
  readonly stats: LoadStats;
  readonly views: RoomViews;
  /** Room id of each group of `playersPerRoom` bots, once its first bot created it. */
  readonly groups: Map<number, Promise<string>>;
  /** performance.now() after which bots stop playing. */
  readonly deadline: number;
}

/** A short reason for a failed join, for the summary's failure counts. */
export function failureReason(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof err.code === "number" || typeof err.code === "string" ? `${err.code} ` : "";
  const message = typeof err.message === "string" && err.message !== "" ? err.message : String(e);
  return (code + message).slice(0, 120);
}

export class Bot {
  readonly name: string;
  readonly endpoint: string;
  /** True once the bot has been in a room. */
  joined = false;
  patches = 0;
  private readonly rand: () => number;
  private readonly client: Client;
  private token: string | undefined;
  private room: ArenaRoom | undefined;
  /** This bot decodes every patch of its room (others may read its state). */
  private decodes = false;
  private leaving = false;
  private stopped = false;
  private timers = new Set<NodeJS.Timeout>();
  private readonly pilot: Pilot;

  constructor(readonly index: number, private readonly ctx: RunContext) {
    const { endpoints, seed, playersPerRoom } = ctx.options;
    // Bots that share a room must reach the same process; otherwise spread one by one.
    const slot = playersPerRoom !== undefined ? Math.floor(index / playersPerRoom) : index;
    this.endpoint = endpoints[slot % endpoints.length]!;
    this.name = `bot${index}`;
    this.rand = seededRandom(seed * 100_003 + index);
    this.pilot = new Pilot(this.rand);
    this.client = new JoinClient(this.endpoint);
  }

  /** Signs in and joins once; rejects (and counts the failure) if that fails. */
  async start(): Promise<void> {
    try {
      await this.join();
    } catch (e) {
      this.ctx.stats.botsFailed++;
      this.ctx.stats.fail(failureReason(e));
      throw e;
    }
  }

  /** Stops playing and leaves; resolves when the server confirmed or after 3 s. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const room = this.room;
    if (room === undefined || !room.connection.isOpen) return;
    this.leaving = true;
    await Promise.race([room.leave(true), new Promise((r) => setTimeout(r, 3000))]);
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private every(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setInterval(fn, ms);
    this.timers.add(t);
    return t;
  }

  /** An exponentially distributed delay with the given mean, so events are spread like a crowd's. */
  private expMs(meanSeconds: number): number {
    return -Math.log(1 - this.rand()) * meanSeconds * 1000;
  }

  private async join(): Promise<void> {
    const { options, stats } = this.ctx;
    this.token ??= await guestToken(this.endpoint, this.name);
    this.client.auth.token = this.token;
    const t0 = performance.now();
    const joinOptions = { name: this.name };
    let room: ArenaRoom;
    if (options.roomId !== undefined) room = await this.client.joinById<ArenaState>(options.roomId, joinOptions);
    else if (options.playersPerRoom !== undefined) room = await this.joinGroup(options.playersPerRoom, joinOptions);
    else room = await this.client.joinOrCreate<ArenaState>(ROOM_ARENA, joinOptions);
    stats.joinMs.add(performance.now() - t0);
    if (this.stopped) {
      await room.leave(true);
      return;
    }
    stats.joins++;
    if (!this.joined) stats.botsJoined++;
    this.joined = true;
    this.attach(room);
  }

  /** Bots index..index+n-1 share a room: the first creates it, the others join it by id. */
  private async joinGroup(size: number, joinOptions: { name: string }): Promise<ArenaRoom> {
    const group = Math.floor(this.index / size);
    const pending = this.ctx.groups.get(group);
    if (pending !== undefined) {
      try {
        return await this.client.joinById<ArenaState>(await pending, joinOptions);
      } catch {
        // The group's room is gone (or its creator failed): this bot opens a new one.
      }
    }
    const created = this.client.create<ArenaState>(ROOM_ARENA, joinOptions);
    this.ctx.groups.set(group, created.then((r) => r.roomId));
    return created;
  }

  private attach(room: ArenaRoom): void {
    const { options, stats, views } = this.ctx;
    this.room = room;
    this.leaving = false;
    stats.inRoom++;
    this.decodes = options.decode === "all" || (options.decode === "room" && !views.has(room.roomId));
    if (options.decode === "room" && this.decodes) views.set(room.roomId, this);

    // Count every frame before the SDK handles it; skip decoding patches unless this bot decodes them.
    tapFrames(room, {
      in: (bytes, code) => {
        stats.messagesIn++;
        stats.bytesIn += bytes.byteLength;
        if (code !== Protocol.ROOM_STATE_PATCH) return true;
        stats.patches++;
        this.patches++;
        if (this.decodes) stats.patchesDecoded++;
        return this.decodes;
      },
      out: (bytes) => {
        // A message up is an input (or another frame): a pair counts as the two inputs it carries.
        stats.messagesOut += isInputPair(bytes) ? 2 : 1;
        stats.framesOut++;
        stats.bytesOut += bytes.byteLength;
      },
    });
    room.onMessage("*", () => {}); // chat, match start, results: counted above, not needed to play

    room.onLeave((code: number) => this.onLeave(room, code));

    const input = room.input({ type: PlayerInput });
    // As the browser does (net/session.ts): outside the tap, so the tap sees the pairs; a held input waits at most 1.5 steps.
    let paired = false;
    const inputTimer = this.every(1000 / options.inputRate, () => {
      if (!room.connection.isOpen || this.leaving) return;
      if (!paired && room.state?.inputPairs === true) {
        paired = true;
        pairInputs(room.connection, 1500 / options.inputRate);
      }
      this.play(room, input.data);
      input.send();
    });
    const pingTimer = this.every(PING_EVERY_MS, () => {
      // The SDK rounds its ping to whole ms; on loopback that is mostly 0, so time it here.
      const sentAt = performance.now();
      if (room.connection.isOpen) room.ping(() => stats.rttMs.add(performance.now() - sentAt));
    });
    room.onLeave(() => {
      clearInterval(inputTimer);
      clearInterval(pingTimer);
      this.timers.delete(inputTimer);
      this.timers.delete(pingTimer);
    });
    if (options.chatEverySeconds > 0) this.scheduleChat(room);
    if (options.rejoinEverySeconds > 0) this.scheduleRejoin(room);
  }

  private onLeave(room: ArenaRoom, code: number): void {
    const { stats, views } = this.ctx;
    stats.inRoom--;
    if (views.get(room.roomId) === this) views.delete(room.roomId);
    if (this.room === room) this.room = undefined;
    if (this.leaving || code === CloseCode.CONSENTED) return;
    // The server ended this connection: count it, and come back as a person would (not after a protocol error).
    stats.disconnected(code);
    if (code !== CloseCodes.PROTOCOL_ERROR) this.later(1000 + this.rand() * 2000, () => void this.rejoin());
  }

  private async rejoin(): Promise<void> {
    if (this.stopped || performance.now() > this.ctx.deadline - 1000) return;
    try {
      await this.join();
      this.ctx.stats.rejoins++;
    } catch (e) {
      this.ctx.stats.fail(failureReason(e));
    }
  }

  private scheduleChat(room: ArenaRoom): void {
    this.later(this.expMs(this.ctx.options.chatEverySeconds), () => {
      if (this.room !== room || !room.connection.isOpen) return;
      room.send(ClientMessage.Typing, { typing: true });
      this.later(500 + this.rand() * 1500, () => {
        if (this.room !== room || !room.connection.isOpen) return;
        room.send(ClientMessage.Chat, { text: CHAT_LINES[Math.floor(this.rand() * CHAT_LINES.length)]! });
        this.ctx.stats.chats++;
        this.scheduleChat(room);
      });
    });
  }

  private scheduleRejoin(room: ArenaRoom): void {
    this.later(this.expMs(this.ctx.options.rejoinEverySeconds), () => {
      if (this.room !== room || !room.connection.isOpen) return;
      if (performance.now() > this.ctx.deadline - 4000) return; // leave time to come back before the end
      this.leaving = true;
      void room.leave(true).then(() => this.later(1000 + this.rand() * 2000, () => void this.rejoin()));
    });
  }

  /** The state this bot sees: its own, or the room's shared view when it does not decode patches. */
  private view(room: ArenaRoom): ArenaState | undefined {
    if (this.decodes) return room.state;
    return this.ctx.views.get(room.roomId)?.room?.state ?? room.state;
  }

  /** Fills the next input from what this bot sees of its room. */
  private play(room: ArenaRoom, input: InputFields): void {
    const state = this.view(room);
    const me = state?.players?.get(room.sessionId);
    const others: Seen[] = [];
    state?.players?.forEach((p, id) => {
      if (id !== room.sessionId) others.push(p);
    });
    this.pilot.steer(me, others, input);
  }
}
