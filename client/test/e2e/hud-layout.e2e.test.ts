/**
 * The HUD laid out without overlaps at a laptop's 1280×800, a phone's 390×844
 * and a desktop's 1920×1080 (and 1000×700): the boxes of its elements (the top bar's items,
 * the kill feed full, the inbox and its "Desktop alerts" link, the scoreboard
 * held open, the minimap, the microphone, chat, the first-visit card, the
 * phase banner's text) are
 * measured in Chromium and no two may intersect; the results screen's parts (standings, best moments, rating,
 * Play again and Back to lobby) fit the view without overlapping either. Screenshots of each size go to test-output/.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOM_ARENA, type ArenaState } from "@arena/shared";
import { serverRoom, signIn, type ArenaRoomClient } from "@arena/testkit";
import { OUTPUT_DIR, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

// The default match settings, as the HUD tests were written for (the results tests wait out the warm-up).
const e2e = useServerAndBrowser();

/** The results screen's parts. */
const RESULTS: Record<string, string> = {
  title: "[data-testid=results-title]",
  standings: "[data-testid=results-table]",
  moments: "[data-testid=results-moments]",
  rating: "[data-testid=results-rating]",
  next: "[data-testid=results-next]",
  "play again": "[data-testid=results-play-again]",
  "back to lobby": "[data-testid=results-leave]",
};

interface Box {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The HUD elements by what a player calls them; each is measured where it is visible and not empty. */
const ELEMENTS: Record<string, string> = {
  hp: "[data-testid=hud-hp]",
  score: "[data-testid=hud-score]",
  timer: "[data-testid=hud-timer]",
  ping: "[data-testid=hud-ping]",
  invite: ".hud-top .invite",
  sound: ".hud-top .sound",
  leave: "[data-testid=leave]",
  "kill feed": "[data-testid=kill-feed]",
  inbox: "[data-testid=notify-badge]",
  "desktop alerts": "[data-testid=notify-desktop]",
  scoreboard: "[data-testid=scoreboard]",
  mic: "[data-testid=mic-button]",
  chat: ".chat",
  "controls card": "[data-testid=controls-help]",
};

/** Full-width bars whose text is what takes room: measured by the text's own box. */
const TEXTS: Record<string, string> = {
  "phase banner": "[data-testid=phase-banner]",
};

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Every pair of boxes that intersect, by name. */
function clashesOf(boxes: readonly Box[]): string[] {
  const clashes: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) if (overlaps(boxes[i]!, boxes[j]!)) clashes.push(`${boxes[i]!.name} × ${boxes[j]!.name}`);
  }
  return clashes;
}

