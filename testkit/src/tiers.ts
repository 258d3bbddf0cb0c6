/**
 * Which vitest project (tier) each test file runs in, by what the file really starts. vitest.config.ts builds its
 * projects from `classifyTestFiles()`, and testkit/test/tiers.test.ts checks the lists against the files' sources.
 *
 * - unit: pure code, no server, no socket, no child process, no module mocks; worker threads that each run many
 *   files in one module graph (not isolated: a file that mocks a module or stubs a global must not be here).
 * - isolated: files that need a module graph of their own (a module mock, an environment variable a package reads
 *   as it loads, a stubbed global), pure or with an in-process server: each file in a fresh process.
 * - server: an in-process server (startTestServer, useServerWithHost) or a short-lived helper program; two worker
 *   processes, each running its files one after another in one module graph (leftovers.setup.ts fails a file that
 *   leaves a server listening).
 * - slow: server files that take long (their own waits or load): like `server`, and beside it in `npm test`, but left
 *   out of `npm run test:fast` so that one stays within a minute.
 * - cluster: child processes (server processes, redis-server, nginx) or a load run; one at a time.
 * - e2e: Chromium against the production client build; one at a time, after the client build.
 *
 * A file in no list below is placed by its source (and that of the helpers it imports from its own folder): if it
 * starts a process or a browser it runs in `cluster`; if it mocks a module (or the like) in `isolated`; otherwise in
 * `unit` (shared/test, testkit/test, when it starts nothing) or `server`. So a new file always runs in `npm test`, never
 * beside another file when it starts processes, never in a shared module graph when it changes one, and is in
 * `test:fast` unless it starts processes. tiers.test.ts fails if a listed file starts what its tier must not.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type Tier = "unit" | "isolated" | "server" | "slow" | "cluster" | "e2e";
export const TIERS: readonly Tier[] = ["unit", "isolated", "server", "slow", "cluster", "e2e"];

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The folders vitest looks in, relative to the repository root. */
export const TEST_DIRS = ["shared/test", "server/test", "client/test", "loadtest/test", "testkit/test"] as const;

/** Every file of these folders is pure (shared/ is the simulation, testkit/test checks the harness's own helpers). */
const UNIT_DIRS = ["shared/test/", "testkit/test/"];

/** Pure tests in the other packages: they import a module and call it, or fake its timers. */
const UNIT_FILES = new Set([
  "client/test/controlsHelp.test.ts",
  "client/test/deathView.test.ts",
  "client/test/feedback.test.ts",
  "client/test/flow.test.ts",
  "client/test/followMatch.test.ts",
  "client/test/impairment.test.ts",
  "client/test/interpolation.test.ts",
  "client/test/killCam.test.ts",
  "client/test/keys.test.ts",
  "client/test/liveMatches.test.ts",
  "client/test/micErrors.test.ts",
  "client/test/params.test.ts",
  "client/test/replayAddress.test.ts",
  "client/test/settings.test.ts",
  "client/test/roundTrip.test.ts",
  "client/test/sound.test.ts",
  "client/test/stallSmoothing.test.ts",
  "client/test/sticks.test.ts",
  "loadtest/test/prometheus.test.ts",
  "server/test/beats.test.ts",
  "server/test/counting-histogram.test.ts",
  "server/test/ice-servers-config.test.ts",
  "server/test/log.test.ts",
  "server/test/people-page.test.ts",
  "server/test/moments.test.ts",
  "server/test/people-units.test.ts",
  "server/test/rating.test.ts",
  "server/test/redis-health.test.ts",
  "server/test/sim-projection.test.ts",
  "server/test/units.test.ts",
]);

/** In-process server files that take long (the slowest of the server tier, by the time report). */
const SLOW_FILES = new Set([
  "server/test/bad-input.test.ts",
  "server/test/bots.test.ts",
  "server/test/bots-capacity.test.ts",
  "server/test/editor-people.test.ts",
  "server/test/live-matches.test.ts",
  "server/test/play-again.test.ts",
  "server/test/join-tickets.test.ts",
  "server/test/matchmaking-auth.test.ts",
  "server/test/quick-play.test.ts",
  "server/test/replay-caps.test.ts",
  "server/test/replay-record.test.ts",
  "server/test/rewind-bound.test.ts",
]);

