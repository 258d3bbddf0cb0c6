/**
 * Bundles the server and the workspace code it imports (`@arena/shared`, which resolves to TypeScript source) into
 * one ES module that runs on plain Node. Packages from node_modules stay external: Node loads them as they are
 * published. `npm run build` writes server/dist/main.js with it; the test tiers that spawn server processes write
 * test-output/server/main.js (testkit/src/serverBundle.setup.ts). The bundle must sit two folders below the root:
 * the server finds the client build from its own file (`../../client/dist`).
 */
import { build, type Plugin } from "esbuild";
import { fileURLToPath } from "node:url";

const externalPackages: Plugin = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("@arena/") ? undefined : { path: args.path, external: true }));
  },
};

export async function bundleServer(outfile: string, options: { sourcemap?: boolean } = {}): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL("src/main.ts", import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    sourcemap: options.sourcemap ?? true,
    plugins: [externalPackages],
    logLevel: "warning",
  });
}
