/**
 * Two real browsers join one room through the UI, see each other, move, fight
 * until a kill shows on both screens, and chat — against a real server.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { ArenaState } from "@arena/shared";
import { FACE_OFF_SHOOTER, faceOff, serverRoom } from "@arena/testkit";
import { OUTPUT_DIR, openPage, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser({ match: { warmupSeconds: 0.5 } });
const errors: string[] = [];

const sessionOf = (page: Page): Promise<string> => page.evaluate(() => (window as any).__arena.session().sessionId);
const drawnX = (page: Page, id: string): Promise<number> => page.evaluate((i) => (window as any).__arena.drawn(i)?.x ?? NaN, id);

function serverState(roomId: string): ArenaState {
  return serverRoom(roomId).state;
}

describe("two players in Chromium", () => {
  it("join through the UI, see and move, fight to a kill on both screens, and chat", async () => {
    const alice = await openPage(e2e.browser, `${e2e.server.url}/?name=alice`, errors);
    await waitForScreen(alice, "lobby");
    await alice.getByTestId("quick-play").click();
    await waitForScreen(alice, "game");
    const invite = await alice.getByTestId("invite-link").inputValue();
    expect(invite).toMatch(/\?join=/);

    const bob = await openPage(e2e.browser, `${invite}&name=bob`, errors);
    await waitForScreen(bob, "game");
    for (const page of [alice, bob]) expect(await page.evaluate(() => (window as any).__arena.rendererType())).toBe("webgl");

    const [a, b] = [await sessionOf(alice), await sessionOf(bob)];
    const roomId = await alice.evaluate(() => (window as any).__arena.session().room.roomId);
    expect(await bob.evaluate(() => (window as any).__arena.session().room.roomId)).toBe(roomId);
    // Each sees the other drawn.
    await alice.waitForFunction((id) => (window as any).__arena.drawn(id) !== undefined, b);
    await bob.waitForFunction((id) => (window as any).__arena.drawn(id) !== undefined, a);

    // Alice moves right; Bob sees her move.
    await bob.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    const before = await drawnX(bob, a);
    const x0 = serverState(roomId).players.get(a)!.x;
    await alice.keyboard.down(x0 < 1000 ? "KeyD" : "KeyA");
    await bob.waitForFunction(([id, x]) => Math.abs((window as any).__arena.drawn(id).x - (x as number)) > 40, [a, before] as const);
    await alice.keyboard.up(x0 < 1000 ? "KeyD" : "KeyA");

    // Face-off on open ground (server-side setup), then Alice aims right and holds the trigger.
    await alice.waitForFunction(() => (window as any).__arena.session().room.state.phase === "playing", null, { timeout: 10_000 }).catch(async (e: Error) => {
      const seen = await alice.evaluate(() => ({ flow: (window as any).__arena.flow(), phase: (window as any).__arena.session()?.room.state.phase }));
      const st = serverState(roomId);
      throw new Error(`${e.message}\nalice sees ${JSON.stringify(seen)}; server: phase ${st.phase}, players ${st.players.size}, tick ${st.tick}, phaseEndsAt ${st.phaseEndsAt}`);
    });
    const state = serverState(roomId);
    const pa = state.players.get(a)!;
    // Inputs sent while the key was down may still be queued: wait until Alice has stopped on the server.
    await expect.poll(async () => {
      const x = pa.x;
      const tick = state.tick;
      await new Promise<void>((r) => {
        const t = setInterval(() => { if (state.tick >= tick + 10) { clearInterval(t); r(); } }, 5);
      });
      return pa.x === x;
    }, { timeout: 10_000 }).toBe(true);
    faceOff(state, a, b);
    await alice.waitForFunction(([id, x]) => Math.abs((window as any).__arena.drawn(id).x - x) < 2, [a, FACE_OFF_SHOOTER.x] as const, { timeout: 10_000 }).catch(async (e: Error) => {
      const seen = await alice.evaluate((id) => {
        const s = (window as any).__arena.session();
        const me = s.room.state.players.get(id);
        return { drawn: (window as any).__arena.drawn(id), predicted: s.me?.state && { x: s.me.state.x, y: s.me.state.y }, decoded: { x: me.x, y: me.y, alive: me.alive }, stats: s.stats(), phase: s.room.state.phase };
      }, a);
      throw new Error(`${e.message}\nalice after the teleport: ${JSON.stringify(seen)}; server: ${JSON.stringify({ x: pa.x, y: pa.y, alive: pa.alive })}`);
    });
    const box = (await alice.locator("#game canvas").boundingBox())!;
    await alice.mouse.move(box.x + box.width / 2 + 200, box.y + box.height / 2);
    await alice.mouse.down();
    const feed = /alice ✕ bob/;
    await expect.poll(() => alice.getByTestId("kill-feed").textContent(), { timeout: 10_000 }).toMatch(feed);
    await expect.poll(() => bob.getByTestId("kill-feed").textContent(), { timeout: 5_000 }).toMatch(feed);
    await alice.mouse.up();
    await expect.poll(() => alice.getByTestId("hud-score").textContent()).toMatch(/Kills 1/);
    await expect.poll(() => bob.getByTestId("hud-score").textContent()).toMatch(/Deaths 1/);

    // Chat from Alice appears for Bob.
    await alice.getByTestId("chat-input").click();
    await alice.keyboard.type("hello bob");
    await alice.keyboard.press("Enter");
    await expect.poll(() => bob.getByTestId("chat-log").textContent()).toMatch(/alice: hello bob/);

    await alice.screenshot({ path: join(OUTPUT_DIR, "e2e-alice.png") });
    await bob.screenshot({ path: join(OUTPUT_DIR, "e2e-bob.png") });
    expect(errors).toEqual([]);
  }, 60_000);
});
