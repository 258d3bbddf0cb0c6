/** Structured logs: one JSON object per line on stdout (stderr for warnings and errors). */
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
export declare function createLogger(level: LogLevel, base?: LogFields): Logger;
