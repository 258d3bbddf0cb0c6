/** The HTTP surface besides Colyseus' matchmaking: health check, guest sign-in, and the API routes, each behind its per-address limit. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import express, { type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { matchMaker } from "@colyseus/core";
import { cleanName } from "@arena/shared";
import { issueGuestToken } from "./auth.ts";
import { matchMakerReady } from "./colyseusInternals.ts";
import type { Config } from "./config.ts";
import type { Leaderboard } from "./leaderboard/Leaderboard.ts";
import type { RateLimits } from "./limits/RateLimits.ts";
import { streamCapsByKind } from "./limits/StreamCaps.ts";
import { mountLeaderboardRoutes } from "./leaderboard/routes.ts";
import type { Logger } from "./log.ts";
import { mountMatchmakingRoutes } from "./matchmaking/routes.ts";
import type { Metrics } from "./metrics.ts";
import type { RedisHealth } from "./scale/redisHealth.ts";
import { mountMonitor } from "./monitor.ts";
import type { People } from "./people/People.ts";
import { mountPeopleRoutes } from "./people/routes.ts";
import type { StatusFeed } from "./status/StatusFeed.ts";
import { mountStatusRoutes } from "./status/routes.ts";

const GuestRequest = z.object({ name: z.string().max(64) }).strip();

export interface HttpDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly startedAt: number;
  readonly leaderboard: Leaderboard;
  readonly metrics: Metrics;
  readonly limits: RateLimits;
  /** Reachability of Redis, when REDIS_URL is set. */
  readonly redis?: RedisHealth | undefined;
  readonly people: People;
  readonly status: StatusFeed;
}

/** Adds the routes to the transport's express app. */
export function mountHttp(app: express.Application, deps: HttpDeps): void {
  const { config, log } = deps;
  // CORS: one policy for every route, applied by Colyseus ahead of Express (cors.ts, installed in app.ts).

  app.get("/health", (_req, res) => {
    // 503 only while shutting down, so a load balancer stops sending new players here. A Redis outage is
    // "degraded" with 200: every process shares that Redis, so taking them all out of nginx's rotation
    // (it counts 503s as failures) would only add a dead page to running matches and failing joins.
    const ready = matchMakerReady();
    const redis = deps.redis?.status();
    const status = !ready ? "shutting_down" : redis !== undefined && redis.status !== "up" ? "degraded" : "ok";
    res.status(ready ? 200 : 503).json({
      status,
      ...(redis !== undefined ? { dependencies: { redis } } : {}),
      leaderboardCredits: deps.leaderboard.creditStats(),
      processId: matchMaker.processId,
      rooms: matchMaker.stats.local.roomCount,
      clients: matchMaker.stats.local.ccu,
      uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
      metrics: deps.metrics.summary(),
    });
  });

  app.get("/metrics", async (_req, res, next) => {
    try {
      const body = await deps.metrics.registry.metrics();
      res.setHeader("Content-Type", deps.metrics.registry.contentType);
      res.send(body);
    } catch (e) {
      next(e);
    }
  });

  if (mountMonitor(app, config.monitorUser, config.monitorPassword, deps.limits)) log.info("monitor panel mounted", { path: "/colyseus", user: config.monitorUser });

  app.post("/api/auth/guest", deps.limits.guard("signIn"), express.json({ limit: "2kb" }), async (req, res, next) => {
    try {
      const parsed = GuestRequest.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: "invalid_request", message: "body must be JSON {\"name\": string (at most 64 characters)}" });
        return;
      }
      const name = cleanName(parsed.data.name);
      if (name === "") {
        res.status(400).json({ error: "invalid_name", message: "name must contain printable characters" });
        return;
      }
      const issued = await issueGuestToken(config.authSecret, name);
      log.info("guest token issued", { userId: issued.userId, name });
      res.json(issued);
    } catch (e) {
      next(e);
    }
  });

  mountMatchmakingRoutes(app, config.authSecret, deps.limits, log);
  // Each kind of stream has its own caps: anonymous status viewers cannot take a person's notification stream's slot.
  const caps = streamCapsByKind(config.sseMaxPerAddress, config.sseMaxStreams);
  mountLeaderboardRoutes(app, deps.leaderboard, {
    keepAliveMs: config.sseKeepAliveSeconds * 1000,
    stallMs: config.sseStallSeconds * 1000,
    caps: caps.leaderboard,
    limits: deps.limits,
  }, log);
  mountPeopleRoutes(app, deps.people, {
    authSecret: config.authSecret,
    limits: deps.limits,
    caps: caps.notifications,
    keepAliveMs: config.sseKeepAliveSeconds * 1000,
    stallMs: config.sseStallSeconds * 1000,
  }, log);
  mountStatusRoutes(app, deps.status, { limits: deps.limits, caps: caps.status, stallMs: config.sseStallSeconds * 1000, log });

  // Malformed or oversized JSON bodies, and anything else thrown by a route: a JSON error, never a stack trace.
  app.use("/api", (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === "number" ? (err as { status: number }).status : 500;
    if (status >= 500) log.error("http error", { error: err });
    res.status(status).json({ error: status === 413 ? "too_large" : status < 500 ? "bad_request" : "internal", message: status < 500 ? (err as Error).message : "internal error" });
  });
}

/**
 * Serves the built browser client (client/dist) when it exists, so one URL is
 * the whole game in production. Returns false when there is nothing to serve.
 */
export function mountClient(app: express.Application, dir: string): boolean {
  const index = join(dir, "index.html");
  if (!existsSync(index)) return false;
  app.use(express.static(dir, { index: false, maxAge: "1h", setHeaders: (res, path) => {
    // Hashed assets never change; the page itself must always be fresh.
    if (path.includes("/assets/")) res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
  } }));
  app.get("/", (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  });
  // The live status page (client/status.html, a second Vite entry).
  const status = join(dir, "status.html");
  app.get("/status", (_req, res, next) => {
    if (!existsSync(status)) return next();
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(status);
  });
  // The map editor (client/editor.html, a third Vite entry).
  const editor = join(dir, "editor.html");
  app.get("/editor", (_req, res, next) => {
    if (!existsSync(editor)) return next();
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(editor);
  });
  // The replay viewer (client/replay.html, a fourth Vite entry): /replay/<id>, the id read by the page.
  const replay = join(dir, "replay.html");
  app.get("/replay/:id", (_req, res, next) => {
    if (!existsSync(replay)) return next();
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(replay);
  });
  return true;
}
