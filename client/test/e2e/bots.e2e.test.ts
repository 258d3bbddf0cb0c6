/**
 * A lone player in Chromium is never alone: quick play fills the room with
 * bots that move, carry their tag on screen, and hurt the player; the lobby
 * shows them apart from people, and "Play vs bots" opens a practice room.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ARENA_MAP, BOT_FIGHT_NEAR, MAX_HP, PLAYER_RADIUS, clearLine } from "@arena/shared";
import { serverRoom } from "@arena/testkit";
import { OUTPUT_DIR, openPage, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const FILL = 4;
const e2e = useServerAndBrowser({ match: { warmupSeconds: 0.5 } }, { BOT_FILL: String(FILL) });
const errors: string[] = [];

/**
 * Moves the page's player (on the server) to a spot in plain sight of a bot, at its near fighting distance.
 * How roaming bots find a player is the simulation's to test (shared/test/bots.test.ts plays whole bot matches);
 * here it is the page: what it shows of the bots' fire. Waiting for a roaming bot took 5-30 s of every run.
 */
function placeInSightOfABot(roomId: string, sessionId: string): void {
  const state = serverRoom(roomId).state;
  const me = state.players.get(sessionId)!;
  const others = [...state.players.values()].filter((p) => p !== me && p.alive);
  // A bot keeps a target it fights unless another is much nearer (brain.ts): the idlest bot first, the one whose
  // nearest other player is farthest away.
  const nearestOther = (bot: typeof me): number => Math.min(...others.filter((p) => p !== bot).map((p) => Math.hypot(p.x - bot.x, p.y - bot.y)));
  for (const bot of others.filter((p) => p.bot).sort((a, b) => nearestOther(b) - nearestOther(a))) {
    for (let k = 0; k < 8; k++) {
      const x = bot.x + Math.cos((k * Math.PI) / 4) * BOT_FIGHT_NEAR;
      const y = bot.y + Math.sin((k * Math.PI) / 4) * BOT_FIGHT_NEAR;
      const inside = x > PLAYER_RADIUS && y > PLAYER_RADIUS && x < ARENA_MAP.width - PLAYER_RADIUS && y < ARENA_MAP.height - PLAYER_RADIUS;
      if (inside && clearLine(ARENA_MAP, bot.x, bot.y, x, y, PLAYER_RADIUS)) {
        me.x = x;
        me.y = y;
        return;
      }
    }
  }
  throw new Error("no bot with a clear spot beside it");
}