describe("HUD layout in Chromium", () => {
  // The three sizes of issue 25, and 1000×700 (the size most of these tests use), where the top bar once ran under the inbox.
  for (const [width, height] of [[1280, 800], [390, 844], [1920, 1080], [1000, 700]] as const) {
    it(`no two HUD elements overlap at ${width}×${height} (kill feed full, scoreboard open)`, async () => {
      const errors: string[] = [];
      const context = await e2e.browser.newContext({ viewport: { width, height }, hasTouch: width < 700 });
      try {
        const page = await context.newPage();
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(`${e2e.server.url}/?name=layout${width}&quick=1`);
        await waitForScreen(page, "game");
        await page.getByTestId("hud-ping").filter({ hasText: "Ping" }).waitFor({ timeout: 10_000 });
        // The worst case the HUD must hold: the scoreboard open, and the kill feed at its five lines of long names.
        await page.keyboard.down("Tab");
        await page.getByTestId("scoreboard").waitFor({ state: "visible" });
        await page.waitForFunction(() => document.querySelector<HTMLTableElement>("[data-testid=scoreboard]")!.rows.length > 0);
        const boxes = await page.evaluate(([elements, texts]) => {
          // Filled in the same task as the measure: the HUD redraws its feed as real kills come and old lines expire.
          const feed = document.querySelector("[data-testid=kill-feed]")!;
          feed.replaceChildren(...Array.from({ length: 5 }, () => Object.assign(document.createElement("li"), { textContent: "Sixteen_Letters_ ✕ Sixteen_Letters_ [bot]" })));
          const out: Array<{ name: string; x: number; y: number; width: number; height: number }> = [];
          for (const [name, selector] of Object.entries(elements)) {
            const el = document.querySelector<HTMLElement>(selector);
            if (el === null || el.closest("[hidden]") !== null || el.textContent?.trim() === "" && el.tagName !== "INPUT" && el.querySelector("input") === null) continue;
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            out.push({ name, x: r.x, y: r.y, width: r.width, height: r.height });
          }
          for (const [name, selector] of Object.entries(texts)) {
            const el = document.querySelector<HTMLElement>(selector);
            if (el === null || el.closest("[hidden]") !== null || el.textContent?.trim() === "") continue;
            const range = document.createRange();
            range.selectNodeContents(el);
            const r = range.getBoundingClientRect();
            out.push({ name, x: r.x, y: r.y, width: r.width, height: r.height });
          }
          const m = (window as any).__arena.scene.minimap.bounds();
          out.push({ name: "minimap", ...m });
          return out;
        }, [ELEMENTS, TEXTS] as const);
        await page.screenshot({ path: join(OUTPUT_DIR, `hud-${width}x${height}.png`) });
        await page.keyboard.up("Tab");
        const names = boxes.map((b) => b.name);
        // What must be on screen at every size.
        for (const must of ["hp", "ping", "kill feed", "inbox", "scoreboard", "minimap", "chat"]) expect(names).toContain(must);
        const clashes = clashesOf(boxes);
        expect(clashes, JSON.stringify(boxes.map((b) => [b.name, Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height)]))).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 60_000);
  }

  for (const [width, height] of [[1280, 800], [390, 844], [1920, 1080]] as const) {
    it(`the results screen fits ${width}×${height}: standings of 16, moments, rating and buttons inside the view, none overlapping`, async () => {
      const errors: string[] = [];
      const context = await e2e.browser.newContext({ viewport: { width, height }, hasTouch: width < 700 });
      let rival: ArenaRoomClient | undefined;
      try {
        // A room of the test's own, which the page joins by its id: quick play could seat the page in an earlier
        // test's room, whose match has ended and which locks.
        const { client } = await signIn(e2e.server.url, `rival${width}`);
        rival = (await client.create(ROOM_ARENA, { name: `rival${width}` })) as ArenaRoomClient;
        rival.onMessage("*", () => {});
        const roomId = rival.roomId;
        const page = await context.newPage();
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(`${e2e.server.url}/?name=results${width}&join=${roomId}`);
        await waitForScreen(page, "game");
        const state = serverRoom(roomId).state as ArenaState;
        const until = Date.now() + 20_000;
        while (state.phase !== "playing" && Date.now() < until) {
          // The warm-up (5 s) ends at the next step once it has begun: its length is not what this test is about.
          if (state.phase === "warmup" && state.phaseEndsAt > state.tick + 1) state.phaseEndsAt = state.tick + 1;
          await new Promise((r) => setTimeout(r, 50));
        }
        state.phaseEndsAt = state.tick + 1; // the match ends by time at the next step
        await waitForScreen(page, "results");
        // The worst case: sixteen long names in the standings, and every line of best moments.
        await page.evaluate(() => {
          const table = document.querySelector<HTMLTableElement>("[data-testid=results-table]")!;
          const row = table.rows[1]!;
          while (table.rows.length < 17) table.tBodies[0]!.appendChild(row.cloneNode(true));
          for (const r of Array.from(table.rows).slice(1)) r.cells[1]!.textContent = "Sixteen_Letters_ [BOT]";
          const moments = document.querySelector("[data-testid=results-moments]")!;
          moments.replaceChildren(...["Longest streak: 12 kills in a row", "Most damage in one life: 1250", "Damage dealt: 4800"].map((t) => Object.assign(document.createElement("li"), { textContent: t })));
          document.querySelector("[data-testid=results-rating]")!.textContent = "Rating 100 → 100 (±0)";
        });
        const boxes = await page.evaluate((parts) => Object.entries(parts).map(([name, selector]) => {
          const r = document.querySelector<HTMLElement>(selector)!.getBoundingClientRect();
          return { name, x: r.x, y: r.y, width: r.width, height: r.height };
        }), RESULTS);
        await page.screenshot({ path: join(OUTPUT_DIR, `results-${width}x${height}.png`) });
        const outside = boxes.filter((b) => b.x < 0 || b.y < 0 || b.x + b.width > width || b.y + b.height > height).map((b) => b.name);
        expect(outside, JSON.stringify(boxes)).toEqual([]);
        const clashes = clashesOf(boxes);
        expect(clashes).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await rival?.leave();
        await context.close();
      }
    }, 60_000);
  }
});
