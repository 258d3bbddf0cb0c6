/**
 * GET /api/leaderboard (a snapshot) and GET /api/leaderboard/stream
 * (Server-Sent Events). The stream opens with `event: snapshot`, then sends
 * `event: update` after each write anywhere; ids are the board's write
 * counter. There is no replay log: a client reconnecting with Last-Event-ID
 * gets a fresh snapshot, which already contains everything it missed.
 * A reader that falls behind skips to the newest board or, stalled, is
 * dropped (SseWriter); open streams are capped per address and per process
 * (eventStream.ts opens and closes every stream).
 */
import type { Application, Request, Response } from "express";
import { HttpErrors, type LeaderboardSnapshot } from "@arena/shared";
import { openEventStream, type EventStreamOptions } from "../eventStream.ts";
import type { Logger } from "../log.ts";
import type { Leaderboard } from "./Leaderboard.ts";

/** Retry-After of a board read refused while its store is unreachable. */
const UNREADABLE_RETRY_S = 2;

/** The stream's options (eventStream.ts), with keep-alives: board updates may be minutes apart. */
export type StreamOptions = EventStreamOptions & { readonly keepAliveMs: number };

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
    const stream = openEventStream(req, res, { ...opts, log }, "leaderboard");
    if (stream === undefined) return;
    const { writer } = stream;
    const resumedFrom = req.header("last-event-id");
    let ready = false;
    let early: LeaderboardSnapshot | undefined;
    // Subscribe before reading the snapshot, so a write in between is not lost.
    stream.onClose(leaderboard.subscribe((snapshot) => {
      if (ready) writer.snapshot("update", snapshot);
      else if (snapshot.version > (early?.version ?? -1)) early = snapshot;
    }));
    try {
      const snapshot = await leaderboard.snapshot();
      if (!stream.open) return;
      if (resumedFrom !== undefined) writer.raw(`: resumed after ${resumedFrom.replace(/[\r\n]/g, "").slice(0, 32)}; fresh snapshot follows\n\n`);
      writer.snapshot("snapshot", snapshot);
      ready = true;
      if (early !== undefined) writer.snapshot("update", early);
    } catch (error) {
      log.warn("leaderboard stream failed", { error });
      stream.end();
    }
  });
}
