/** `npm start`: one process, in-memory presence, configured from the environment. */
import { ConfigError, loadConfig } from "./config.ts";
import { startServer } from "./app.ts";
import { createLogger } from "./log.ts";

try {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const running = await startServer(config, { log });
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
