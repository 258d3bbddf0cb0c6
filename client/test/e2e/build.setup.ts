/** vitest globalSetup: builds the client once, so browser tests load what `npm start` serves. */
import { fileURLToPath } from "node:url";
import { build } from "vite";

export const CLIENT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export default async function setup(): Promise<void> {
  // npm test's last phase (testkit/src/runTiers.ts) runs after its e2e lane built this same tree.
  if (process.env.ARENA_CLIENT_BUILT === "1") return;
  await build({ root: CLIENT_ROOT, logLevel: "warn", configFile: `${CLIENT_ROOT}/vite.config.ts` });
}
