/**
 * Display settings in Chromium: a hit taken shakes the camera; with reduced motion ticked in the lobby it does
 * not (the hit still reddens the edge), and the choice, like the colour-blind palette, is remembered by the browser.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { ArenaState } from "@arena/shared";
import { joinArena, serverRoom, waitForState, type ArenaRoomClient } from "@arena/testkit";
import { waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser({ match: { warmupSeconds: 0.5 } });

interface Fx {
  hitsTaken: number;
  shakes: number;
}
const fx = (page: Page): Promise<Fx> => page.evaluate(() => {
  const f = (window as any).__arena.scene.fx;
  return { hitsTaken: f.hitsTaken as number, shakes: f.shakes as number };
});

/** The page's player takes a hit from `other` (set on the server: the patch carries it like a real one). */
async function hitTaken(page: Page, other: ArenaRoomClient): Promise<void> {
  const me = await page.evaluate(() => (window as any).__arena.session().sessionId as string);
  const state = serverRoom(other.roomId).state as ArenaState;
  await page.waitForFunction((id) => (window as any).__arena.drawn(id) !== undefined, other.sessionId);
  // In the match proper: the warm-up's end respawns everyone at full health, which would undo a hit set before it.
  await waitForState(other, (s) => s.phase === "playing", 10_000, "the match playing");
  const before = (await fx(page)).hitsTaken;
  state.players.get(me)!.hp -= 25;
  state.players.get(other.sessionId)!.landedShot = state.tick;
  await page.waitForFunction((n) => (window as any).__arena.scene.fx.hitsTaken > n, before, { timeout: 5_000 });
}

describe("display settings in Chromium", () => {
  it("reduced motion turns the camera shake off, and the browser remembers it", async () => {
    const errors: string[] = [];
    const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const others: ArenaRoomClient[] = [];
    try {
      // Motion as it is by default: a hit taken shakes the camera.
      const page = await context.newPage();
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${e2e.server.url}/?name=shaken&quick=1`);
      await waitForScreen(page, "game");
      const { room: other } = await joinArena(e2e.server.url, "hitter");
      others.push(other);
      await hitTaken(page, other);
      expect((await fx(page)).shakes).toBe(1);
      expect(await page.evaluate(() => (window as any).__arena.scene.cameras.main.shakeEffect.isRunning)).toBe(true);
      // Over before the page leaves: a shake goes by the game's clock, which stops in the lobby, and one still running
      // would show in the next match as if reduced motion had shaken the camera.
      await page.waitForFunction(() => (window as any).__arena.scene.cameras.main.shakeEffect.isRunning === false, null, { timeout: 10_000 });
      await page.getByTestId("leave").click();
      await waitForScreen(page, "lobby");

      // Ticked in the lobby: the next hit taken reddens the edge but shakes nothing.
      await page.getByTestId("settings-reduced-motion").check();
      await page.getByTestId("settings-palette").selectOption("colorblind");
      await page.getByTestId("quick-play").click();
      await waitForScreen(page, "game");
      const roomId = await page.evaluate(() => (window as any).__arena.session().room.roomId as string);
      const { room: second } = await joinArena(e2e.server.url, "hitter2");
      others.push(second);
      expect(second.roomId).toBe(roomId);
      const shakesBefore = (await fx(page)).shakes;
      await hitTaken(page, second);
      expect((await fx(page)).shakes).toBe(shakesBefore);
      expect(await page.evaluate(() => (window as any).__arena.scene.cameras.main.shakeEffect.isRunning)).toBe(false);
      expect(await page.evaluate(() => (window as any).__arena.scene.fx.edgeLevel())).toBeGreaterThan(0);

      // Remembered: a new page of the same browser starts with both settings.
      const again = await context.newPage();
      await again.goto(`${e2e.server.url}/?name=shaken`);
      await waitForScreen(again, "lobby");
      expect(await again.getByTestId("settings-reduced-motion").isChecked()).toBe(true);
      expect(await again.getByTestId("settings-palette").inputValue()).toBe("colorblind");
      expect(errors).toEqual([]);
    } finally {
      await Promise.allSettled(others.map((r) => r.leave()));
      await context.close();
    }
  }, 90_000);
});
