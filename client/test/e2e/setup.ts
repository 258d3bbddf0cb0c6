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
 * One Chromium per set of launch arguments for the files of the worker process, in turn (the e2e tier's files share
 * one: vitest.config.ts): a launch costs about 1 CPU-s, and the tier's files launched 21 (seven light files took
 * 34-38 CPU-s with a launch each, 29-30 with one). A file gets the browser with no context open and closes the
 * contexts it opened (useServerAndBrowser); one that crashed or was closed is launched again. Playwright stops it
 * when the worker process exits.
 */
const browsers = new Map<string, Promise<Browser>>();

async function sharedBrowser(args: readonly string[], options: BrowserOptions): Promise<Browser> {
  const key = JSON.stringify([args, options]);
  const kept = await browsers.get(key)?.catch(() => undefined);
  if (kept?.isConnected()) return kept;
  const launched = launchBrowser(args, options);
  browsers.set(key, launched);
  return launched;
}

/**
 * Starts both before the file's tests and stops both after (the browser is shared with the worker's later files:
 * what the file opened in it is closed); read them from the returned object inside tests. The pages draw at
 * TEST_FRAME_RATE unless `browserOptions` asks otherwise (browser.ts says why).
 */
export function useServerAndBrowser(options: StartOptions = {}, env: Record<string, string> = {}, browserArgs: readonly string[] = [],
  browserOptions: BrowserOptions = { frameRate: TEST_FRAME_RATE }): E2e {
  const e2e = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    e2e.server = await startTestServer(env, { clientDir: DEFAULT_CLIENT_DIR, ...options });
    e2e.browser = await sharedBrowser(browserArgs, browserOptions);
  }, 30_000);
  afterAll(async () => {
    await Promise.all((e2e.browser?.contexts() ?? []).map((c) => c.close().catch(() => undefined)));
    await e2e.server?.close();
  });
  return e2e;
}
