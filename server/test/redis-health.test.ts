/**
 * The health probe's verdict on a ping that timed out: Redis silent (down) when the timeout fired on time, this
 * process stalled (no verdict, the next ping decides) when it fired long after it was due — under a burst a busy
 * event loop runs the timeout before it reads the reply already in the socket.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { PROBE_INTERVAL_MS, RedisHealth, STALL_TOLERANCE_MS } from "../src/scale/redisHealth.ts";
import { REDIS_COMMAND_TIMEOUT_MS } from "../src/scale/redisOptions.ts";
import type { Logger } from "../src/log.ts";

const warnings: string[] = [];
const log: Logger = { debug: () => {}, info: () => {}, warn: (msg) => warnings.push(msg), error: () => {}, child: () => log };

afterEach(() => {
  vi.useRealTimers();
  warnings.length = 0;
});

/** A health watcher whose one ping fails after `elapsedMs` of (fake) wall time. */
async function afterFailedPing(elapsedMs: number): Promise<RedisHealth> {
  vi.useFakeTimers();
  let clock = 0;
  const health = new RedisHealth(log, () => clock);
  health.probe("presence", async () => {
    clock += elapsedMs;
    throw new Error("Command timed out");
  });
  await vi.advanceTimersByTimeAsync(PROBE_INTERVAL_MS);
  health.stop();
  return health;
}

describe("redis health probe", () => {
  it("marks Redis down when a ping times out on time", async () => {
    const health = await afterFailedPing(REDIS_COMMAND_TIMEOUT_MS + 20);
    expect(health.up).toBe(false);
  });

  it("does not mark Redis down when the timeout fired late because this process was stalled, and says so", async () => {
    const health = await afterFailedPing(REDIS_COMMAND_TIMEOUT_MS + STALL_TOLERANCE_MS + 1500);
    expect(health.up).toBe(true);
    expect(warnings).toEqual(["redis ping timed out while this process was stalled; the next ping decides"]);
  });
});
