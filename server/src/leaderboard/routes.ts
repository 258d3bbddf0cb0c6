/**
 * GET /api/leaderboard (a snapshot) and GET /api/leaderboard/stream
 * (Server-Sent Events). The stream opens with `event: snapshot`, then sends
 * `event: update` after each write anywhere; ids are the board's write
 * counter. There is no replay log: a client reconnecting with Last-Event-ID
 * gets a fresh snapshot, which already contains everything it missed.
 * A reader that falls behind skips to the newest board or, stalled, is
 * dropped (SseWriter); open streams are capped per address and per process.
 */
import type { Application, Request, Response } from "express";
import { HttpErrors, type LeaderboardSnapshot } from "@arena/shared";
import type { Logger } from "../log.ts";
import { limitKey } from "../limits/clientAddress.ts";
import { tooMany, type RateLimits } from "../limits/RateLimits.ts";
import type { StreamCaps } from "../limits/StreamCaps.ts";
import type { Leaderboard } from "./Leaderboard.ts";
import { SseWriter } from "./SseWriter.ts";

/** Reconnect delay the stream asks browsers to use. */
export const SSE_RETRY_MS = 2000;

/** Retry-After of a stream refused by a cap: open streams end slowly, so a few seconds. */
const CAP_RETRY_S = 5;

/** Retry-After of a board read refused while its store is unreachable. */
const UNREADABLE_RETRY_S = 2;

export interface StreamOptions {
  readonly keepAliveMs: number;
  /** A stream whose socket stays full this long is dropped. */
  readonly stallMs: number;
  readonly caps: StreamCaps;
  readonly limits: RateLimits;
}

export function mountLeaderboardRoutes(app: Application, leaderboard: Leaderboard, opts: StreamOptions, log: Logger): void {
  app.get("/api/leaderboard", opts.limits.guard("leaderboard"), async (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    try {
      res.json(await leaderboard.snapshot());
    } catch (error) {
      // The store is unreachable (a Redis outage): the caller may retry, nothing was lost on its side.
      log.warn("leaderboard read failed", { error });
      res.status(503).setHeader("Retry-After", String(UNREADABLE_RETRY_S));
      res.json({ error: HttpErrors.UNAVAILABLE, message: `the leaderboard cannot be read right now; try again in ${UNREADABLE_RETRY_S} s` });
    }
  });

  app.get("/api/leaderboard/stream", opts.limits.guard("sseConnect"), async (req: Request, res: Response) => {
    const address = opts.limits.addressOf(req);
    const release = opts.caps.take(limitKey(address));
    if (release === "address") {
      tooMany(res, CAP_RETRY_S, "too many open leaderboard streams from your address");
      return;
    }
    if (release === "process") {
      res.status(503).setHeader("Retry-After", String(CAP_RETRY_S));
      res.json({ error: HttpErrors.BUSY, message: `this server has no room for another leaderboard stream; try again in ${CAP_RETRY_S} s` });
      return;
    }
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // nginx must not buffer the stream (deploy/nginx also turns buffering off here).
      "X-Accel-Buffering": "no",
    });
    const writer = new SseWriter(res, opts.stallMs, () => {
      log.info("leaderboard stream dropped: its reader stopped reading", { address, stalledMs: opts.stallMs });
      res.destroy();
    });
    writer.raw(`retry: ${SSE_RETRY_MS}\n\n`);
    const resumedFrom = req.header("last-event-id");
    let ready = false;
    let open = true;
    let early: LeaderboardSnapshot | undefined;
    // Subscribe before reading the snapshot, so a write in between is not lost.
    const unsubscribe = leaderboard.subscribe((snapshot) => {
      if (ready) writer.snapshot("update", snapshot);
      else if (snapshot.version > (early?.version ?? -1)) early = snapshot;
    });
    const keepAlive = setInterval(() => writer.raw(": keep-alive\n\n"), opts.keepAliveMs);
    const close = (): void => {
      if (!open) return;
      open = false;
      clearInterval(keepAlive);
      unsubscribe();
      release();
    };
    // 'close' on the response fires however the stream ends: the client left, the socket died, or a drop.
    res.on("close", close);
    res.on("error", close);
    try {
      const snapshot = await leaderboard.snapshot();
      if (!open) return;
      if (resumedFrom !== undefined) writer.raw(`: resumed after ${resumedFrom.replace(/[\r\n]/g, "").slice(0, 32)}; fresh snapshot follows\n\n`);
      writer.snapshot("snapshot", snapshot);
      ready = true;
      if (early !== undefined) writer.snapshot("update", early);
    } catch (error) {
      log.warn("leaderboard stream failed", { error });
      close();
      res.end();
    }
  });
}
