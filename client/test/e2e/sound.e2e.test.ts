/**
 * Sound in Chromium: no audio context before the player's first gesture, a
 * running one after a click; volume and mute survive a reload.
 */
import { describe, expect, it } from "vitest";
import { waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser();

describe("sound in Chromium", () => {
  it("starts only after a click, and keeps the volume and mute across a reload", async () => {
    const errors: string[] = [];
    const page = await e2e.browser.newPage({ viewport: { width: 1000, height: 700 } });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${e2e.server.url}/?name=ears`);
    await waitForScreen(page, "lobby");
    const audio = (): Promise<string> => page.evaluate(() => (window as any).__arena.audioState());
    // Loaded, the lobby shown, state arriving: still no audio context.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    expect(await audio()).toBe("none");

    await page.getByTestId("quick-play").click();
    await expect.poll(audio).toBe("running");
    await waitForScreen(page, "game");

    await page.getByTestId("volume").fill("0.3");
    await page.getByTestId("mute").click();
    expect(await page.getByTestId("mute").textContent()).toBe("Unmute");

    await page.reload();
    await waitForScreen(page, "game");
    expect(await audio()).toBe("none");
    expect(await page.getByTestId("volume").inputValue()).toBe("0.3");
    expect(await page.getByTestId("mute").textContent()).toBe("Unmute");
    expect(errors).toEqual([]);
  }, 60_000);
});
