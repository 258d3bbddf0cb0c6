/**
 * A page in a match through a kill: two processes on Redis behind the generated nginx config (TLS), real
 * Chromium on the production client build. The process holding the page's match is SIGKILLed; the page
 * shows "reconnecting…" and comes back into the same match, same session, without a click.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import {
  REPO_ROOT, freePort, nginxPrefix, requireBinary, spawnServer, startNginx, startRedis,
  type GameServerProcess, type NginxProcess, type RedisProcess,
} from "@arena/testkit/remote";
import { renderStandaloneNginx } from "../../../server/src/deploy/nginxConfig.ts";
import { CUSTODY_KEYS } from "../../../server/src/scale/matchCustody.ts";
import { TEST_FRAME_RATE, launchBrowser } from "./browser.ts";

// nginx serves a self-signed certificate for 127.0.0.1 (testkit's nginxPrefix): trusted for this file only (e2e files
// share a worker process), and the processes it spawns.
const verifyTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
let dir: string;
let redis: RedisProcess;
let servers: GameServerProcess[];
let nginx: NginxProcess;
let browser: Browser;
let db: Redis;
let base: string;
const errors: string[] = [];

beforeAll(async () => {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  requireBinary("nginx");
  dir = nginxPrefix("failover");
  redis = await startRedis();
  const tlsPort = await freePort();
  const ports = [await freePort(), await freePort()];
  servers = [];
  for (const p of ports) {
    servers.push(await spawnServer({ REDIS_URL: redis.url, PORT: String(p), PUBLIC_ADDRESS: `127.0.0.1:${tlsPort}/${p}`, BOT_FILL: "3" }, { timeoutMs: 90_000 }));
  }
  const conf = join(dir, "nginx.conf");
  writeFileSync(conf, renderStandaloneNginx({ ports, listen: `127.0.0.1:${tlsPort}`, certificate: join(dir, "cert.pem"), certificateKey: join(dir, "key.pem") }, dir));
  base = `https://127.0.0.1:${tlsPort}`;
  nginx = await startNginx(dir, conf, tlsPort, `${base}/health`);
  db = new Redis(redis.url);
  mkdirSync(`${REPO_ROOT}test-output`, { recursive: true });
  browser = await launchBrowser(["--ignore-certificate-errors"], { frameRate: TEST_FRAME_RATE });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await nginx?.stop();
  await Promise.all((servers ?? []).map((s) => s.kill("SIGKILL")));
  db?.disconnect();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (verifyTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = verifyTls;
}, 30_000);

/** Runs `expression` in the page, where `a` is the app's test hooks (`window.__arena`). */
const inPage = <T>(page: Page, expression: string): Promise<T> => page.evaluate(`(() => { const a = window.__arena; return ${expression}; })()`) as Promise<T>;
const until = (page: Page, expression: string, timeout: number): Promise<unknown> =>
  page.waitForFunction(`(() => { const a = window.__arena; return a !== undefined && (${expression}); })()`, null, { timeout });

describe("a page in a match through a kill of its process", () => {
  it("shows reconnecting, then is back in the same match and session without a click", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${base}/?name=alice`);
    await until(page, 'a.flow().screen === "lobby"', 60_000);
    await page.getByTestId("quick-play").click();
    await until(page, "a.session() !== undefined && a.session().room.state.tick > 60", 60_000);
    const before = await inPage<{ roomId: string; sessionId: string }>(page, "({ roomId: a.session().room.roomId, sessionId: a.session().sessionId })");
    const holder = (await db.get(CUSTODY_KEYS.lease(before.roomId)))?.split(":")[0];
    const owner = servers.find((s) => s.processId === holder);
    expect(owner).toBeDefined();
    // Watch for the reconnecting overlay from inside the page, as its attribute changes (it may show for well under
    // a second: polling by animation frame missed it at the test browsers' 10 frames a second).
    await inPage(page, `(() => {
      const overlay = document.querySelector("[data-testid=reconnecting]");
      new MutationObserver(() => {
        if (!overlay.hidden) window.__sawReconnecting = true;
      }).observe(overlay, { attributes: true, attributeFilter: ["hidden"] });
    })()`);
    await owner!.kill("SIGKILL");
    await until(page, `a.session() !== undefined && a.session().room.roomId === ${JSON.stringify(before.roomId)} && !a.flow().reconnecting && a.session().room.state.tick > 0`, 30_000);
    const after = await inPage<{ roomId: string; sessionId: string; screen: string }>(page, "({ roomId: a.session().room.roomId, sessionId: a.session().sessionId, screen: a.flow().screen })");
    expect(after).toEqual({ ...before, screen: "game" });
    expect(await inPage(page, "window.__sawReconnecting === true")).toBe(true);
    // The match steps on under the page: its own player is drawn again.
    await until(page, `a.drawn(${JSON.stringify(before.sessionId)}) !== undefined`, 10_000);
    await page.screenshot({ path: `${REPO_ROOT}test-output/failover-after-kill.png` });
    expect(errors).toEqual([]);
  }, 180_000);
});