/** Files that start child processes: server processes, redis-server, nginx, or a load run against a server process. */
const CLUSTER_FILES = new Set([
  "loadtest/test/bench.test.ts",
  "loadtest/test/benchJoins.test.ts",
  "loadtest/test/fuzz.test.ts",
  "loadtest/test/modes.test.ts",
  "loadtest/test/procCpu.test.ts",
  "loadtest/test/smoke.test.ts",
  "server/test/cluster.test.ts",
  "server/test/editor-redis.test.ts",
  "server/test/editor-takeover-cluster.test.ts",
  "server/test/fuzz-findings.test.ts",
  "server/test/http-limits-cluster.test.ts",
  "server/test/join-rush-cluster.test.ts",
  "server/test/join-storm.test.ts",
  "server/test/multihost-rehearsal.test.ts",
  "server/test/nginx.test.ts",
  "server/test/people-cluster.test.ts",
  "server/test/private-burst-cluster.test.ts",
  "server/test/production.test.ts",
  "server/test/redis-outage.test.ts",
  "server/test/room-codes.test.ts",
  "server/test/sse-backpressure.test.ts",
]);

/**
 * Cluster files whose checks are functional (what happens, not how fast: no rate, latency or CPU bound that a busy
 * neighbour would move), in groups of about 20-30 s (their times in a CI run). `npm test` runs the cluster lane's
 * other files and the browser files side by side, then each lane, as it ends, takes the next group not yet taken
 * (testkit/src/runTiers.ts): the lanes end together whichever is faster on the machine at hand (the browser files
 * are CPU-bound and took 170-400 s from one machine to another; the cluster files mostly wait and took 300-375 s).
 * Longest first, so the last group taken is short. A group runs beside whatever the other lane is on: a cluster
 * file, another group, or a browser file when the cluster lane ends first (as these files ran before, all of them
 * beside the browser files).
 */
export const CLUSTER_SHARED: readonly (readonly string[])[] = [
  ["server/test/sim-cluster.test.ts", "server/test/redis-sentinel.test.ts"],
  ["server/test/people-scope.test.ts", "server/test/cluster.test.ts"],
  ["loadtest/test/benchJoins.test.ts", "loadtest/test/modes.test.ts", "server/test/editor-takeover-cluster.test.ts"],
  [
    "server/test/match-custody.test.ts",
    "server/test/multihost-rehearsal.test.ts",
    "server/test/editor-handover-cluster.test.ts",
    "server/test/editor-quotas-redis.test.ts",
    "server/test/quick-play-index.test.ts",
    "server/test/fuzz-findings.test.ts",
    "server/test/nginx.test.ts",
    "server/test/production.test.ts",
    "server/test/http-limits-cluster.test.ts",
    "server/test/editor-redis.test.ts",
    "server/test/replay-redis-store.test.ts",
    "server/test/room-codes.test.ts",
    "server/test/ratings-redis.test.ts",
    "server/test/key-names.test.ts",
    "server/test/open-room-index.test.ts",
    "server/test/credits-once.test.ts",
  ],
];

/**
 * Browser files that `npm test` runs alone, after the two lanes: five pages with audio and ten WebRTC links, which
 * starve (a listener not hearing a speaker within 30 s) beside a cluster file on two cores.
 */
export const E2E_ALONE = new Set(["client/test/e2e/voice.e2e.test.ts"]);

/**
 * Cluster files that `npm test` runs with the E2E_ALONE files, not beside the e2e lane:
 * - join-storm's time bound is scaled by sign-ins timed just before and just after its storm, and beside a browser
 *   file the neighbour's load changed in between (in a CI run the storm took 10.4x its sign-ins, against 1.9-5.4x in
 *   the others);
 * - join-rush-cluster checks that no seat reserved in its rush goes unclaimed, and beside the e2e lane one rush took
 *   3.8 s (1.5-3.2 s in the runs before): one seat reservation through the other process waited out Colyseus' 2 s IPC
 *   timeout, so the matchmaker reserved a second seat elsewhere and the first expired (101 reservations for 100 joins).
 */
export const CLUSTER_ALONE = new Set(["server/test/join-storm.test.ts", "server/test/join-rush-cluster.test.ts"]);

/** Browser tests: everything under client/test/e2e. */
const E2E_DIR = "client/test/e2e/";

