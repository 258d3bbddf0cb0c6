/**
 * What one person may hold and do in the map editor (EDITOR_* settings, docs/OPERATIONS.md "Editor
 * quotas"): maps at once (counted by the map store's `claim`), publishes per minute over all their maps
 * (here), versions per map (the store's `publish`), and how long an untouched draft is kept (the store).
 * Publishes are counted with rate-limiter-flexible: in Redis when the maps are, so the budget is one
 * across processes; if Redis is unreachable, in this process' memory meanwhile (as RateLimits does).
 */
import type { RedisClient } from "../../scale/redisClient.ts";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { EditorQuotaConfig } from "../../config.ts";

export class EditorQuotas {
  private readonly publishes: RateLimiterAbstract;

  constructor(readonly limits: EditorQuotaConfig, redis?: RedisClient) {
    const opts = { keyPrefix: "arena:editor:publishes", points: limits.publishesPerMinute, duration: 60 };
    this.publishes = redis === undefined
      ? new RateLimiterMemory(opts)
      : new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(opts) });
  }

  /** Takes one publish from `userId`'s budget: undefined when it may publish, else the seconds until it may. */
  async publish(userId: string): Promise<number | undefined> {
    try {
      await this.publishes.consume(userId);
      return undefined;
    } catch (e) {
      // A store failure the insurance limiter could not absorb: let the publish through rather than block it.
      if (!(e instanceof RateLimiterRes)) return undefined;
      return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
    }
  }
}
