/**
 * The test browsers' frame cap (browser.ts, TEST_FRAME_RATE): pages draw at most that many frames a second, callers
 * that ask in the same slot share a frame, and a cancelled callback never runs.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_FRAME_RATE, launchBrowser } from "./browser.ts";

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchBrowser([], { frameRate: TEST_FRAME_RATE });
  page = await browser.newPage();
  await page.goto("data:text/html,<p>frames</p>");
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

describe("the test browsers' frame cap", () => {
  it(`runs animation frames at most ${TEST_FRAME_RATE} times a second, and still runs them`, async () => {
    const frames = await page.evaluate(() => new Promise<number>((resolve) => {
      let n = 0;
      const start = performance.now();
      const frame = (t: number): void => {
        if (t - start >= 2000) resolve(n);
        else {
          n++;
          requestAnimationFrame(frame);
        }
      };
      requestAnimationFrame(frame);
    }));
    // One slot more than 2 s holds: the first frame may come at the first slot's end.
    expect(frames).toBeLessThanOrEqual(2 * TEST_FRAME_RATE + 1);
    expect(frames).toBeGreaterThan(0);
  });

  it("gives two callbacks asked for in the same slot the same frame, and never runs a cancelled one", async () => {
    const seen = await page.evaluate(() => new Promise<{ a: number; b: number; cancelledRan: boolean }>((resolve) => {
      const times: number[] = [];
      let cancelledRan = false;
      requestAnimationFrame(() => {
        // In a frame: the three asks below are in the same slot of the clock.
        requestAnimationFrame((t) => times.push(t));
        const cancelled = requestAnimationFrame(() => (cancelledRan = true));
        requestAnimationFrame((t) => {
          times.push(t);
          // A frame later, the cancelled one has had its chance.
          requestAnimationFrame(() => resolve({ a: times[0]!, b: times[1]!, cancelledRan }));
        });
        cancelAnimationFrame(cancelled);
      });
    }));
    expect(seen.a).toBe(seen.b);
    expect(seen.cancelledRan).toBe(false);
  });
});
