import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["shared/test/**/*.test.ts", "server/test/**/*.test.ts", "client/test/**/*.test.ts", "loadtest/test/**/*.test.ts", "testkit/test/**/*.test.ts"],
    // Each file runs in its own process: Colyseus' matchmaker is a per-process singleton.
    pool: "forks",
    // Two files at a time on the two cores: most tests wait on sockets, browsers and child processes, so the suite
    // takes ~4.5 min instead of ~7.5 one file at a time; rate checks in tests allow for the shared cores.
    maxWorkers: 2,
    // Browser tests load the production build of the client.
    globalSetup: ["client/test/e2e/build.setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
