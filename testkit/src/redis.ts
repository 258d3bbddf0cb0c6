/** A throwaway redis-server on a free port: no persistence, killed by the test. */
import { exited, freePort, requireBinary, spawnTracked, waitForLine } from "./processes.ts";

export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts redis-server (on `port` if given, e.g. to bring it back after a stop) and resolves once it accepts connections. */
export async function startRedis(port?: number): Promise<RedisProcess> {
  const bin = requireBinary("redis-server");
  const p = port ?? (await freePort());
  const proc = spawnTracked(bin, ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]);
  await waitForLine(proc, (l) => l.includes("Ready to accept connections"), "redis-server");
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    pid: proc.pid!,
    stop: async () => {
      proc.kill("SIGKILL");
      await exited(proc);
    },
  };
}
