/**
 * A crafted link cannot send the player's sign-in elsewhere: a page opened
 * with ?server=<another origin> in real Chromium signs in and plays on its
 * own origin and never makes a single request to the other one.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser();
const errors: string[] = [];
/** A listener standing in for the attacker's server: it records whatever reaches it. */
let trap: Server;
const trapped: string[] = [];

beforeAll(async () => {
  trap = createServer((req, res) => {
    trapped.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "access-control-allow-origin": "*", "content-type": "application/json" });
    res.end('{"token":"stolen","name":"x","userId":"x"}');
  });
  await new Promise<void>((r) => trap.listen(0, "127.0.0.1", r));
});
afterAll(async () => {
  await new Promise((r) => trap.close(r));
});

describe("?server= in the page URL", () => {
  it("is ignored: sign-in and the join go to the page's own origin, nothing to the other server", async () => {
    const other = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    // Every request the page makes, from before it loads.
    const page = await e2e.browser.newPage();
    const requested: string[] = [];
    let leaked!: (e: Error) => void;
    const leak = new Promise<never>((_, reject) => (leaked = reject));
    page.on("request", (r) => {
      requested.push(r.url());
      if (r.url().startsWith(other)) leaked(new Error(`the page sent a request to the other server: ${r.method()} ${r.url()}`));
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${e2e.server.url}/?name=ada&quick=1&server=${encodeURIComponent(other)}`);
    await Promise.race([waitForScreen(page, "game", 15_000), leak]);
    expect(requested.filter((u) => u.startsWith(other))).toEqual([]);
    expect(trapped).toEqual([]);
    expect(requested.some((u) => u.startsWith(`${e2e.server.url}/api/auth/guest`))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
