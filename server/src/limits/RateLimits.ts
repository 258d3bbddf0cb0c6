/**
 * Per-address request limits on the HTTP routes (rate-limiter-flexible):
 * counted in Redis when REDIS_URL is set, so every process enforces one
 * shared budget, and in memory otherwise. A refused request gets 429, a
 * Retry-After header and `{ error: "rate_limited", message }`.
 *
 * If Redis is unreachable the same limits are kept in each process' memory
 * (the library's insurance limiter), so an outage neither blocks every
 * request nor lifts the limits: it only stops sharing them across processes.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { createRedisClient, type RedisClient } from "../scale/redisClient.ts";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { matchMaker } from "@colyseus/core";
import { HttpErrors } from "@arena/shared";
import type { Config, LimitedRoute, RateLimit } from "../config.ts";
import type { Logger } from "../log.ts";
import { clientAddressResolver, limitKey, type AddressOf } from "./clientAddress.ts";
import { guardRequests } from "../colyseusInternals.ts";

/** What the refusal message calls each route. */
const WHAT: Record<LimitedRoute, string> = {
  signIn: "sign-in",
  codeJoin: "join-by-code",
  spectate: "spectate",
  leaderboard: "leaderboard",
  sseConnect: "leaderboard stream",
  matchmake: "matchmaking",
  people: "people and notification",
  invite: "invite",
  maps: "published map",
  replays: "replay",
  monitorLogin: "failed monitor login",
};

/** A Redis round trip slower than this counts in memory instead (the request must not wait on Redis). */
const REDIS_TIMEOUT_MS = 500;

export class RateLimits {
  private constructor(
    private readonly limiters: ReadonlyMap<LimitedRoute, RateLimiterAbstract>,
    readonly addressOf: AddressOf,
    private readonly redis: RedisClient | undefined,
    private readonly onRefused: (route: LimitedRoute) => void,
  ) {}

  /** `onRefused` hears of every request refused with 429 (the metrics count them by route). */
  static create(config: Pick<Config, "rateLimits" | "trustProxy" | "redis">, log: Logger, onRefused: (route: LimitedRoute) => void = () => {}): RateLimits {
    const active = (Object.entries(config.rateLimits) as [LimitedRoute, RateLimit | undefined][]).filter((e): e is [LimitedRoute, RateLimit] => e[1] !== undefined);
    let redis: RedisClient | undefined;
    if (config.redis !== undefined && active.length > 0) {
      // No offline queue: while Redis is away a count fails at once and the memory limiter takes it.
      redis = createRedisClient(config.redis, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: REDIS_TIMEOUT_MS });
      let healthy = true;
      redis.on("error", (error) => {
        if (healthy) log.warn("rate limits: redis unavailable, counting in this process until it is back", { error });
        healthy = false;
      });
      redis.on("ready", () => {
        if (!healthy) log.info("rate limits: redis is back, limits are shared again");
        healthy = true;
      });
    }
    const limiters = new Map<LimitedRoute, RateLimiterAbstract>();
    for (const [route, limit] of active) {
      const opts = { keyPrefix: `arena:rl:${route}`, points: limit.points, duration: limit.seconds };
      limiters.set(route, redis === undefined
        ? new RateLimiterMemory(opts)
        : new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(opts) }));
    }
    return new RateLimits(limiters, clientAddressResolver(config.trustProxy), redis, onRefused);
  }

  /**
   * Counts the request against its address' budget for `route`. Returns true
   * when it may go on; otherwise the 429 has been sent (with `headers` too).
   */
  async admit(route: LimitedRoute, req: IncomingMessage, res: ServerResponse, headers: Record<string, string> = {}): Promise<boolean> {
    return this.admitKey(route, limitKey(this.addressOf(req)), res, "from your address", headers);
  }

  /** admit() for a budget that is not an address' (e.g. a person's user id); `whose` ends the refusal message. */
  async admitKey(route: LimitedRoute, key: string, res: ServerResponse, whose: string, headers: Record<string, string> = {}): Promise<boolean> {
    const limiter = this.limiters.get(route);
    if (limiter === undefined) return true;
    try {
      await limiter.consume(key);
      return true;
    } catch (e) {
      // Not a refusal but a store failure the insurance limiter could not absorb: let the request through.
      if (!(e instanceof RateLimiterRes)) return true;
      this.onRefused(route);
      tooMany(res, Math.max(1, Math.ceil(e.msBeforeNext / 1000)), `too many ${WHAT[route]} requests ${whose}`, headers);
      return false;
    }
  }

  /**
   * For budgets of failures (e.g. wrong passwords): whether the address has used up its `route` budget, without
   * counting this request; when it has, the 429 has been sent. Count each failure with `fail()`.
   */
  async spent(route: LimitedRoute, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const limiter = this.limiters.get(route);
    if (limiter === undefined) return false;
    const state = await limiter.get(limitKey(this.addressOf(req))).catch(() => null);
    if (state === null || state.consumedPoints < limiter.points) return false;
    this.onRefused(route);
    tooMany(res, Math.max(1, Math.ceil(state.msBeforeNext / 1000)), `too many ${WHAT[route]}s from your address`);
    return true;
  }

  /** Counts one failure against the address' `route` budget (see spent()). */
  async fail(route: LimitedRoute, req: IncomingMessage): Promise<void> {
    await this.limiters.get(route)?.consume(limitKey(this.addressOf(req))).catch(() => undefined);
  }

  /** Express middleware for one route. */
  guard(route: LimitedRoute) {
    return (req: Request, res: Response, next: NextFunction): void => {
      this.admit(route, req, res).then((ok) => {
        if (ok) next();
      }, next);
    };
  }

  /**
   * Colyseus answers POST /matchmake/* from its own 'request' listener on the
   * HTTP server, ahead of Express; the listeners it registered are wrapped so
   * those requests are counted first. Call after `Server.listen()` has bound them.
   */
  guardMatchmaking(server: HttpServer): void {
    if (!this.limiters.has("matchmake")) return;
    guardRequests(server, (req, res, pass) => {
      if (req.method !== "POST" || !req.url?.startsWith("/matchmake/")) return pass();
      // The refusal carries the CORS headers Colyseus would have sent, so a browser can read it.
      const cors = { ...matchMaker.controller.DEFAULT_CORS_HEADERS, ...matchMaker.controller.getCorsHeaders(new Headers(req.headers as Record<string, string>)) };
      this.admit("matchmake", req, res, cors).then((ok) => {
        if (ok) pass();
      }, () => pass());
    });
  }

  async close(): Promise<void> {
    if (this.redis !== undefined) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

/** 429 with Retry-After (seconds) and the JSON error every limited route uses. */
export function tooMany(res: ServerResponse, retryAfterS: number, why: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const body = JSON.stringify({ error: HttpErrors.RATE_LIMITED, message: `${why}; try again in ${retryAfterS} s` });
  res.writeHead(429, { ...headers, "Content-Type": "application/json; charset=utf-8", "Retry-After": String(retryAfterS), "Cache-Control": "no-store" });
  res.end(body);
}
