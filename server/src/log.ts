/**
 * Structured logs through pino: one JSON object per line (`time`, `level` by name, `msg`, then the
 * fields), on stdout, warnings and errors on stderr. Call sites use the small `Logger` interface
 * below (`log.info(msg, fields)`, `log.child(bindings)`), so they never depend on pino's argument order.
 */
import { pino, type Logger as Pino } from "pino";
import type { LogLevel } from "./config.ts";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` (e.g. room and session ids) to every line. */
  child(fields: LogFields): Logger;
}

/** Errors in any field (not only pino's `err`) keep their name, message and stack. */
function serializable(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v;
  }
  return out;
}

function adapt(p: Pino): Logger {
  const at = (level: "debug" | "info" | "warn" | "error") => (msg: string, fields?: LogFields): void => {
    if (fields === undefined) p[level](msg);
    else p[level](fields, msg);
  };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (fields) => adapt(p.child(serializable(fields))),
  };
}

/** A logger at `level` (`silent`: none), with `base` fields on every line. */
export function createLogger(level: LogLevel, base: LogFields = {}): Logger {
  const streams = pino.multistream(
    [{ level: "debug", stream: process.stdout }, { level: "warn", stream: process.stderr }],
    // Each line goes to the stream of the highest level it reaches: warnings and errors to stderr only.
    { dedupe: true },
  );
  const root = pino({
    level,
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: serializable,
    },
  }, streams);
  return adapt(Object.keys(base).length === 0 ? root : root.child(serializable(base)));
}
