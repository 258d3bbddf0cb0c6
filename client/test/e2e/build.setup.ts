/** vitest globalSetup: builds the client once, so browser tests load what `npm start` serves. */
import { fileURLToPath } from "node:url";
import { build } from "vite";

export const CLIENT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export default async function setup(): Promise<void> {
  // npm test (testkit/src/runTiers.ts) builds it in its first phase, before the lanes that run browser files.
  if (process.env.ARENA_CLIENT_BUILT === "1") return;
  await build({ root: CLIENT_ROOT, logLevel: "warn", configFile: `${CLIENT_ROOT}/vite.config.ts` });
}
