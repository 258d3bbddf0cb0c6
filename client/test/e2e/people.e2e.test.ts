/**
 * People in Chromium: the status page draws its charts and their last point
 * moves while bots join; a lobby lists the people one played with (not
 * strangers) with their status; an invite arrives as a toast whose Join button lands the invitee in
 * the inviter's room; a reload keeps the same person.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { joinArena } from "@arena/testkit";
import { OUTPUT_DIR, openPage, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser();
const errors: string[] = [];
const bots: { leave(): Promise<unknown> }[] = [];

afterAll(async () => {
  await Promise.all(bots.map((b) => b.leave().catch(() => undefined)));
});

const userIdOf = (page: Page): Promise<string> =>
  page.evaluate(() => (JSON.parse(localStorage.getItem("arena.identity") ?? "{}") as { userId: string }).userId);
const roomIdOf = (page: Page): Promise<string> => page.evaluate(() => (window as any).__arena.session().room.roomId as string);

describe("people in Chromium", () => {
  it("draws the status charts, whose last point moves while bots join", async () => {
    const page = await openPage(e2e.browser, `${e2e.server.url}/status`, errors);
    await page.locator("[data-testid=chart-people] canvas").waitFor({ timeout: 10_000 });
    for (const id of ["people", "rooms", "joins", "step", "bandwidth"]) expect(await page.locator(`[data-testid=chart-${id}] canvas`).count()).toBe(1);
    const lastT = async (): Promise<number> => page.evaluate(() => ((window as any).__status.samples() as { t: number }[]).at(-1)?.t ?? 0);
    await expect.poll(lastT, { timeout: 5000 }).toBeGreaterThan(0);
    const before = await lastT();
    for (let i = 0; i < 3; i++) bots.push((await joinArena(e2e.server.url, `bot${i}`)).room);
    await expect.poll(lastT, { timeout: 5000 }).toBeGreaterThan(before);
    await expect.poll(() => page.evaluate(() => ((window as any).__status.samples() as { joinsPerSecond: number }[]).some((s) => s.joinsPerSecond > 0)), { timeout: 5000 }).toBe(true);
    await expect.poll(() => page.getByTestId("last-rooms").textContent(), { timeout: 5000 }).toMatch(/^[1-9]/);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(OUTPUT_DIR, "status-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  it("lists the people one played with, with their status, and an invite toast's Join lands in the inviter's room", async () => {
    const alice = await openPage(e2e.browser, `${e2e.server.url}/?name=alice`, errors);
    const bob = await openPage(e2e.browser, `${e2e.server.url}/?name=bob`, errors);
    const carol = await openPage(e2e.browser, `${e2e.server.url}/?name=carol`, errors);
    for (const page of [alice, bob, carol]) await waitForScreen(page, "lobby");
    const bobId = await userIdOf(bob);
    const aliceId = await userIdOf(alice);
    const carolId = await userIdOf(carol);
    expect(bobId).toMatch(/^g_/);
    expect(bobId).not.toBe(aliceId);
    // Strangers are not listed: the list holds one's people (played with, invited, blocked), not everyone online.
    await expect.poll(() => alice.getByTestId("people-count").textContent(), { timeout: 5000 }).toMatch(/^\(\d+ online/);
    expect(await alice.getByTestId(`person-${bobId}`).count()).toBe(0);
    // The three play one match together (quick play seats them in the fullest open room), then go back to the lobby.
    const rooms: string[] = [];
    for (const page of [alice, bob, carol]) {
      await page.getByTestId("quick-play").click();
      await waitForScreen(page, "game");
      rooms.push(await roomIdOf(page));
    }
    expect(new Set(rooms).size).toBe(1);
    for (const page of [alice, bob, carol]) {
      await page.getByTestId("leave").click();
      await waitForScreen(page, "lobby");
    }
    const bobRow = alice.getByTestId(`person-${bobId}`);
    await bobRow.waitFor({ timeout: 8000 });
    await expect.poll(() => bobRow.getAttribute("data-status"), { timeout: 8000 }).toBe("lobby");

    // Bob plays: Alice's list shows him in a match within one re-read of her list (3 s) and a second.
    await bob.getByTestId("quick-play").click();
    await waitForScreen(bob, "game");
    await expect.poll(() => bobRow.getAttribute("data-status"), { timeout: 4000 }).toBe("match");
    await expect.poll(() => bobRow.textContent()).toContain(`in match ${await roomIdOf(bob)}`);

    // Alice invites Carol: a private room opens for Alice, Carol gets a toast, and its Join seats her there.
    await alice.getByTestId(`person-invite-${carolId}`).click();
    await waitForScreen(alice, "game");
    const room = await roomIdOf(alice);
    const toast = carol.getByTestId("toast-invite");
    await toast.waitFor({ timeout: 5000 });
    expect(await toast.textContent()).toContain("alice invites you");
    await expect.poll(() => carol.getByTestId("notify-badge").getAttribute("data-unread")).toBe("1");
    await carol.screenshot({ path: join(OUTPUT_DIR, "invite-toast.png") });
    await toast.getByTestId("toast-join").click();
    await waitForScreen(carol, "game");
    expect(await roomIdOf(carol)).toBe(room);
    await alice.getByTestId("toast-invite_answer").waitFor({ timeout: 5000 });
    expect(await alice.getByTestId("toast-invite_answer").textContent()).toContain("carol accepted");

    // A reload is the same person.
    await bob.goto(`${e2e.server.url}/`);
    await waitForScreen(bob, "lobby");
    expect(await userIdOf(bob)).toBe(bobId);
    expect(errors).toEqual([]);
  }, 120_000); // three pages play a match before the checks: 50–60 s of it at load 30
});
