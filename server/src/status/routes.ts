/**
 * GET /api/status/stream: Server-Sent Events for the status page. Public (the
 * figures are cluster totals), behind the stream rate limit and caps. Opens
 * with `event: history` (the last samples), then `event: sample` each second.
 * A reader that falls behind skips samples (the chart shows a gap) and one
 * that stalls is dropped (SseWriter).
 */
import type { Application, Request, Response } from "express";
import { HttpErrors, type StatusSample } from "@arena/shared";
import { SseWriter } from "../leaderboard/SseWriter.ts";
import { SSE_RETRY_MS } from "../leaderboard/routes.ts";
import { limitKey } from "../limits/clientAddress.ts";
import { tooMany, type RateLimits } from "../limits/RateLimits.ts";
import type { StreamCaps } from "../limits/StreamCaps.ts";
import type { StatusFeed } from "./StatusFeed.ts";

/** Every viewer gets the same sample object: serialize it once. */
const texts = new WeakMap<StatusSample, string>();
function sampleText(sample: StatusSample): string {
  let text = texts.get(sample);
  if (text === undefined) texts.set(sample, (text = `id: ${sample.t}\nevent: sample\ndata: ${JSON.stringify(sample)}\n\n`));
  return text;
}

export function mountStatusRoutes(app: Application, feed: StatusFeed, opts: { limits: RateLimits; caps: StreamCaps; stallMs: number }): void {
  app.get("/api/status/stream", opts.limits.guard("sseConnect"), (req: Request, res: Response) => {
    const release = opts.caps.take(limitKey(opts.limits.addressOf(req)));
    if (typeof release !== "function") {
      if (release === "address") tooMany(res, 5, "too many open streams from your address");
      else res.status(503).setHeader("Retry-After", "5").json({ error: HttpErrors.BUSY, message: "this server has no room for another stream; try again in 5 s" });
      return;
    }
    res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", Connection: "keep-alive", "X-Accel-Buffering": "no" });
    const writer = new SseWriter(res, opts.stallMs, () => res.destroy());
    writer.raw(`retry: ${SSE_RETRY_MS}\n\n`);
    writer.event(`event: history\ndata: ${JSON.stringify(feed.history)}\n\n`);
    const unsubscribe = feed.subscribe((sample) => void writer.event(sampleText(sample)));
    res.on("close", () => {
      unsubscribe();
      release();
    });
  });
}
