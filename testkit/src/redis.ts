/** A throwaway redis-server on a free port: no persistence, killed by the test. */
import { exited, freePort, requireBinary, spawnTracked, waitForLine } from "./processes.ts";

export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGKILL, and resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that hangs with its sockets open, and one that resumes. */
  signal(signal: "SIGSTOP" | "SIGCONT"): void;
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
    signal: (signal) => void proc.kill(signal),
  };
}

/** A redis-server that can be SIGKILLed and started again on the same port (no persistence: it comes back empty). */
export class RestartableRedis {
  private current: RedisProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RestartableRedis> {
    const redis = new RestartableRedis(await freePort());
    await redis.restart();
    return redis;
  }

  async restart(): Promise<void> {
    this.current = await startRedis(this.port);
  }

  /** Starts it again unless it is running (e.g. each test begins with a running Redis, whatever the previous one left). */
  async ensureRunning(): Promise<void> {
    if (this.current === undefined) await this.restart();
  }

  signal(signal: "SIGSTOP" | "SIGCONT"): void {
    this.current?.signal(signal);
  }

  /** SIGKILL: the outage. */
  async kill(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.stop();
  }
}
