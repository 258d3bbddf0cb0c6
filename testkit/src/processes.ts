/**
 * Child processes on free loopback ports: game servers (the bundle the test
 * tiers build, or `server/src/main.ts` under tsx, as `npm run dev` runs it),
 * the benchmark's baseline servers, and
 * the system binaries the multi-process tests drive. Colyseus' matchmaker is a
 * per-process singleton, so two game processes in one test must be real ones.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { TEST_SECRET } from "./secret.ts";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The game server's entry point, run from source so tests see the code under test. */
export const SERVER_MAIN = `${REPO_ROOT}server/src/main.ts`;

/**
 * What a spawned game server runs: the bundle of the source that the cluster and e2e tiers build at the start of their
 * run (serverBundle.setup.ts sets ARENA_SERVER_BUNDLE), else the source under tsx (a benchmark, a file run outside
 * those tiers).
 */
export function serverEntry(): string {
  return process.env.ARENA_SERVER_BUNDLE ?? SERVER_MAIN;
}

/** Node's arguments to run `script`: plain JavaScript as it is, TypeScript through tsx. */
export function nodeArgs(script: string): string[] {
  return script.endsWith(".js") ? [script] : ["--import", "tsx", script];
}
/** How the system programs the tests drive are installed (scripts/ensure-test-deps.sh does it for `npm test`). */
export const INSTALL_HINT = "bash scripts/ensure-test-deps.sh (as root it installs them; otherwise it prints the apt-get command)";
/** Lines of output kept per process (the newest). */
const MAX_LINES = 5000;

/** The path of a system binary; fails at once, with the install command, when it is missing. */
export function requireBinary(name: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name} || ls /usr/sbin/${name} 2>/dev/null`], { encoding: "utf8" });
  const path = found.stdout.trim().split("\n")[0];
  if (found.status !== 0 || !path) throw new Error(`${name} is not installed; install it with: ${INSTALL_HINT}`);
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
export function waitForLine(proc: ChildProcess, test: (line: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
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

/** Resolves with the exit code once `proc` has exited (at once if it already has). */
export function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
}

const running = new Set<ChildProcess>();
// Whatever happens to the test or benchmark, the processes it started do not outlive it.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Spawns a system program, tracked so it dies with this process. */
export function spawnTracked(bin: string, args: readonly string[]): ChildProcess {
  const proc = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(proc);
  proc.once("exit", () => running.delete(proc));
  return proc;
}

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** http://127.0.0.1:port */
  readonly url: string;
  readonly proc: ChildProcess;
  /** The newest output lines (JSON logs). */
  readonly lines: string[];
  /** Sends `signal` (if still running) and resolves with the exit code. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface GameServerProcess extends ServerProcess {
  /** The Colyseus process id, from its "listening" line. */
  readonly processId: string;
}

export interface StartProcessOptions {
  /** Environment on top of ours; PORT defaults to 0 (the port is read from the "listening" line). */
  env?: Record<string, string>;
  /** Copy the process's stderr to ours (always when TEST_LOG is set). */
  showErrors?: boolean;
  timeoutMs?: number;
}

/** Starts `script` on Node (through tsx if it is TypeScript) and resolves once it logs `"msg":"listening"` with its port. */
export async function startProcess(name: string, script: string, options: StartProcessOptions = {}): Promise<ServerProcess & { listening: Record<string, unknown> }> {
  const proc = spawn(process.execPath, nodeArgs(script), {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(proc);
  proc.once("exit", () => running.delete(proc));
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const l of chunk.toString("utf8").split("\n")) if (l) lines.push(l);
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  if (process.env.TEST_LOG) proc.stdout.on("data", (c: Buffer) => process.stderr.write(c));
  if (process.env.TEST_LOG || options.showErrors) proc.stderr.on("data", (c: Buffer) => process.stderr.write(c));
  const line = await waitForLine(proc, (l) => l.includes('"msg":"listening"'), name, options.timeoutMs ?? 30_000);
  const listening = JSON.parse(line) as Record<string, unknown>;
  const port = Number(listening.port);
  const kill = async (signal: NodeJS.Signals): Promise<number | null> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return exited(proc);
  };
  const stop = async (): Promise<void> => {
    const hard = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await kill("SIGTERM");
    clearTimeout(hard);
  };
  return { name, pid: proc.pid!, port, url: `http://127.0.0.1:${port}`, proc, lines, kill, stop, listening };
}

/**
 * Starts a game server as its own process with TEST_SECRET, on a port chosen
 * first so its PUBLIC_ADDRESS (needed with Redis) can name it; `env` overrides.
 */
export async function spawnServer(env: Record<string, string> = {}, options: Omit<StartProcessOptions, "env"> = {}): Promise<GameServerProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const started = await startProcess(`server on port ${port}`, serverEntry(), {
    ...options,
    // Tests and benchmarks make many requests from one address: per-address limits would measure
    // themselves, not the server. The limits' own tests turn them on. Likewise bots (BOT_FILL): tests
    // count players, benchmarks count load clients; the bot tests and the bench's bot section turn them on.
    env: { PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, AUTH_SECRET: TEST_SECRET, RATE_LIMITS: "off", BOT_FILL: "0", ...env },
  });
  return { ...started, processId: String(started.listening.processId) };
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

export interface ProcessSample {
  /** User + system CPU seconds so far. */
  cpuSeconds: number;
  rssBytes: number;
  at: number;
}

/** CPU time and resident memory of a process, from /proc (Linux). */
export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { cpuSeconds: (utime + stime) / CLK_TCK, rssBytes: rssKb * 1024, at: performance.now() };
}
