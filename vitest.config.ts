import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["shared/test/**/*.test.ts", "server/test/**/*.test.ts", "client/test/**/*.test.ts", "loadtest/test/**/*.test.ts", "testkit/test/**/*.test.ts"],
    // Each file runs in its own process: Colyseus' matchmaker is a per-process singleton.
    pool: "forks",
    // One file at a time (~7.5 min here): two at a time takes ~4.5 min, but on two cores the servers, browsers and
    // bots of two files starve each other and the rate and audio checks turn flaky.
    maxWorkers: 1,
    // Browser tests load the production build of the client.
    globalSetup: ["client/test/e2e/build.setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
