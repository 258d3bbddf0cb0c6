/**
 * Hits you can feel, in Chromium: the patch that says a hit I fired landed
 * puts a hit marker and the damage number on screen by the next drawn frame;
 * the patch that says I was hit raises the red edge and points an indicator.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ArenaState } from "@arena/shared";
import { joinArena, serverRoom, waitForState } from "@arena/testkit";
import { OUTPUT_DIR, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

// No bots: a bot's shot that kills the page's player in the middle of the test leaves it dead when the test sets its
// HP to 25 (from 0 that is no hit taken), or hurts it at a moment the test does not control.
const e2e = useServerAndBrowser({ match: { warmupSeconds: 0.5 } }, { BOT_FILL: "0" });

describe("hit feedback in Chromium", () => {
  it("a landed hit shows its number by the frame after the patch that carries it; a hit taken reddens the edge", async () => {
    const errors: string[] = [];
    const page = await e2e.browser.newPage({ viewport: { width: 1000, height: 700 } });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${e2e.server.url}/?name=shooter&quick=1`);
    await waitForScreen(page, "game");
    const me = await page.evaluate(() => (window as any).__arena.session().sessionId as string);
    const roomId = await page.evaluate(() => (window as any).__arena.session().room.roomId as string);
    const { room: other } = await joinArena(e2e.server.url, "target");
    try {
      expect(other.roomId).toBe(roomId);
      // After the warm-up: the match's start gives everyone full HP and a spawn, which would undo the HP this test sets
      // if it fell between that and the next patch (a CI run's screenshot showed "Match starts in 1" at the first hit).
      await waitForState(other, (s) => s.phase === "playing", 10_000, "the match's start");
      const state = serverRoom(roomId).state as ArenaState;
      const mine = state.players.get(me)!;
      const theirs = state.players.get(other.sessionId)!;
      mine.x = 800; mine.y = 700;
      theirs.x = 1000; theirs.y = 700;
      await page.waitForFunction((id) => (window as any).__arena.drawn(id) !== undefined, other.sessionId);

      // The page notes, at the patch carrying my landed shot, what the next frame shows.
      await page.evaluate(() => {
        const a = (window as any).__arena;
        const room = a.session().room;
        const before = room.state.players.get(room.sessionId).landedShot;
        const seen = (): void => {
          if (room.state.players.get(room.sessionId).landedShot === before) return;
          room.onStateChange.remove(seen);
          requestAnimationFrame(() => { (window as any).__numbersNextFrame = a.scene.fx.floatingNumbers(); });
        };
        room.onStateChange(seen);
      });
      theirs.hp -= 25;
      mine.landedShot = state.tick;
      const numbers = await page.waitForFunction(() => (window as any).__numbersNextFrame, undefined, { timeout: 5_000 });
      expect(await numbers.jsonValue()).toContain("25");
      await page.screenshot({ path: join(OUTPUT_DIR, "feedback-hit-landed.png") });

      // Hit taken, down to low HP: the edge is red and stays red at low HP after the flare.
      expect(await page.evaluate(() => (window as any).__arena.scene.fx.edgeLevel())).toBe(0);
      const hitsBefore = await page.evaluate(() => (window as any).__arena.scene.fx.hitsTaken as number);
      mine.hp = 25;
      theirs.landedShot = state.tick;
      // The hit flares the edge (counted when it is taken: the flare itself lasts 300 ms, shorter than a busy page's
      // frames can be relied on to sample), and at 25 HP the edge stays red: 0.75 x 0.75² = 0.42 (dangerEdge).
      await page.waitForFunction((n) => (window as any).__arena.scene.fx.hitsTaken > n, hitsBefore, { timeout: 5_000 });
      await page.waitForFunction(() => (window as any).__arena.scene.fx.edgeLevel() >= 0.42, undefined, { timeout: 5_000 });
      await page.screenshot({ path: join(OUTPUT_DIR, "feedback-hit-taken.png") });
      expect(errors).toEqual([]);
    } finally {
      await other.leave();
      await page.close();
    }
  }, 60_000);
});
