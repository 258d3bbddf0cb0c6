/**
 * The replay viewer in Chromium, on a match really recorded by the server (DATA_DIR, two SDK players, one
 * kill): the page opens the recording and draws it (time to the first frame printed), a seek shows the
 * tick asked for within 200 ms (measured on the page, printed) with the state of that tick (the kill's
 * count on the scoreboard flips exactly at the kill's tick), `?t=` opens at that moment, the camera
 * follows a chosen player, a truncated recording shows the reader's message with nothing played, and the
 * lobby's Recent matches lists the player's own match with a link that opens it, and an ended match's
 * Replay in Live matches opens that match's recording.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { ReplayReader, type ReplayEvent } from "@arena/shared/replay";
import { faceOff, firingRight, joinArena, serverRoom, waitForState, type ArenaRoomClient } from "@arena/testkit";
import { useServerAndBrowser } from "./setup.ts";

/** 8 s of play: keyframes at 0 and 5 s, so a seek past 5 s starts from the second one. */
const MATCH_SECONDS = 8;
/** Long enough for the lobby's listing (written at most once a second) to show a match's results. */
const RESULTS_SECONDS = 3;
const SEEK_BOUND_MS = 200;
const dir = mkdtempSync(join(tmpdir(), "replay-viewer-"));
// Registered before the server's hooks, so it runs after them (afterAll hooks run last first): the server no longer
// writes there. Removed while it still ran, a recording being finished made the removal fail (ENOTEMPTY), and the
// server was left listening for every later file of the worker.
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
// At the display's frame rate: a seek's time is counted to the frame that shows it.
const e2e = useServerAndBrowser({ match: { warmupSeconds: 0.2, matchSeconds: MATCH_SECONDS, resultsSeconds: RESULTS_SECONDS } }, { DATA_DIR: dir }, [],
  { frameRate: "full" });

let id = "";
let bytes: Uint8Array;
let reader: ReplayReader;
let kill: Extract<ReplayEvent, { type: "kill" }>;
/** The first tick whose recorded state counts alice's kill (the patch that carries it may come a tick or two after the kill's step). */
let killShown = 0;
let alice: ArenaRoomClient;
let aliceToken = "";
let bob: ArenaRoomClient;

beforeAll(async () => {
  const server = e2e.server;
  const a = await joinArena(server.url, "alice");
  alice = a.room;
  aliceToken = a.client.auth.token!;
  ({ room: bob } = await joinArena(server.url, "bob"));
  const stored = new Promise<string>((resolve) => server.replays!.onRecorded((meta) => resolve(meta.id)));
  await waitForState(alice, (s) => s.phase === "playing", 5000, "match start");
  // Alice, 200 units left of an unprotected bob, fires right until he falls.
  faceOff(serverRoom(alice).state, alice.sessionId, bob.sessionId);
  await firingRight(alice, () => waitForState(alice, (s) => s.players.get(alice.sessionId)?.kills === 1, 5000, "alice's kill"));
  id = await stored;
  bytes = new Uint8Array(await (await fetch(`${server.url}/api/replays/${id}`)).arrayBuffer());
  reader = ReplayReader.open(bytes);
  kill = reader.events.find((e): e is Extract<ReplayEvent, { type: "kill" }> => e.type === "kill")!;
  expect(kill).toBeDefined();
  const cursor = reader.seek(kill.tick);
  while (cursor.state.players.get(alice.sessionId)?.kills !== 1) cursor.advance(cursor.tick + 1);
  killShown = cursor.tick;
}, (MATCH_SECONDS + RESULTS_SECONDS + 20) * 1000);

afterAll(async () => {
  await Promise.all([alice?.leave().catch(() => undefined), bob?.leave().catch(() => undefined)]);
});

/** A page whose uncaught errors are collected in `errors`. */
async function newPage(errors: string[]): Promise<Page> {
  const page = await e2e.browser.newPage({ viewport: { width: 1000, height: 700 } });
  page.on("pageerror", (e) => errors.push(e.message));
  return page;
}

async function openViewer(path: string, errors: string[]): Promise<Page> {
  const page = await newPage(errors);
  await page.goto(`${e2e.server.url}${path}`);
  return page;
}

/** Waits for the first frame; returns ms from the navigation's start to it. */
async function firstFrame(page: Page): Promise<number> {
  await page.waitForFunction(() => ((window as any).__replay?.frames() ?? 0) > 0, undefined, { timeout: 15_000 }).catch(async (e: unknown) => {
    // Say what the page shows instead of a frame.
    const shown = await page.evaluate(() => [document.querySelector('[data-testid="replay-status"]')?.textContent, document.querySelector('[data-testid="replay-error-message"]')?.textContent, String((window as any).__replay !== undefined)]);
    throw new Error(`no frame drawn: the page shows ${JSON.stringify(shown)} (${String(e)})`);
  });
  return page.evaluate(() => (window as any).__replay.firstFrameAt as number);
}

