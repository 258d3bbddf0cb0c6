import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["shared/test/**/*.test.ts", "server/test/**/*.test.ts", "loadtest/test/**/*.test.ts"],
    // Each file runs in its own process: Colyseus' matchmaker is a per-process singleton.
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
