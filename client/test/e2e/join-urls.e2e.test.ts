/**
 * The real page in Chromium puts no guest token in any URL it opens: every request and websocket of a sign-in,
 * the lobby, quick play, a join by invite link and the notification stream is captured as the browser opens it;
 * none holds the page's token, and each room websocket carries a join ticket instead.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { openPage, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser();
const errors: string[] = [];

/** Every URL the page opens from now on: HTTP requests (fetch, EventSource, assets) and websockets. */
function captureUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (r) => urls.push(r.url()));
  page.on("websocket", (ws) => urls.push(ws.url()));
  return urls;
}

const tokenOf = (page: Page): Promise<string> =>
  page.evaluate(() => (JSON.parse(localStorage.getItem("arena.identity") ?? "{}") as { token?: string }).token ?? "");

describe("URLs the page opens", () => {
  it("hold no guest token through sign-in, lobby, quick play and a join by invite link; each room websocket carries a join ticket", async () => {
    const alice = await openPage(e2e.browser, `${e2e.server.url}/?name=alice`, errors);
    const aliceUrls = captureUrls(alice);
    await waitForScreen(alice, "lobby", 30_000);
    await alice.getByTestId("quick-play").click();
    await waitForScreen(alice, "game", 30_000);
    const invite = await alice.getByTestId("invite-link").inputValue();

    const bob = await openPage(e2e.browser, `${invite}&name=bob`, errors);
    const bobUrls = captureUrls(bob);
    await waitForScreen(bob, "game", 30_000);

    for (const [page, urls] of [[alice, aliceUrls], [bob, bobUrls]] as const) {
      const token = await tokenOf(page);
      expect(token.split(".")).toHaveLength(3); // the page holds a JWT guest token
      const sockets = urls.filter((u) => u.startsWith("ws"));
      expect(sockets.length).toBeGreaterThanOrEqual(1);
      for (const url of urls) {
        expect(url).not.toContain(token);
        expect(url).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
      }
      for (const url of sockets) expect(new URL(url).searchParams.get("_authToken")?.split(".")).toHaveLength(2);
    }
    expect(errors).toEqual([]);
  }, 90_000);
});
