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

/**
 * The frame rate the test pages draw at. Here WebGL is drawn in software (SwiftShader): a game page at 1000x700
 * took 40-65 ms of CPU a frame and drew 23-27 frames a second on a whole core, so a browser test with a page open
 * took a core from whatever ran beside it (the cluster lane of `npm test`). At 10 frames a second a page takes about
 * two thirds of one. Nothing the tests check needs more: the game's simulation, interpolation and prediction go by the
 * clock, not by frames, and every browser file passes under the cap (client/test/e2e/frameRate.e2e.test.ts shows the
 * cap itself holds); a file that times frames themselves asks for the full rate (`{ frameRate: "full" }`, as the
 * replay viewer's seek does). Fewer was tried: at 5 a browser file used about a third less of the machine's CPU
 * (killcam.e2e 37 -> 26 s, hud-layout.e2e 58 -> 42 s), but Phaser's own clock runs slow below about 6 frames a second
 * (it takes a frame over 200 ms for an earlier, shorter one), and three checks failed (among them a camera shake
 * outlasting its match, and bots not hurting a page's player within 90 s).
 */
export const TEST_FRAME_RATE = 10;

/**
 * Runs in each page before its scripts: `requestAnimationFrame` callbacks run at most `fps` times a second. A callback
 * asked for in one 1/fps slot of the clock runs at the first browser frame of a later slot, so callers that ask in
 * the same slot (the game loop, the HUD) still run in the same frame; between slots the page sleeps on a timer
 * instead of waking at every display frame.
 */
function capFrameRate(fps: number): void {
  const frameMs = 1000 / fps;
  const request = window.requestAnimationFrame.bind(window);
  const cancel = window.cancelAnimationFrame.bind(window);
  const pending = new Map<number, { timer?: ReturnType<typeof setTimeout>; frame?: number }>();
  let last = 0;
  window.requestAnimationFrame = (callback: FrameRequestCallback): number => {
    const id = ++last;
    const slot = Math.floor(performance.now() / frameMs);
    const frame = (t: number): void => {
      if (Math.floor(t / frameMs) > slot) {
        pending.delete(id);
        callback(t);
      } else pending.set(id, { frame: request(frame) });
    };
    const wait = (slot + 1) * frameMs - performance.now() - 17;
    if (wait > 0) pending.set(id, { timer: setTimeout(() => pending.set(id, { frame: request(frame) }), wait) });
    else pending.set(id, { frame: request(frame) });
    return id;
  };
  window.cancelAnimationFrame = (id: number): void => {
    const p = pending.get(id);
    pending.delete(id);
    if (p?.timer !== undefined) clearTimeout(p.timer);
    if (p?.frame !== undefined) cancel(p.frame);
  };
}

export interface BrowserOptions {
  /** Frames a second of every page (`"full"`: the display's rate, as a player's browser). */
  readonly frameRate?: number | "full";
}

export async function launchBrowser(extraArgs: readonly string[] = [], { frameRate = "full" }: BrowserOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH, or install it with: ${INSTALL_HINT})`);
  }
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox", "--disable-quic", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
      // Pages in the background must keep their game loop running.
      "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
      ...extraArgs,
    ],
  });
  if (frameRate !== "full") {
    // Every page, however a file opens it (browser.newPage makes its context through newContext).
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (options) => {
      const context = await newContext(options);
      await context.addInitScript(capFrameRate, frameRate);
      return context;
    };
  }
  return browser;
}

/**
 * The window of a page opened by `openPage`: a small laptop's browser window. Drawn in software, a match's cost in
 * Chromium's GPU process goes with its pixels: the 21 browser files (voice aside) took 174 CPU-s at 1000×700 and 167 at
 * this size. The layout checks choose their own sizes (hud-layout, screen, touch).
 */
export const TEST_VIEWPORT = { width: 800, height: 500 } as const;

/** A page that fails the test on any uncaught page error. */
export async function openPage(browser: Browser, url: string, errors: string[], viewport: { width: number; height: number } = TEST_VIEWPORT): Promise<Page> {
  const page = await browser.newPage({ viewport });
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
