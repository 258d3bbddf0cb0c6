/** Headless Chromium for end-to-end tests (Debian's chromium, driven by playwright-core). */
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { INSTALL_HINT, REPO_ROOT } from "@arena/testkit/remote";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const OUTPUT_DIR = `${REPO_ROOT}test-output`;

/** Fake microphone (a beep) granted without a prompt, and host candidates as plain IPs: for voice tests. */
export const FAKE_MEDIA_ARGS = [
  "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--disable-features=WebRtcHideLocalIpsWithMdns",
];

export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH, or install it with: ${INSTALL_HINT})`);
  }
  mkdirSync(OUTPUT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox", "--disable-quic", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
      // Pages in the background must keep their game loop running.
      "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
      ...extraArgs,
    ],
  });
}

/** A page that fails the test on any uncaught page error. */
export async function openPage(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  page.on("pageerror", (e) => errors.push(`${url}: ${e.message}`));
  await page.goto(url);
  return page;
}

/** Waits until the page's app reaches a screen; on a timeout, the error says where the app was instead. */
export async function waitForScreen(page: Page, screen: string, timeout = 20_000): Promise<void> {
  try {
    await page.waitForFunction((s) => (window as unknown as { __arena?: { flow(): { screen: string } } }).__arena?.flow().screen === s, screen, { timeout });
  } catch (e) {
    const where = await page.evaluate(() => {
      const flow = (window as unknown as { __arena?: { flow(): { screen: string; message: string; joining?: unknown } } }).__arena?.flow();
      return flow === undefined ? "the app never started" : JSON.stringify({ screen: flow.screen, message: flow.message, joining: flow.joining });
    }).catch((why: unknown) => `the page did not answer (${String(why)})`);
    throw new Error(`${page.url()} did not reach the ${screen} screen in ${timeout} ms: ${where}`, { cause: e });
  }
}
