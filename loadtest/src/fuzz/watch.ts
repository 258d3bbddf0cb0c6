/** Reads a server process's log lines and exit as they happen: what a fuzz campaign must find none of. */
import type { LoggedServer } from "./serverProcess.ts";

export interface ServerWatch {
  /** "unhandled rejection" lines (server/src/main.ts logs and counts each). */
  readonly unhandledRejections: number;
  /** The process's own "uncaught exception, exiting" lines. */
  readonly uncaughtExceptions: number;
  /** A room hook or handler threw (ArenaRoom.onUncaughtException); the room survives. */
  readonly roomExceptions: number;
  /** Clients the room disconnected for a protocol error (our validators). */
  readonly protocolErrors: number;
  /** Lines on stderr that are not our JSON logs (Colyseus prints decode errors with their stack). */
  readonly otherStderrLines: number;
  /** Set when the process exited before `expectExit()`: a crash. */
  readonly crash: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** A few of the lines above, for the report. */
  readonly samples: string[];
  /** From now on an exit is the campaign's own doing. */
  expectExit(): void;
}

const MAX_SAMPLES = 8;

export function watchServer(server: LoggedServer): ServerWatch {
  let expected = false;
  // Our own error lines first, then a few of Colyseus' (which are many and alike).
  const samples = new Set<string>();
  const others = new Set<string>();
  const sample = (line: string, into = samples): void => {
    if (into.size < MAX_SAMPLES) into.add(line.slice(0, 600));
  };
  const watch = {
    unhandledRejections: 0,
    uncaughtExceptions: 0,
    roomExceptions: 0,
    protocolErrors: 0,
    otherStderrLines: 0,
    crash: undefined as ServerWatch["crash"],
    get samples() {
      return [...samples, ...others].slice(0, MAX_SAMPLES);
    },
    expectExit() {
      expected = true;
    },
  };
  const onLine = (line: string, stderr: boolean): void => {
    let msg: unknown;
    try {
      msg = (JSON.parse(line) as { msg?: unknown }).msg;
    } catch {
      if (stderr && line.trim() !== "") {
        watch.otherStderrLines++;
        // Colyseus prints a stack per decode error it catches; keep the first line of a few kinds.
        if (!line.startsWith(" ")) sample(line, others);
      }
      return;
    }
    if (msg === "unhandled rejection") {
      watch.unhandledRejections++;
      sample(line);
    } else if (msg === "uncaught exception, exiting") {
      watch.uncaughtExceptions++;
      sample(line);
    } else if (msg === "uncaught exception") {
      watch.roomExceptions++;
      sample(line);
    } else if (msg === "protocol error, disconnecting") {
      watch.protocolErrors++;
    }
  };
  server.onLine(onLine);
  server.proc.once("exit", (code, signal) => {
    if (!expected) watch.crash = { code, signal };
  });
  return watch;
}
