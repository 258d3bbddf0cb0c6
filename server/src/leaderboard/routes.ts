/**
 * GET /api/leaderboard (a snapshot) and GET /api/leaderboard/stream
 * (Server-Sent Events). The stream opens with `event: snapshot`, then sends
 * `event: update` after each write anywhere; ids are the board's write
 * counter. There is no replay log: a client reconnecting with Last-Event-ID
 * gets a fresh snapshot, which already contains everything it missed.
 */
import type { Application, Request, Response } from "express";
import type { LeaderboardSnapshot } from "@arena/shared";
import type { Logger } from "../log.ts";
import type { Leaderboard } from "./Leaderboard.ts";

/** Reconnect delay the stream asks browsers to use. */
export const SSE_RETRY_MS = 2000;

function event(res: Response, name: "snapshot" | "update", snapshot: LeaderboardSnapshot): void {
  res.write(`id: ${snapshot.version}\nevent: ${name}\ndata: ${JSON.stringify(snapshot)}\n\n`);
}

export function mountLeaderboardRoutes(app: Application, leaderboard: Leaderboard, keepAliveMs: number, log: Logger): void {
  app.get("/api/leaderboard", async (_req, res, next) => {
    try {
      res.setHeader("Cache-Control", "no-store");
      res.json(await leaderboard.snapshot());
    } catch (e) {
      next(e);
    }
  });

  app.get("/api/leaderboard/stream", async (req: Request, res: Response) => {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // nginx must not buffer the stream (deploy/nginx also turns buffering off here).
      "X-Accel-Buffering": "no",
    });
    res.write(`retry: ${SSE_RETRY_MS}\n\n`);
    const resumedFrom = req.header("last-event-id");
    let sentVersion = -1;
    let pending: LeaderboardSnapshot | undefined;
    let open = true;
    // Subscribe before reading the snapshot, so a write in between is not lost.
    const unsubscribe = leaderboard.subscribe((snapshot) => {
      if (sentVersion < 0) pending = snapshot;
      else if (snapshot.version > sentVersion) {
        sentVersion = snapshot.version;
        event(res, "update", snapshot);
      }
    });
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), keepAliveMs);
    const close = (): void => {
      if (!open) return;
      open = false;
      clearInterval(keepAlive);
      unsubscribe();
    };
    req.on("close", close);
    res.on("error", close);
    try {
      const snapshot = await leaderboard.snapshot();
      if (!open) return;
      if (resumedFrom !== undefined) res.write(`: resumed after ${resumedFrom.replace(/[\r\n]/g, "").slice(0, 32)}; fresh snapshot follows\n\n`);
      sentVersion = snapshot.version;
      event(res, "snapshot", snapshot);
      if (pending !== undefined && pending.version > sentVersion) {
        sentVersion = pending.version;
        event(res, "update", pending);
      }
    } catch (error) {
      log.warn("leaderboard stream failed", { error });
      close();
      res.end();
    }
  });
}
