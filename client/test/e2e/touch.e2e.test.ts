/**
 * A phone plays: a Chromium page with touch emulation on a phone-sized screen
 * joins with taps, moves with the left stick and aims and fires with the
 * right one; the server sees the move and the shot.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { angleBetween, type ArenaState } from "@arena/shared";
import { joinArena, serverRoom } from "@arena/testkit";
import { OUTPUT_DIR, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser({ match: { warmupSeconds: 0.5 } });

describe("touch controls in Chromium", () => {
  it("a touch page joins with taps, moves with the left stick, aims and fires with the right, and the server sees both", async () => {
    const errors: string[] = [];
    const context = await e2e.browser.newContext({ hasTouch: true, viewport: { width: 390, height: 780 } });
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${e2e.server.url}/?name=phone`);
    await waitForScreen(page, "lobby");
    await page.getByTestId("quick-play").tap();
    await waitForScreen(page, "game");
    expect(await page.getByTestId("touch-layer").isVisible()).toBe(true);
    const me = await page.evaluate(() => (window as any).__arena.session().sessionId as string);
    const roomId = await page.evaluate(() => (window as any).__arena.session().room.roomId as string);
    const { room: other } = await joinArena(e2e.server.url, "desk");
    try {
      expect(other.roomId).toBe(roomId);
      const state = serverRoom(roomId).state as ArenaState;
      await expect.poll(() => state.phase, { timeout: 10_000 }).toBe("playing");
      const player = state.players.get(me)!;
      const them = state.players.get(other.sessionId)!;
      player.x = 1000; player.y = 700;
      them.x = 1000; them.y = 1300;
      const x0 = player.x;

      const cdp = await context.newCDPSession(page);
      const touch = (type: "touchStart" | "touchMove" | "touchEnd", points: Array<{ x: number; y: number; id: number }>) =>
        cdp.send("Input.dispatchTouchEvent", { type, touchPoints: points });
      // Left stick: a finger lands on the left half and slides right.
      const left = { x: 80, y: 600, id: 1 };
      await touch("touchStart", [left]);
      await touch("touchMove", [{ ...left, x: 150 }]);
      expect(await page.getByTestId("stick-move").isVisible()).toBe(true);
      await expect.poll(() => player.x - x0, { timeout: 5_000 }).toBeGreaterThan(40);

      // Right stick: a second finger on the right half pushes up: aims up and fires.
      const right = { x: 300, y: 500, id: 2 };
      await touch("touchStart", [{ ...left, x: 150 }, right]);
      await touch("touchMove", [{ ...left, x: 150 }, { ...right, y: 420 }]);
      await expect.poll(() => player.shotTick, { timeout: 5_000 }).toBeGreaterThan(0);
      expect(Math.abs(angleBetween(player.shotAngle, -Math.PI / 2))).toBeLessThan(0.05);
      await page.screenshot({ path: join(OUTPUT_DIR, "touch.png") });

      // Fingers up: the player stops and the trigger is released.
      await touch("touchEnd", []);
      await expect.poll(async () => {
        const [x, shot] = [player.x, player.shotTick];
        await new Promise((r) => setTimeout(r, 500));
        return player.x === x && player.shotTick === shot;
      }, { timeout: 10_000 }).toBe(true);
      expect(await page.getByTestId("stick-move").count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await other.leave();
      await context.close();
    }
  }, 60_000);
});
