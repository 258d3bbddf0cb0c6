/** The editor's quotas and draft expiry with maps in Redis (a TTL on a draft's keys): editor-quotas.scenario.ts. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { startRedis, startTestServer, type RedisProcess } from "@arena/testkit";
import { RedisMapStore } from "../src/rooms/editor/store.ts";
import { QUOTA_ENV, editorQuotaTests } from "./editor-quotas.scenario.ts";

let redis: RedisProcess;
let dataDir = "";

editorQuotaTests({
  async server() {
    redis = await startRedis();
    // An empty data directory: every map lives in Redis.
    dataDir = await mkdtemp(join(tmpdir(), "arena-editor-quotas-redis-"));
    return startTestServer({ REDIS_URL: redis.url, DATA_DIR: dataDir, ...QUOTA_ENV });
  },
  probe: () => new RedisMapStore(new Redis(redis.url)),
  async stop() {
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  },
});
