/**
 * Colyseus' own log lines through our logger, so every line a process prints is JSON (with
 * `source: "colyseus"`) and LOG_LEVEL applies to them too.
 */
import { inspect } from "node:util";
import type { Logger } from "./log.ts";

/**
 * Colyseus warns at start that an instance `onAuth` "will be ignored" whenever a room class also
 * has a static one. Not so for our rooms: the static one runs at matchmaking and the instance one
 * still runs at connect (server/test/matchmaking-auth.test.ts proves both), so the line is kept at
 * debug level instead of telling operators something false.
 */
const MISLEADING = /onAuth\(\) defined at the instance level will be ignored/;

function text(args: readonly unknown[]): string {
  return args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 3, breakLength: Infinity }))).join(" ");
}

/** The object Colyseus' `Server({ logger })` option takes, writing through `log`. */
export function colyseusLogger(log: Logger): Record<"trace" | "debug" | "info" | "warn" | "error", (...args: unknown[]) => void> {
  const colyseus = log.child({ source: "colyseus" });
  return {
    trace: (...args) => colyseus.debug(text(args)),
    debug: (...args) => colyseus.debug(text(args)),
    info: (...args) => {
      const msg = text(args);
      if (MISLEADING.test(msg)) colyseus.debug(msg);
      else colyseus.info(msg);
    },
    warn: (...args) => colyseus.warn(text(args)),
    error: (...args) => colyseus.error(text(args)),
  };
}
