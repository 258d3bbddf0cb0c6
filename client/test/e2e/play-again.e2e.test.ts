/**
 * The results screen in Chromium: two people who played a match together both press Play again and land in the
 * same new room, together; the screen showed the standings with their own line marked and their rating change.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { ArenaState } from "@arena/shared";
import { serverRoom } from "@arena/testkit";
import { OUTPUT_DIR, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

// The test ends the first match itself once both are in it (a 3 s match could end before a busy machine seated the
// second page, which then got a room of its own); long results: time to read them and press.
const e2e = useServerAndBrowser({ match: { matchSeconds: 120, warmupSeconds: 1, resultsSeconds: 20 } });

const roomOf = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => (window as unknown as { __arena: { session(): { room: { roomId: string } } | undefined } }).__arena.session()?.room.roomId);

describe("results and Play again in Chromium", () => {
  it("Play again keeps two pages together: both land in one new room", async () => {
    const errors: string[] = [];
    // Two browsers' worth of storage: two people (one context's tabs are one person, who holds one seat per room).
    const contexts = [await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } }), await e2e.browser.newContext({ viewport: { width: 1280, height: 800 } })];
    try {
      const pages: Page[] = [];
      for (const [i, name] of ["ann", "bob"].entries()) {
        const page = await contexts[i]!.newPage();
        page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
        await page.goto(`${e2e.server.url}/?name=${name}&quick=1`);
        await waitForScreen(page, "game");
        pages.push(page);
      }
      const [ann, bob] = pages as [Page, Page];
      const first = await roomOf(ann);
      expect(await roomOf(bob)).toBe(first);
      // The match ends by time at its next step.
      const state = serverRoom(first!).state as ArenaState;
      await expect.poll(() => state.phase, { timeout: 10_000 }).toBe("playing");
      state.phaseEndsAt = state.tick + 1;

      await Promise.all([waitForScreen(ann, "results"), waitForScreen(bob, "results")]);
      await ann.getByTestId("results-rating").filter({ hasText: "Rating" }).waitFor({ timeout: 10_000 });
      expect(await ann.locator("#screen-results tr.me").textContent()).toContain("ann (you)");
      await ann.screenshot({ path: join(OUTPUT_DIR, "results.png") });

      await ann.getByTestId("results-play-again").click();
      await bob.getByTestId("results-play-again").click();
      await Promise.all([waitForScreen(ann, "game"), waitForScreen(bob, "game")]);
      await ann.waitForFunction((old) => {
        const id = (window as unknown as { __arena: { session(): { room: { roomId: string } } | undefined } }).__arena.session()?.room.roomId;
        return id !== undefined && id !== old;
      }, first, { timeout: 10_000 });
      const next = await roomOf(ann);
      expect(next).not.toBe(first);
      expect(await roomOf(bob)).toBe(next);
      // Each sees the other in the new room.
      await ann.waitForFunction(() => (window as unknown as { __arena: { session(): { room: { state: { players: { size: number } } } } | undefined } }).__arena.session()?.room.state.players.size === 2, undefined, { timeout: 10_000 });
      expect(errors).toEqual([]);
    } finally {
      await Promise.all(contexts.map((c) => c.close()));
    }
  }, 90_000);
});
