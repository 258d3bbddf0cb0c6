/**
 * The lobby's live matches in Chromium: a public match being played is listed
 * with its top scorer and kills and the time left (counting down), the row
 * follows a score change as the server writes it, and Watch opens the
 * spectator view of that match.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { joinArena, serverRoom, waitForState } from "@arena/testkit";
import { OUTPUT_DIR, openPage, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser({ match: { warmupSeconds: 0.2 } });

describe("live matches in the lobby, in Chromium", () => {
  it("lists a match with its top scorer and time left, follows a score change, and Watch opens the spectator view", async () => {
    const errors: string[] = [];
    const viewer = await openPage(e2e.browser, `${e2e.server.url}/?name=viewer`, errors);
    await waitForScreen(viewer, "lobby");
    const { room: alice } = await joinArena(e2e.server.url, "alice");
    const { room: bob } = await joinArena(e2e.server.url, "bob");
    try {
      expect(bob.roomId).toBe(alice.roomId);
      const id = alice.roomId;
      await waitForState(alice, (s) => s.phase === "playing", 5000, "the match under way");

      // Listed once playing, nobody has scored yet; the time left counts down.
      const leader = viewer.getByTestId(`live-leader-${id}`);
      await leader.waitFor({ timeout: 10_000 });
      expect(await leader.textContent()).toBe("—");
      const time = viewer.getByTestId(`live-time-${id}`);
      await expect.poll(() => time.textContent(), { timeout: 5000 }).toMatch(/^[0-5]:\d\d$/);
      const first = await time.textContent();
      await viewer.waitForFunction(([tid, before]) => document.querySelector(`[data-testid="${tid}"]`)?.textContent !== before, [`live-time-${id}`, first], { timeout: 3000 });

      // A score changes on the server: the row follows (the room writes its listing at most once a second).
      const state = serverRoom(id).state;
      const lags: number[] = [];
      for (const [who, kills] of [["alice", 2], ["bob", 5]] as const) {
        const sessionId = who === "alice" ? alice.sessionId : bob.sessionId;
        const changedAt = Date.now();
        state.players.get(sessionId)!.kills = kills;
        await viewer.waitForFunction(([tid, text]) => document.querySelector(`[data-testid="${tid}"]`)?.textContent === text, [`live-leader-${id}`, `${who} · ${kills}`], { timeout: 5000 });
        lags.push(Date.now() - changedAt);
      }
      console.log(`lobby live list: a score change shown after ${lags.join(", ")} ms`);
      await viewer.screenshot({ path: join(OUTPUT_DIR, "lobby-live-matches.png") });

      // Watch: the spectator seat in that match.
      await viewer.getByTestId(`live-watch-${id}`).click();
      await waitForScreen(viewer, "game");
      expect(await viewer.evaluate(() => (window as any).__arena.session().room.roomId as string)).toBe(id);
      await expect.poll(() => viewer.getByTestId("hud-hp").textContent()).toBe("Spectating");
      await viewer.waitForFunction((sid) => (window as any).__arena.drawn(sid) !== undefined, bob.sessionId);
      expect(await viewer.evaluate(() => (window as any).__arena.session().room.state.players.size as number)).toBe(2);
      expect(errors).toEqual([]);
    } finally {
      await alice.leave();
      await bob.leave();
      await viewer.close();
    }
  }, 60_000);
});
