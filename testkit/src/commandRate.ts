/**
 * Redis commands per process-second at rest, counted by Redis itself (`CONFIG RESETSTAT`, then
 * `INFO commandstats` after `ms`): shared by bench:redis-idle and the integration test that keeps it flat.
 * The counting connection's own commands are left out.
 */
import type { Redis } from "ioredis";

const OURS = new Set(["info", "config|resetstat", "config"]);

export interface IdleRate {
  /** Calls per process-second, by command. */
  perProcess: Map<string, number>;
  /** All commands per process-second. */
  total: number;
}

export async function idleCommandRate(db: Redis, processes: number, ms: number): Promise<IdleRate> {
  // Past the start-up writes and into the timers' steady state.
  await new Promise((r) => setTimeout(r, 2000));
  await db.config("RESETSTAT");
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const info = await db.info("commandstats");
  const seconds = (performance.now() - t0) / 1000;
  const perProcess = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (!OURS.has(m[1]!)) perProcess.set(m[1]!, Number(m[2]) / processes / seconds);
  }
  return { perProcess, total: [...perProcess.values()].reduce((a, b) => a + b, 0) };
}
