/** vitest globalSetup: builds the client once, so browser tests load what `npm start` serves. */
import { fileURLToPath } from "node:url";
import { build } from "vite";

export const CLIENT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export default async function setup(): Promise<void> {
  await build({ root: CLIENT_ROOT, logLevel: "warn", configFile: `${CLIENT_ROOT}/vite.config.ts` });
}
