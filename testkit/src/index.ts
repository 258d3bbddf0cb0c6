/** @arena/testkit: the one harness tests, end-to-end tests, benchmarks and the load tester share. */
export * from "./remote.ts";
export { DEFAULT_CLIENT_DIR, startTestServer, serverRoom, type RunningServer, type ServerRoom, type StartOptions } from "./server.ts";
