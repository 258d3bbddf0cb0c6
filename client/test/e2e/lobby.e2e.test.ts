/**
 * The lobby in Chromium: a private room and its invite link, the live room
 * list, the online count and leaderboard, and watching a room as a spectator.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH } from "@arena/shared";
import { OUTPUT_DIR, openPage, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser();
const errors: string[] = [];

const roomIdOf = (page: import("playwright-core").Page): Promise<string> =>
  page.evaluate(() => (window as any).__arena.session().room.roomId as string);

describe("lobby in Chromium", () => {
  it("creates a private room with an invite code, lists public rooms live, shows the leaderboard, and lets a spectator watch", async () => {
    // A private room: its invite link carries a short human-readable code.
    const host = await openPage(e2e.browser, `${e2e.server.url}/?name=host`, errors);
    await waitForScreen(host, "lobby");
    await host.getByTestId("create-private").click();
    await waitForScreen(host, "game");
    const invite = await host.getByTestId("invite-link").inputValue();
    const code = new URL(invite).searchParams.get("join") ?? "";
    expect(code).toHaveLength(ROOM_CODE_LENGTH);
    for (const ch of code) expect(ROOM_CODE_ALPHABET).toContain(ch);

    // A friend follows the link (lower case, as a person might type it) and lands in the same room.
    const friend = await openPage(e2e.browser, `${e2e.server.url}/?name=friend&join=${code.toLowerCase()}`, errors);
    await waitForScreen(friend, "game");
    expect(await roomIdOf(friend)).toBe(code);

    // A public room from quick play; the lobby lists it (and not the private one), live.
    const viewer = await openPage(e2e.browser, `${e2e.server.url}/?name=viewer`, errors);
    await waitForScreen(viewer, "lobby");
    const walker = await openPage(e2e.browser, `${e2e.server.url}/?name=walker&quick=1`, errors);
    await waitForScreen(walker, "game");
    const publicRoom = await roomIdOf(walker);
    expect(publicRoom).not.toBe(code);
    await viewer.getByTestId(`join-room-${publicRoom}`).waitFor({ timeout: 10_000 });
    expect(await viewer.getByTestId(`join-room-${code}`).count()).toBe(0);
    await expect.poll(() => viewer.getByTestId("online-count").textContent(), { timeout: 5000 }).toMatch(/[4-9] online/);

    // The leaderboard pushes to the lobby as soon as points are credited.
    await e2e.server.backend.leaderboard.credit([{ userId: "g_walker", name: "walker", points: 7 }]);
    await expect.poll(() => viewer.getByTestId("leaderboard").textContent(), { timeout: 5000 }).toMatch(/walker7/);
    await viewer.screenshot({ path: join(OUTPUT_DIR, "lobby.png") });

    // Watch the public room without taking a seat.
    await viewer.getByTestId(`watch-room-${publicRoom}`).click();
    await waitForScreen(viewer, "game");
    expect(await roomIdOf(viewer)).toBe(publicRoom);
    await expect.poll(() => viewer.getByTestId("hud-hp").textContent()).toBe("Spectating");
    const walkerId = await walker.evaluate(() => (window as any).__arena.session().sessionId as string);
    await viewer.waitForFunction((id) => (window as any).__arena.drawn(id) !== undefined, walkerId);
    const seats = await viewer.evaluate(() => (window as any).__arena.session().room.state.players.size as number);
    expect(seats).toBe(1);
    await viewer.screenshot({ path: join(OUTPUT_DIR, "spectator.png") });
    expect(errors).toEqual([]);
  }, 60_000);
});
