/**
 * `npm run build -w @arena/server`: bundles the server (bundle.ts) into dist/main.js, which production runs on plain
 * Node (`npm start`).
 */
import { fileURLToPath } from "node:url";
import { bundleServer } from "./bundle.ts";

await bundleServer(fileURLToPath(new URL("dist/main.js", import.meta.url)));
