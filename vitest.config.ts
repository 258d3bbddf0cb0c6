import { defineConfig } from "vitest/config";
import { classifyTestFiles } from "./testkit/src/tiers.ts";

// Each test file is in one tier, by what it starts: testkit/src/tiers.ts (a new file is placed by its source).
// `npm run test:fast` runs unit, isolated and server; `npm test` (testkit/src/runTiers.ts) runs unit, isolated, server
// and slow together, then cluster beside e2e, then voice alone. A plain `vitest run` runs them in groupOrder.
const tiers = classifyTestFiles();

const timeouts = { testTimeout: 20_000, hookTimeout: 20_000 };

/**
 * Files at a time for unit, isolated, server and slow together: one vitest group (same groupOrder) shares one limit.
 * These files mostly wait on their servers' timers and sockets: at 2 the group used 0.6 of the 2 cores and took 109 s;
 * at 4, 67 s (73 s with the type check beside it, as `npm test` runs it; 84 s in a CI run, the cores 60 % busy); at
 * 6, 57 s (66–68 s with the type check; 68 s in a CI run). test:fast (unit, isolated, server): 34 s at 6.
 */
const IN_PROCESS_WORKERS = 6;

/**
 * Worker processes that run their files one after another in one module graph (not isolated: a fresh process per file
 * spent half the server tier's CPU importing the server and Colyseus again). A file must close every server it starts:
 * leftovers.setup.ts fails the one that leaves a server listening (one did, and a later file's clock checks measured it).
 */
const sharedWorkers = { pool: "forks", isolate: false, setupFiles: ["testkit/src/leftovers.setup.ts"] } as const;

export default defineConfig({
  test: {
    // The time report writes test-output/test-times.json and prints the five slowest files.
    reporters: ["default", "./testkit/src/timeReport.ts"],
    projects: [
      {
        // Pure code in worker threads, not isolated: a worker imports shared/ once for all its files, which halves the
        // tier's CPU time (no module mocks here: tiers.ts sends those to `server`). One group with `server` (same
        // groupOrder and maxWorkers): IN_PROCESS_WORKERS files at a time.
        test: { ...timeouts, name: "unit", include: tiers.unit, pool: "threads", isolate: false, maxWorkers: IN_PROCESS_WORKERS, sequence: { groupOrder: 0 } },
      },
      {
        // Files that change the module graph (module mocks, what a package reads as it loads): each file in a fresh process.
        test: { ...timeouts, name: "isolated", include: tiers.isolated, pool: "forks", maxWorkers: IN_PROCESS_WORKERS, sequence: { groupOrder: 0 } },
      },
      {
        // In-process servers, in shared worker processes.
        test: { ...timeouts, ...sharedWorkers, name: "server", include: tiers.server, maxWorkers: IN_PROCESS_WORKERS, sequence: { groupOrder: 0 } },
      },
      {
        // Server files that take long: beside unit and server in `npm test`, left out of `npm run test:fast`; in
        // shared worker processes, like server.
        test: { ...timeouts, ...sharedWorkers, name: "slow", include: tiers.slow, maxWorkers: IN_PROCESS_WORKERS, sequence: { groupOrder: 0 } },
      },
      {
        // One file at a time: these start server processes, redis-server, nginx and load runs, and on two cores two
        // such files starve each other's processes, so the rate and latency checks (patches per second, a join rush
        // bound) measure the neighbour instead of the code.
        // Spawned servers run the server's bundle, built once per run (serverBundle.setup.ts). One shared worker
        // process for the files in turn: a fresh process per file spent ~2 s importing testkit, the SDK and the
        // server's modules again each time (43 s of a 436 s lane in a CI run).
        test: {
          ...timeouts,
          ...sharedWorkers,
          name: "cluster",
          include: tiers.cluster,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          globalSetup: ["testkit/src/serverBundle.setup.ts"],
        },
      },
      {
        // Chromium, one file at a time (WebGL pages and audio are CPU-heavy). The browser tests load the production
        // build of the client, built once, only when an e2e file runs; the servers some of them spawn run the bundle.
        // A test's own time limit is 60 s here: a page flow of several screens took 20 s at load 26 with every wait
        // on its events; what a test asserts about time (a kill-cam within 1 s, audio within 5 s) has its own bound.
        test: {
          ...timeouts,
          testTimeout: 60_000,
          name: "e2e",
          include: tiers.e2e,
          // One shared worker process for the tier's files in turn: the server, the SDK and Playwright imported once.
          ...sharedWorkers,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
          globalSetup: ["client/test/e2e/build.setup.ts", "testkit/src/serverBundle.setup.ts"],
        },
      },
    ],
  },
});
