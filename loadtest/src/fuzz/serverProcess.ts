/**
 * The fuzzed server: `npm start`'s entry point as a child process whose
 * output goes to files, not pipes. A process writing to a pipe blocks once
 * the pipe is full, so a busy fuzzer that reads the pipe late would stall the
 * server's event loop and pass its own slowness off as the server's; a file
 * never pushes back. The files are read as they grow (inotify), line by line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, watch, type FSWatcher } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, TEST_SECRET, exited, freePort, nodeArgs, serverEntry } from "@arena/testkit/remote";

export interface LoggedServer {
  readonly url: string;
  readonly proc: ChildProcess;
  /** Calls `cb` with every line the server writes from now on (`stderr` tells which stream). */
  onLine(cb: (line: string, stderr: boolean) => void): void;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Follows a growing file, calling `cb` per complete line. */
function follow(path: string, cb: (line: string) => void): { stop(): void; drain(): void } {
  const fd = openSync(path, "r");
  const chunk = Buffer.alloc(64 * 1024);
  let position = 0;
  let pending = "";
  let closed = false;
  const drain = (): void => {
    while (!closed) {
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n <= 0) return;
      position += n;
      pending += chunk.toString("utf8", 0, n);
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        cb(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    }
  };
  const watcher: FSWatcher = watch(path, () => drain());
  return {
    drain,
    stop: () => {
      if (closed) return;
      watcher.close();
      drain();
      closed = true;
      closeSync(fd);
    },
  };
}

export async function startLoggedServer(env: Record<string, string> = {}): Promise<LoggedServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "arena-fuzz-"));
  const outPath = join(dir, "stdout.log");
  const errPath = join(dir, "stderr.log");
  const out = openSync(outPath, "w");
  const err = openSync(errPath, "w");
  const proc = spawn(process.execPath, nodeArgs(serverEntry()), {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", PUBLIC_ADDRESS: `127.0.0.1:${port}`, AUTH_SECRET: TEST_SECRET, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", out, err],
  });
  closeSync(out);
  closeSync(err);
  // Whatever happens to the campaign, its server does not outlive it.
  const reap = (): void => {
    proc.kill("SIGKILL");
  };
  process.once("exit", reap);
  proc.once("exit", () => process.off("exit", reap));
  const listeners: Array<(line: string, stderr: boolean) => void> = [];
  const emit = (stderr: boolean) => (line: string): void => {
    for (const l of listeners) l(line, stderr);
  };
  const tails = [follow(outPath, emit(false)), follow(errPath, emit(true))];
  const stop = (): void => {
    for (const t of tails) t.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  proc.once("exit", () => {
    for (const t of tails) t.drain();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`fuzzed server on port ${port}: not listening after 30 s`)), 30_000);
    const onExit = (code: number | null): void => done(new Error(`fuzzed server exited (${code}) before listening`));
    const done = (error?: Error): void => {
      clearTimeout(timer);
      proc.off("exit", onExit);
      listeners.length = 0;
      if (error) {
        stop();
        reject(error);
      } else resolve();
    };
    proc.once("exit", onExit);
    listeners.push((line) => {
      if (line.includes('"msg":"listening"')) done();
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    onLine: (cb) => listeners.push(cb),
    kill: async (signal) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const code = await exited(proc);
      stop();
      return code;
    },
  };
}
