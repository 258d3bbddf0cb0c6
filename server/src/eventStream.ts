/**
 * Opening a Server-Sent Events response behind the per-address and
 * per-process stream caps, with a backpressure-aware SseWriter: what the
 * notification and status streams share (the leaderboard stream predates it).
 */
import type { Request, Response } from "express";
import { HttpErrors } from "@arena/shared";
import { SseWriter } from "./leaderboard/SseWriter.ts";
import { SSE_RETRY_MS } from "./leaderboard/routes.ts";
import { limitKey } from "./limits/clientAddress.ts";
import { tooMany, type RateLimits } from "./limits/RateLimits.ts";
import type { StreamCaps } from "./limits/StreamCaps.ts";

/** Retry-After of a stream refused by a cap: open streams end slowly, so a few seconds. */
const CAP_RETRY_S = 5;

export interface EventStreamOptions {
  readonly limits: RateLimits;
  readonly caps: StreamCaps;
  /** A stream whose socket stays full this long is dropped. */
  readonly stallMs: number;
}

/**
 * Takes a cap slot and writes the stream's headers and `retry:`; returns the
 * writer, or undefined when a cap refused it (429 per address, 503 per
 * process, already answered). The slot is released when the response closes.
 */
export function openEventStream(req: Request, res: Response, opts: EventStreamOptions, what: string): SseWriter | undefined {
  const release = opts.caps.take(limitKey(opts.limits.addressOf(req)));
  if (release === "address") {
    tooMany(res, CAP_RETRY_S, `too many open ${what} streams from your address`);
    return undefined;
  }
  if (release === "process") {
    res.status(503).setHeader("Retry-After", String(CAP_RETRY_S));
    res.json({ error: HttpErrors.BUSY, message: `this server has no room for another ${what} stream; try again in ${CAP_RETRY_S} s` });
    return undefined;
  }
  res.on("close", release);
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    // nginx must not buffer the stream.
    "X-Accel-Buffering": "no",
  });
  const writer = new SseWriter(res, opts.stallMs, () => res.destroy());
  writer.raw(`retry: ${SSE_RETRY_MS}\n\n`);
  return writer;
}
