/** `npm start`: one process, in-memory presence, configured from the environment. */
import { ConfigError, loadConfig } from "./config.ts";
import { startServer } from "./app.ts";
import { createLogger } from "./log.ts";

try {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  let countRejection = (): void => {};
  // A stray rejected promise must not take every match on this process down (Node's default is to
  // exit): it is logged and counted (arena_unhandled_rejections_total) for an operator to chase.
  process.on("unhandledRejection", (reason: unknown) => {
    log.error("unhandled rejection", { error: reason });
    countRejection();
  });
  // An exception nobody caught leaves the process in an unknown state: log it as JSON, then exit.
  process.on("uncaughtException", (error: Error) => {
    log.error("uncaught exception, exiting", { error });
    process.exit(1);
  });
  const running = await startServer(config, { log });
  countRejection = () => running.metrics.unhandledRejection();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    running.close().then(() => process.exit(0), (error: unknown) => {
      log.error("shutdown failed", { error });
      process.exit(1);
    });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`configuration error: ${e.message}\n`);
    process.exit(2);
  }
  // E.g. Redis unreachable: one clear line whatever LOG_LEVEL says, and a non-zero exit for the process manager to back off on.
  createLogger("error").error("startup failed", { error: (e as Error).message });
  process.exit(1);
}
