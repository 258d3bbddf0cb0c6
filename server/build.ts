/**
 * `npm run build -w @arena/server`: bundles the server and the workspace code it imports
 * (`@arena/shared`, which resolves to TypeScript source) into dist/main.js, which production runs
 * on plain Node. Packages from node_modules stay external: Node loads them as they are published.
 */
import { build, type Plugin } from "esbuild";
import { fileURLToPath } from "node:url";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

const externalPackages: Plugin = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("@arena/") ? undefined : { path: args.path, external: true }));
  },
};

await build({
  entryPoints: [here("src/main.ts")],
  outfile: here("dist/main.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20.19",
  sourcemap: true,
  plugins: [externalPackages],
  logLevel: "warning",
});
