/**
 * vitest globalSetup for the tiers that spawn server processes (cluster, e2e): bundles the server once per run
 * (server/bundle.ts, what `npm start` runs) and names it in ARENA_SERVER_BUNDLE, which spawnServer reads
 * (processes.ts). A spawned server then starts from one plain JavaScript file: about 1.2 s of CPU instead of about
 * 2.7 s under tsx, which compiles and resolves each TypeScript module again in every process, and the cluster tier
 * starts some hundred of them. The bundle is rebuilt at every run, so it is never older than the source under test,
 * but in npm test's runs that start after its lanes built it (ARENA_SERVER_BUILT, testkit/src/runTiers.ts).
 * (Set NODE_OPTIONS=--enable-source-maps to see the source's lines in a spawned server's stack traces.)
 */
import { existsSync, renameSync } from "node:fs";
import { bundleServer } from "@arena/server/bundle";
import { REPO_ROOT } from "./processes.ts";

/** Two folders below the root, like server/dist/main.js: the server finds the client build from its own file. */
export const TEST_SERVER_BUNDLE = `${REPO_ROOT}test-output/server/main.js`;

export default async function setup(): Promise<void> {
  // npm test's later runs start after an earlier one built this same tree (testkit/src/runTiers.ts).
  if (process.env.ARENA_SERVER_BUILT === "1" && existsSync(TEST_SERVER_BUNDLE)) {
    process.env.ARENA_SERVER_BUNDLE = TEST_SERVER_BUNDLE;
    return;
  }
  // Built beside and renamed: a project that starts while another's setup builds never loads half a file.
  const partial = `${TEST_SERVER_BUNDLE}.${process.pid}.tmp.js`;
  await bundleServer(partial);
  renameSync(partial, TEST_SERVER_BUNDLE);
  renameSync(`${partial}.map`, `${TEST_SERVER_BUNDLE}.map`);
  process.env.ARENA_SERVER_BUNDLE = TEST_SERVER_BUNDLE;
}