/** What starts a browser, a process or a listening server: each tier forbids some of these in a file's source. */
export const MARKERS = {
  browser: ["launchBrowser", "useServerAndBrowser", "playwright"],
  processes: ["startRedis", "RestartableRedis", "spawnServer", "startProcess", "useProcessesOnRedis", "startNginx", "spawn(", "fork(", "runCampaign"],
  inProcessServer: ["startTestServer", "useServerWithHost", "createServer", ".listen(", "spawnSync("],
  /**
   * Needs a module graph of its own: unit, server and slow share one among the files of a worker. (`vi.hoisted(`
   * sets what a package reads as it loads, e.g. Colyseus' COLYSEUS_SEAT_RESERVATION_TIME.)
   */
  ownModules: ["vi.mock(", "vi.doMock(", "vi.stubGlobal(", "vi.stubEnv(", "vi.resetModules(", "vi.hoisted("],
} as const;

/** The markers a file of each tier must not contain (see MARKERS). */
export const FORBIDDEN: Record<Tier, readonly string[]> = {
  unit: [...MARKERS.browser, ...MARKERS.processes, ...MARKERS.inProcessServer, ...MARKERS.ownModules],
  isolated: [...MARKERS.browser, ...MARKERS.processes],
  server: [...MARKERS.browser, ...MARKERS.processes, ...MARKERS.ownModules],
  slow: [...MARKERS.browser, ...MARKERS.processes, ...MARKERS.ownModules],
  cluster: [],
  e2e: [],
};

/** A test file's source and that of the helpers it imports from its own folder (e.g. lag-compensation.scenario.ts). */
export function sourceWithLocalHelpers(file: string, root = REPO_ROOT, seen = new Set<string>()): string {
  if (seen.has(file)) return "";
  seen.add(file);
  const text = readFileSync(join(root, file), "utf8");
  const helpers = [...text.matchAll(/from "(\.\/[^"]+\.ts)"/g)].map((m) => join(dirname(file), m[1]!).split("\\").join("/"));
  return [text, ...helpers.map((h) => sourceWithLocalHelpers(h, root, seen))].join("\n");
}

/** The markers of `markers` found in `source`. */
export function markersIn(source: string, markers: readonly string[]): string[] {
  return markers.filter((m) => source.includes(m));
}

/** The tier of one test file, by its path relative to the repository root (forward slashes). */
export function tierOf(file: string, root = REPO_ROOT): Tier {
  if (file.startsWith(E2E_DIR)) return "e2e";
  if (UNIT_FILES.has(file)) return "unit";
  if (CLUSTER_FILES.has(file)) return "cluster";
  if (SLOW_FILES.has(file)) return "slow";
  const source = sourceWithLocalHelpers(file, root);
  if (markersIn(source, FORBIDDEN.isolated).length > 0) return "cluster";
  if (markersIn(source, MARKERS.ownModules).length > 0) return "isolated";
  if (UNIT_DIRS.some((dir) => file.startsWith(dir)) && markersIn(source, FORBIDDEN.unit).length === 0) return "unit";
  return "server";
}

/** Every `*.test.ts` under TEST_DIRS, relative to the repository root, sorted. */
export function listTestFiles(root = REPO_ROOT): string[] {
  const files: string[] = [];
  for (const dir of TEST_DIRS) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })) {
      const path = `${dir}/${entry.split("\\").join("/")}`;
      if (path.endsWith(".test.ts") && !path.includes("/node_modules/")) files.push(path);
    }
  }
  return files.sort();
}

/** The test files of each tier; every file is in exactly one. */
export function classifyTestFiles(root = REPO_ROOT): Record<Tier, string[]> {
  const tiers: Record<Tier, string[]> = { unit: [], isolated: [], server: [], slow: [], cluster: [], e2e: [] };
  for (const file of listTestFiles(root)) tiers[tierOf(file, root)].push(file);
  return tiers;
}

/** The explicit lists, for the check that each named file still exists (a renamed file would lose its place). */
export const NAMED_FILES: readonly string[] = [...UNIT_FILES, ...SLOW_FILES, ...CLUSTER_FILES, ...CLUSTER_SHARED.flat(), ...E2E_ALONE, ...CLUSTER_ALONE];