describe("bots in Chromium", () => {
  it("a lone page via ?quick=1 sees tagged bots moving and takes damage from them", async () => {
    const page = await openPage(e2e.browser, `${e2e.server.url}/?name=solo&quick=1`, errors);
    await waitForScreen(page, "game");
    // The bots, as this page decoded and drew them.
    const bots = (): Promise<{ id: string; label: string | undefined; x: number; y: number }[]> => page.evaluate(() => {
      const a = (window as any).__arena;
      const out: { id: string; label: string | undefined; x: number; y: number }[] = [];
      a.session().room.state.players.forEach((p: { bot: boolean }, id: string) => {
        const at = a.drawn(id);
        if (p.bot && at !== undefined) out.push({ id, label: a.label(id), x: at.x, y: at.y });
      });
      return out;
    });
    await page.waitForFunction((n) => {
      const a = (window as any).__arena;
      let drawn = 0;
      a.session().room.state.players.forEach((p: { bot: boolean }, id: string) => {
        if (p.bot && a.drawn(id) !== undefined) drawn++;
      });
      return drawn === n;
    }, FILL - 1, { timeout: 5000 });
    const first = await bots();
    for (const b of first) expect(b.label).toMatch(/ \[BOT\]$/);
    expect(await page.evaluate(() => (window as any).__arena.label((window as any).__arena.session().sessionId))).not.toMatch(/BOT/);

    await page.waitForFunction((start) => start.some((b: { id: string; x: number; y: number }) => {
      const at = (window as any).__arena.drawn(b.id);
      return at !== undefined && Math.hypot(at.x - b.x, at.y - b.y) > 60;
    }), first, { timeout: 10_000 });

    // Standing still in a bot's sight, the player is shot by the bots within a bounded time (the bound leaves room
    // for a loaded machine; the bots fire once their reaction time has passed). Placed again beside a bot every 3 s
    // until hurt: a bot may be busy with a nearer one or strafe out of sight, and one placement then waited on the
    // roaming bots (75 s of the 90 in a CI run).
    const [roomId, sessionId] = await page.evaluate(() => [(window as any).__arena.session().room.roomId, (window as any).__arena.session().sessionId]);
    const deadline = Date.now() + 90_000;
    for (let hurt = false; !hurt;) {
      if (Date.now() > deadline) throw new Error("no bot hurt the player within 90 s");
      placeInSightOfABot(roomId, sessionId);
      hurt = await page.waitForFunction((max) => {
        const s = (window as any).__arena.session();
        const me = s.room.state.players.get(s.sessionId);
        return me !== undefined && (me.hp < max || me.deaths > 0);
      }, MAX_HP, { timeout: 3000 }).then(() => true, () => false);
    }
    const hurtBy = await page.evaluate(() => {
      const s = (window as any).__arena.session();
      const me = s.room.state.players.get(s.sessionId);
      return { hp: me.hp, deaths: me.deaths, killedBy: me.killedBy };
    });
    expect(hurtBy.hp < MAX_HP || hurtBy.deaths > 0).toBe(true);
    await page.screenshot({ path: join(OUTPUT_DIR, "bots-lone-player.png") });

    // A second page in the lobby sees this room with 1 person and 3 bots, and the bots apart in the online count.
    const looker = await openPage(e2e.browser, `${e2e.server.url}/?name=looker`, errors);
    await waitForScreen(looker, "lobby");
    const row = looker.locator(`[data-testid="room-list"] tr[data-room-id="${roomId}"]`);
    await expect.poll(async () => (await row.locator("td").allTextContents()).slice(0, 2), { timeout: 5000 }).toEqual(["1/16", String(FILL - 1)]);
    await expect.poll(() => looker.getByTestId("online-count").textContent(), { timeout: 5000 }).toMatch(/^2 online \(\+3 bots\)/);
    await looker.close();
    await page.close();
    expect(errors).toEqual([]);
  }, 150_000);

  it("\"Play vs bots\" opens a private practice room with the chosen bots, and a bad count is refused", async () => {
    const page = await openPage(e2e.browser, `${e2e.server.url}/?name=trainee`, errors);
    await waitForScreen(page, "lobby");
    await page.getByTestId("practice-bots").fill("8");
    await page.getByTestId("practice-difficulty").selectOption("hard");
    await page.getByTestId("practice-start").click();
    await waitForScreen(page, "game");
    await page.waitForFunction(() => {
      const room = (window as any).__arena.session().room;
      let bots = 0;
      room.state.players.forEach((p: { bot: boolean }) => { if (p.bot) bots++; });
      return bots === 8 && room.state.phase === "playing";
    }, null, { timeout: 10_000 });
    // Private: the invite link carries the room's code.
    expect(await page.getByTestId("invite-link").inputValue()).toMatch(/\?join=\w{6}$/);
    await page.getByTestId("leave").click();
    await waitForScreen(page, "lobby");

    // The page's own field stops 16 in a form submit; a hand-made request shows what the server says.
    await page.getByTestId("practice-bots").evaluate((el: HTMLInputElement) => { el.max = "99"; el.value = "16"; });
    await page.getByTestId("practice-start").click();
    await waitForScreen(page, "error");
    expect(await page.getByTestId("error-message").textContent()).toContain("bots must be a whole number from 1 to 15");
    await page.close();
    expect(errors).toEqual([]);
  }, 60_000);
});