/** Seeks with the timeline as a person does, and measures on the page until the tick shown is `tick`. */
async function seekTo(page: Page, tick: number): Promise<number> {
  return page.evaluate((target) => new Promise<number>((resolve, reject) => {
    const slider = document.querySelector<HTMLInputElement>('[data-testid="replay-timeline"]')!;
    const shown = document.querySelector('[data-testid="replay-tick"]')!;
    const t0 = performance.now();
    slider.value = String(target);
    slider.dispatchEvent(new Event("input", { bubbles: true }));
    const check = (): void => {
      if (shown.textContent === String(target)) return resolve(performance.now() - t0);
      if (performance.now() - t0 > 5000) return reject(new Error(`tick shown ${shown.textContent}, not ${target}`));
      requestAnimationFrame(check);
    };
    check();
  }), tick);
}

const killsOf = (page: Page, sessionId: string): Promise<string> =>
  page.locator(`[data-testid="replay-score-${sessionId}"] td`).nth(2).innerText();

describe("the replay viewer", () => {
  it("opens a recorded match in the game's renderer, its kill marked on the timeline, and seeks to the exact tick within 200 ms", async () => {
    const errors: string[] = [];
    const page = await openViewer(`/replay/${id}`, errors);
    const firstMs = await firstFrame(page);
    console.log(`replay viewer: first frame ${firstMs.toFixed(0)} ms after navigation (${bytes.length} bytes, ${reader.keyframes.length} keyframes)`);
    expect(await page.evaluate(() => (window as any).__replay.game.renderer.type)).toBe(2); // Phaser.WEBGL
    await expect.poll(() => page.getByTestId("replay-kill-mark").count()).toBe(1);
    expect(await page.getByTestId("replay-kill-mark").getAttribute("data-tick")).toBe(String(kill.tick));
    await page.getByTestId("replay-play").click(); // pause: the tick shown stays where the seek put it
    expect(await page.evaluate(() => (window as any).__replay.playback.playing)).toBe(false);

    // Past the second keyframe (decoded from it), then back before the kill, then to the kill itself.
    const second = reader.keyframes[1]!.keyTick;
    const targets = [second + 7, killShown - 1, killShown, reader.firstTick + 3];
    const times: number[] = [];
    for (const target of targets) {
      const ms = await seekTo(page, target);
      times.push(ms);
      expect(await page.getByTestId("replay-tick").innerText()).toBe(String(target));
      // The state shown is the tick's: the kill is counted from the tick the recording counts it, not one before.
      if (target === killShown - 1) expect(await killsOf(page, alice.sessionId)).toBe("0");
      if (target === killShown) expect(await killsOf(page, alice.sessionId)).toBe("1");
    }
    console.log(`replay viewer: seek to the tick shown ${times.map((t) => t.toFixed(0)).join(", ")} ms (ticks ${targets.join(", ")})`);
    for (const ms of times) expect(ms).toBeLessThanOrEqual(SEEK_BOUND_MS);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("opens at the moment ?t= names, the camera follows the player chosen with a number key or the list, then is free; speed, Space and a kill mark work", async () => {
    const errors: string[] = [];
    const seconds = 6;
    const page = await openViewer(`/replay/${id}?t=${seconds}`, errors);
    await firstFrame(page);
    const at = reader.firstTick + seconds * reader.header.tickRate;
    const opened = await page.evaluate(() => (window as any).__replay.firstTick as number);
    // Drawn first at the moment named (play goes on from there by at most a frame).
    expect(opened).toBeGreaterThanOrEqual(at);
    expect(opened).toBeLessThanOrEqual(at + 2);
    await page.getByTestId("replay-play").click();
    await seekTo(page, killShown + 2);
    // 1: the scoreboard's first, alice (the one kill).
    await page.keyboard.press("Digit1");
    expect(await page.evaluate(() => (window as any).__replay.following())).toBe(alice.sessionId);
    expect(await page.getByTestId("replay-follow").inputValue()).toBe(alice.sessionId);
    const centred = (): Promise<number> => page.evaluate(() => {
      const r = (window as any).__replay;
      const p = r.playback.state.players.get(r.following());
      const c = r.camera();
      return Math.hypot(c.x - p.x, c.y - p.y);
    });
    await expect.poll(centred).toBeLessThan(1);
    // Following bob from the list moves the camera to him.
    await page.getByTestId("replay-follow").selectOption(bob.sessionId);
    await expect.poll(centred).toBeLessThan(1);
    await page.keyboard.press("Digit0");
    expect(await page.evaluate(() => (window as any).__replay.following())).toBeUndefined();
    // The keys and buttons: speed 1× → 4× (↑ twice), down to 0.25× (the button, then ↓), Space plays, a kill mark goes to 2 s before its kill (or the start).
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    await expect.poll(() => page.getByTestId("replay-speed").innerText()).toBe("4×");
    await page.getByTestId("replay-slower").click();
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowDown");
    await expect.poll(() => page.getByTestId("replay-speed").innerText()).toBe("0.25×");
    await page.keyboard.press("Space");
    expect(await page.evaluate(() => (window as any).__replay.playback.playing)).toBe(true);
    await page.keyboard.press("Space");
    await page.getByTestId("replay-kill-mark").click();
    await expect.poll(() => page.getByTestId("replay-tick").innerText()).toBe(String(Math.max(reader.firstTick, kill.tick - 2 * reader.header.tickRate)));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("refuses a truncated recording with the reader's message and plays nothing of it", async () => {
    const errors: string[] = [];
    const page = await newPage(errors);
    // The server's bytes cut short by 100 (as a store that lost the end of a file would serve them).
    await page.route(`**/api/replays/${id}`, (route) => route.fulfill({ status: 200, contentType: "application/octet-stream", body: Buffer.from(bytes.subarray(0, bytes.length - 100)) }));
    await page.goto(`${e2e.server.url}/replay/${id}`);
    await page.getByTestId("replay-error").waitFor({ state: "visible" });
    expect(await page.getByTestId("replay-error-message").innerText()).toMatch(/^This replay cannot be played: replay is truncated: chunk \d+ at byte \d+/);
    expect(await page.getByTestId("replay-panel").isHidden()).toBe(true);
    expect(await page.evaluate(() => (window as any).__replay)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it("lists the player's own match under Recent matches in the lobby, and its Replay link opens the viewer on it", async () => {
    const errors: string[] = [];
    const page = await newPage(errors);
    // This browser is alice: her guest token kept as the page keeps it (people/identity.ts).
    await page.addInitScript((token) => {
      localStorage.setItem("arena.identity", JSON.stringify({ token, userId: "kept", name: "alice", expiresAt: Date.now() / 1000 + 30 * 24 * 3600 }));
    }, aliceToken);
    await page.goto(`${e2e.server.url}/?name=alice`);
    const link = page.getByTestId(`recent-replay-${id}`);
    await link.waitFor({ state: "visible", timeout: 15_000 });
    expect(await page.getByTestId(`recent-match-${id}`).innerText()).toContain("alice · 1");
    await link.click();
    await page.waitForURL(`**/replay/${id}`);
    await firstFrame(page);
    expect(await page.getByTestId("replay-kill-mark").count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("offers Replay on a match showing its results in Live matches, and opens that match's recording once its results end", async () => {
    // Alice and bob's room plays on, match after match; the page waits in the lobby for one to show its results.
    const errors: string[] = [];
    const page = await newPage(errors);
    await page.goto(`${e2e.server.url}/?name=watcher`);
    const replay = page.getByTestId(`live-replay-${alice.roomId}`);
    // While the match is being played its row has Watch only (read at one moment: the time left and the buttons).
    const row = (): Promise<{ time: string; replay: boolean } | null> => page.evaluate((roomId) => {
      const r = document.querySelector(`[data-testid="live-match-${roomId}"]`);
      return r === null ? null : { time: r.querySelector(`[data-testid="live-time-${roomId}"]`)!.textContent ?? "", replay: r.querySelector(`[data-testid="live-replay-${roomId}"]`) !== null };
    }, alice.roomId);
    await expect.poll(async () => (await row())?.time ?? "", { timeout: (MATCH_SECONDS + RESULTS_SECONDS + 5) * 1000 }).toMatch(/^\d+:\d\d$/);
    const playing = await row();
    if (playing !== null && playing.time !== "ended") expect(playing.replay).toBe(false);
    await replay.waitFor({ state: "visible", timeout: (MATCH_SECONDS + RESULTS_SECONDS + 5) * 1000 });
    expect((await row())?.time).toBe("ended");
    // Pressed while the results show: the recording of this match ends with them.
    const stored = new Promise<string>((resolve) => e2e.server.replays!.onRecorded((meta) => resolve(meta.id)));
    await replay.click();
    const recorded = await stored;
    expect(recorded).not.toBe(id);
    await page.waitForURL(`**/replay/${recorded}`, { timeout: 15_000 });
    await firstFrame(page);
    expect(errors).toEqual([]);
    await page.close();
  }, (MATCH_SECONDS + RESULTS_SECONDS) * 2000);
});
