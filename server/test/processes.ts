/**
 * Real processes for multi-process tests: redis-server, game servers
 * (`node --import tsx server/src/main.ts`) and nginx, each started on free
 * ports and stopped by the test. Colyseus' matchmaker is a per-process
 * singleton, so two "processes" in one test file must be real ones.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { TEST_SECRET } from "./helpers.ts";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const INSTALL = "apt-get install -y redis-server nginx";

/** Fails at once, with the install command, when a system binary the test needs is missing. */
export function requireBinary(name: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name} || ls /usr/sbin/${name} 2>/dev/null`], { encoding: "utf8" });
  const path = found.stdout.trim().split("\n")[0];
  if (found.status !== 0 || !path) throw new Error(`${name} is not installed; install it with: ${INSTALL}`);
  return path;
}

/** A port that was free a moment ago (the OS picks it; the caller binds it right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves when `proc` prints a line matching `test`, rejects if it exits first or after `timeoutMs`. */
function waitForLine(proc: ChildProcess, test: (line: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (test(line)) {
          cleanup();
          resolve(line);
          return;
        }
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${what}: process exited (${code}) before it was ready`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      proc.stdout?.off("data", onData);
      proc.stderr?.off("data", onData);
      proc.off("exit", onExit);
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.once("exit", onExit);
  });
}

function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
}

export interface RedisProcess {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisProcess> {
  const bin = requireBinary("redis-server");
  const port = await freePort();
  const proc = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  await waitForLine(proc, (l) => l.includes("Ready to accept connections"), "redis-server");
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      proc.kill("SIGKILL");
      await exited(proc);
    },
  };
}

export interface ServerProcess {
  readonly port: number;
  readonly url: string;
  readonly processId: string;
  readonly proc: ChildProcess;
  /** Every output line so far (JSON logs). */
  readonly lines: string[];
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Starts `npm start`'s entry point as a child process and waits for its "listening" log line. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const proc = spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_ADDRESS: `127.0.0.1:${port}`,
      AUTH_SECRET: TEST_SECRET,
      LOG_LEVEL: "info",
      // Tests make many requests from one address; the limits' own tests turn them on.
      RATE_LIMITS: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const l of chunk.toString("utf8").split("\n")) if (l) lines.push(l);
    if (process.env.TEST_LOG) process.stderr.write(chunk);
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  const line = await waitForLine(proc, (l) => l.includes('"msg":"listening"'), `server on port ${port}`);
  const { processId } = JSON.parse(line) as { processId: string };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    processId,
    proc,
    lines,
    kill: async (signal) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited(proc);
    },
  };
}

export { waitForLine, exited };

export interface NginxProcess {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground with `-p prefix -c conf`; ready when /health answers through it. */
export async function startNginx(prefix: string, confPath: string, port: number, healthUrl: string): Promise<NginxProcess> {
  const bin = requireBinary("nginx");
  const proc = spawn(bin, ["-p", prefix, "-c", confPath], { stdio: ["ignore", "pipe", "pipe"] });
  const errors: string[] = [];
  proc.stderr.on("data", (c: Buffer) => errors.push(c.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${errors.join("")}`);
    try {
      const res = await fetch(healthUrl);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nginx not ready: ${errors.join("")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    stop: async () => {
      proc.kill("SIGQUIT");
      await exited(proc);
    },
  };
}
