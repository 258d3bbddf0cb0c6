/**
 * A throwaway primary, one replica and one sentinel on loopback ports (no persistence), the sentinel ready to
 * promote the replica when the primary dies: what REDIS_SENTINELS points at in production, small.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { exited, freePort, requireBinary, spawnTracked, waitForLine } from "./processes.ts";

export interface RedisSentinelProcess {
  /** `127.0.0.1:port` of the sentinel: the value of REDIS_SENTINELS. */
  readonly sentinels: string;
  /** The primary's name the sentinel watches: the value of REDIS_SENTINEL_MASTER. */
  readonly master: string;
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** SIGKILLs the primary. */
  killPrimary(): Promise<void>;
  /** Resolves with the port of the primary the sentinel names once it is another than `notPort`. */
  waitForNewPrimary(notPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

const MASTER_NAME = "arena";
/** The sentinel's poll of its own state (it publishes +switch-master too, but the answer to a question is simpler). */
const POLL_MS = 100;

export async function startRedisSentinel(options: { downAfterMs?: number } = {}): Promise<RedisSentinelProcess> {
  const bin = requireBinary("redis-server");
  const dir = mkdtempSync(join(tmpdir(), "arena-redis-sentinel-"));
  const procs: ChildProcess[] = [];
  const start = async (args: string[], ready: string, what: string): Promise<ChildProcess> => {
    const proc = spawnTracked(bin, args);
    procs.push(proc);
    await waitForLine(proc, (l) => l.includes(ready), what);
    return proc;
  };
  const stop = async (): Promise<void> => {
    for (const p of procs) p.kill("SIGKILL");
    await Promise.all(procs.map((p) => exited(p)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const base = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir];
    const primaryPort = await freePort();
    const primary = await start(["--port", String(primaryPort), ...base], "Ready to accept connections", "primary");
    const replicaPort = await freePort();
    await start(["--port", String(replicaPort), ...base, "--replicaof", "127.0.0.1", String(primaryPort)], "MASTER <-> REPLICA sync: Finished", "replica");
    const sentinelPort = await freePort();
    const config = join(dir, "sentinel.conf");
    writeFileSync(config, [
      `port ${sentinelPort}`, "bind 127.0.0.1", `dir ${dir}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primaryPort} 1`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${options.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${MASTER_NAME} 10000`,
      "",
    ].join("\n"));
    await start([config, "--sentinel"], "+monitor master", "sentinel");
    const ask = new Redis({ host: "127.0.0.1", port: sentinelPort, maxRetriesPerRequest: 1 });
    ask.on("error", () => undefined);
    // A sentinel that knows no replica yet could not promote one.
    const deadline = Date.now() + 15_000;
    while (((await ask.call("SENTINEL", "REPLICAS", MASTER_NAME)) as unknown[]).length === 0) {
      if (Date.now() > deadline) throw new Error("sentinel: the replica was never discovered");
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return {
      sentinels: `127.0.0.1:${sentinelPort}`,
      master: MASTER_NAME,
      primaryPort,
      replicaPort,
      killPrimary: async () => {
        primary.kill("SIGKILL");
        await exited(primary);
      },
      waitForNewPrimary: async (notPort, timeoutMs = 20_000) => {
        const until = Date.now() + timeoutMs;
        for (;;) {
          const [, port] = (await ask.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)) as [string, string];
          if (Number(port) !== notPort) return Number(port);
          if (Date.now() > until) throw new Error(`sentinel: no new primary within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      },
      stop: async () => {
        ask.disconnect();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
