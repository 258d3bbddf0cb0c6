/**
 * The one way a Server-Sent Events response is opened and closed, for the leaderboard, status and
 * notification streams: a slot under the stream's caps (per address and per process), the headers and
 * `retry:`, a backpressure-aware SseWriter that drops a reader that stops reading, keep-alive comments,
 * and one close that releases everything, however the stream ends.
 */
import type { Request, Response } from "express";
import { HttpErrors } from "@arena/shared";
import { SseWriter } from "./leaderboard/SseWriter.ts";
import { limitKey } from "./limits/clientAddress.ts";
import { tooMany, type RateLimits } from "./limits/RateLimits.ts";
import type { StreamCaps } from "./limits/StreamCaps.ts";
import type { Logger } from "./log.ts";

/** Reconnect delay the streams ask browsers to use. */
export const SSE_RETRY_MS = 2000;

/** Retry-After of a stream refused by a cap: open streams end slowly, so a few seconds. */
const CAP_RETRY_S = 5;

export interface EventStreamOptions {
  readonly limits: RateLimits;
  /** The caps of this kind of stream (StreamCaps.ts: each kind has its own). */
  readonly caps: StreamCaps;
  /** A stream whose socket stays full this long is dropped. */
  readonly stallMs: number;
  /** Milliseconds between keep-alive comments; none for a stream that sends often by itself. */
  readonly keepAliveMs?: number;
  /** Where a dropped reader is logged. */
  readonly log?: Logger;
}

/** An open stream: write through `writer`; `onClose` hooks run once when it ends, whichever side ends it. */
export interface EventStream {
  readonly writer: SseWriter;
  /** False once the stream has ended. */
  readonly open: boolean;
  /** Runs `f` when the stream ends (at once if it already has). */
  onClose(f: () => void): void;
  /** Ends the stream from the server's side (e.g. its first read failed). */
  end(): void;
}

/**
 * Takes a cap slot and writes the stream's headers and `retry:`; returns the stream, or undefined when
 * a cap refused it (429 per address, 503 per process, already answered). `what` names the stream in
 * refusals and logs.
 */
export function openEventStream(req: Request, res: Response, opts: EventStreamOptions, what: string): EventStream | undefined {
  const address = opts.limits.addressOf(req);
  const release = opts.caps.take(limitKey(address));
  if (release === "address") {
    tooMany(res, CAP_RETRY_S, `too many open ${what} streams from your address`);
    return undefined;
  }
  if (release === "process") {
    res.status(503).setHeader("Retry-After", String(CAP_RETRY_S));
    res.json({ error: HttpErrors.BUSY, message: `this server has no room for another ${what} stream; try again in ${CAP_RETRY_S} s` });
    return undefined;
  }
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    // nginx must not buffer the stream.
    "X-Accel-Buffering": "no",
  });
  const writer = new SseWriter(res, opts.stallMs, () => {
    opts.log?.info(`${what} stream dropped: its reader stopped reading`, { address, stalledMs: opts.stallMs });
    res.destroy();
  });
  writer.raw(`retry: ${SSE_RETRY_MS}\n\n`);
  const keepAlive = opts.keepAliveMs === undefined ? undefined : setInterval(() => writer.raw(": keep-alive\n\n"), opts.keepAliveMs);
  const hooks: (() => void)[] = [];
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    clearInterval(keepAlive);
    release();
    for (const f of hooks.splice(0)) f();
  };
  // 'close' on the response fires however the stream ends: the client left, the socket died, or a drop.
  res.on("close", close);
  res.on("error", close);
  return {
    writer,
    get open() {
      return open;
    },
    onClose(f) {
      if (open) hooks.push(f);
      else f();
    },
    end() {
      close();
      res.end();
    },
  };
}
