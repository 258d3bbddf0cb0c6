/**
 * A hostile client: holds a real seat (guest token, SDK join), then writes
 * fuzz frames straight onto its socket, under the room's message rate so that
 * the frames are read rather than cut off by the flood limit. The server
 * drops it for most protocol errors; it then joins again, in a loop bounded
 * by the campaign's frame budget and deadline.
 */
import { type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import type { ArenaState } from "@arena/shared";
import { FRAME_KINDS, type FrameKind, type FrameMaker } from "./frames.ts";
import { failureReason } from "../bot.ts";

export interface HostileStats {
  readonly sent: Record<FrameKind, number>;
  bytes: number;
  joins: number;
  /** Refused or failed joins, by reason. */
  readonly joinFailures: Map<string, number>;
  /** How each of the hostile connections ended, by close code. */
  readonly closes: Map<number, number>;
}

export function emptyStats(): HostileStats {
  return {
    sent: Object.fromEntries(FRAME_KINDS.map((k) => [k, 0])) as Record<FrameKind, number>,
    bytes: 0,
    joins: 0,
    joinFailures: new Map(),
    closes: new Map(),
  };
}

export interface HostileContext {
  readonly url: string;
  readonly roomId: string;
  readonly maker: FrameMaker;
  readonly stats: HostileStats;
  /** Frames left to send, shared by all hostile clients. */
  readonly budget: { remaining: number };
  /** performance.now() after which nothing more is sent. */
  readonly deadline: number;
  /** True once the campaign must stop early (the server died). */
  readonly aborted: () => boolean;
  /** Frames per connection per second; under the room's limit (MESSAGES_PER_SECOND). */
  readonly framesPerSecond: number;
  /** Pause after each frame, so a frame that gets the client dropped is the last one it sends. */
  readonly gapMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const bump = <K>(map: Map<K, number>, key: K): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

export async function runHostile(ctx: HostileContext, token: string): Promise<void> {
  const client = new JoinClient(ctx.url);
  client.auth.token = token;
  let backoffMs = 50;
  const more = (): boolean => ctx.budget.remaining > 0 && performance.now() < ctx.deadline && !ctx.aborted();
  while (more()) {
    let room: Room<any, ArenaState>;
    try {
      room = (await client.joinById(ctx.roomId)) as Room<any, ArenaState>;
    } catch (e) {
      // E.g. the room is locked while a match's results show: wait and try again.
      bump(ctx.stats.joinFailures, failureReason(e));
      await sleep(backoffMs);
      backoffMs = Math.min(1000, backoffMs * 2);
      continue;
    }
    backoffMs = 50;
    ctx.stats.joins++;
    room.reconnection.enabled = false;
    room.onMessage("*", () => {});
    let open = true;
    const closed = new Promise<void>((resolve) => {
      room.onLeave((code: number) => {
        open = false;
        bump(ctx.stats.closes, code);
        resolve();
      });
    });
    const wait = (ms: number): Promise<void> => Promise.race([sleep(ms), closed]);
    let windowStart = performance.now();
    let inWindow = 0;
    while (open && more()) {
      const now = performance.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        inWindow = 0;
      } else if (inWindow >= ctx.framesPerSecond) {
        await wait(windowStart + 1000 - now);
        continue;
      }
      if (!room.connection.isOpen) break;
      const frame = ctx.maker.next();
      ctx.budget.remaining--;
      room.connection.send(frame.bytes);
      ctx.stats.sent[frame.kind]++;
      ctx.stats.bytes += frame.bytes.byteLength;
      inWindow++;
      await wait(ctx.gapMs);
    }
    if (open && room.connection.isOpen) await room.leave(true).catch(() => undefined);
    await Promise.race([closed, sleep(2000)]);
  }
}
