/**
 * GET /api/status/stream: Server-Sent Events for the status page. Public (the
 * figures are cluster totals), behind the stream rate limit and caps. Opens
 * with `event: history` (the last samples), then `event: sample` each second
 * (often enough that no keep-alive is needed). Its cap is its own: anonymous
 * viewers cannot take the notification streams' slots.
 * A reader that falls behind skips samples (the chart shows a gap) and one
 * that stalls is dropped (SseWriter).
 */
import type { Application, Request, Response } from "express";
import type { StatusSample } from "@arena/shared";
import { openEventStream, type EventStreamOptions } from "../eventStream.ts";
import type { StatusFeed } from "./StatusFeed.ts";

/** Every viewer gets the same sample object: serialize it once. */
const texts = new WeakMap<StatusSample, string>();
function sampleText(sample: StatusSample): string {
  let text = texts.get(sample);
  if (text === undefined) texts.set(sample, (text = `id: ${sample.t}\nevent: sample\ndata: ${JSON.stringify(sample)}\n\n`));
  return text;
}

export function mountStatusRoutes(app: Application, feed: StatusFeed, opts: EventStreamOptions): void {
  app.get("/api/status/stream", opts.limits.guard("sseConnect"), (req: Request, res: Response) => {
    const stream = openEventStream(req, res, opts, "status");
    if (stream === undefined) return;
    stream.writer.event(`event: history\ndata: ${JSON.stringify(feed.history)}\n\n`);
    stream.onClose(feed.subscribe((sample) => void stream.writer.event(sampleText(sample))));
  });
}
