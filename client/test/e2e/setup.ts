/** The common frame of an end-to-end test file: a test server serving the built client, and one Chromium. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { DEFAULT_CLIENT_DIR, startTestServer, type RunningServer, type StartOptions } from "@arena/testkit";
import { TEST_FRAME_RATE, launchBrowser, type BrowserOptions } from "./browser.ts";

export interface E2e {
  readonly server: RunningServer;
  readonly browser: Browser;
}

/**
 * Starts both before the file's tests and stops both after; read them from the returned object inside tests. The
 * pages draw at TEST_FRAME_RATE unless `browserOptions` asks otherwise (browser.ts says why).
 */
export function useServerAndBrowser(options: StartOptions = {}, env: Record<string, string> = {}, browserArgs: readonly string[] = [],
  browserOptions: BrowserOptions = { frameRate: TEST_FRAME_RATE }): E2e {
  const e2e = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    e2e.server = await startTestServer(env, { clientDir: DEFAULT_CLIENT_DIR, ...options });
    e2e.browser = await launchBrowser(browserArgs, browserOptions);
  }, 30_000);
  afterAll(async () => {
    await e2e.browser?.close();
    await e2e.server?.close();
  });
  return e2e;
}
