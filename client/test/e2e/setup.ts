/** The common frame of an end-to-end test file: a test server serving the built client, and one Chromium. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { DEFAULT_CLIENT_DIR, startTestServer, type RunningServer, type StartOptions } from "@arena/testkit";
import { launchBrowser } from "./browser.ts";

export interface E2e {
  readonly server: RunningServer;
  readonly browser: Browser;
}

/** Starts both before the file's tests and stops both after; read them from the returned object inside tests. */
export function useServerAndBrowser(options: StartOptions = {}, env: Record<string, string> = {}, browserArgs: readonly string[] = []): E2e {
  const e2e = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    e2e.server = await startTestServer(env, { clientDir: DEFAULT_CLIENT_DIR, ...options });
    e2e.browser = await launchBrowser(browserArgs);
  }, 30_000);
  afterAll(async () => {
    await e2e.browser?.close();
    await e2e.server?.close();
  });
  return e2e;
}
