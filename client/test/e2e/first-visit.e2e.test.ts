/**
 * The first minute in Chromium: a first-time player's first match shows the
 * controls for their device over the game; the first move takes it away, and
 * the browser remembers, so the next visit goes straight to play.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OUTPUT_DIR, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser();

describe("first-visit controls card in Chromium", () => {
  it("shows the keys and mouse on the first match, leaves on the first move, and is not shown on the second visit", async () => {
    const errors: string[] = [];
    const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${e2e.server.url}/?name=newbie&quick=1`);
      await waitForScreen(page, "game");
      const help = page.getByTestId("controls-help");
      await help.waitFor({ state: "visible", timeout: 10_000 });
      expect(await help.getAttribute("data-device")).toBe("keys");
      expect(await help.textContent()).toContain("WASD");
      await page.screenshot({ path: join(OUTPUT_DIR, "first-visit.png") });

      // Not yet moved: it stays (several drawn frames later).
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect(await help.isVisible()).toBe(true);

      await page.keyboard.down("KeyD");
      await help.waitFor({ state: "hidden", timeout: 5_000 });
      await page.keyboard.up("KeyD");
      expect(await page.evaluate(() => localStorage.getItem("arena.controlsSeen"))).toBe("1");

      // The second visit, same browser: in play with no card.
      const again = await context.newPage();
      again.on("pageerror", (e) => errors.push(e.message));
      await again.goto(`${e2e.server.url}/?name=newbie&quick=1`);
      await waitForScreen(again, "game");
      await again.waitForFunction(() => {
        const a = (window as any).__arena;
        const id = a.session()?.sessionId;
        return id !== undefined && a.drawn(id) !== undefined;
      }, undefined, { timeout: 10_000 });
      await again.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect(await again.getByTestId("controls-help").isHidden()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it("on a touch screen it explains the twin sticks", async () => {
    const context = await e2e.browser.newContext({ hasTouch: true, viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      await page.goto(`${e2e.server.url}/?name=thumbs&quick=1`);
      await waitForScreen(page, "game");
      const help = page.getByTestId("controls-help");
      await help.waitFor({ state: "visible", timeout: 10_000 });
      expect(await help.getAttribute("data-device")).toBe("touch");
      expect(await help.textContent()).toContain("Left thumb");
      await page.screenshot({ path: join(OUTPUT_DIR, "first-visit-touch.png") });
    } finally {
      await context.close();
    }
  }, 60_000);
});
