/** A game-server process for benchmarks: start it on a free loopback port, wait for its "listening" line, stop it. */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// Whatever happens to the benchmark, its servers do not outlive it.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Starts `node --import tsx <script>` on a free loopback port and resolves once it listens. */
export async function startProcess(name: string, script: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    // Every bot comes from 127.0.0.1: per-address limits would measure themselves, not the server.
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", RATE_LIMITS: "off", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s`)), 30_000);
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}`)));
    lines.on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === "listening" && entry.port !== undefined) {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch { /* not a log line */ }
    });
  });
  const stop = (): Promise<void> => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
  return { name, pid: child.pid!, port, url: `http://127.0.0.1:${port}`, stop };
}
