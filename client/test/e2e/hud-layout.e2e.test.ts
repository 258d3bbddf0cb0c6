/**
 * The HUD laid out without overlaps at a laptop's 1280×800, a phone's 390×844
 * and a desktop's 1920×1080 (and 1000×700): the boxes of its elements (the top bar's items,
 * the kill feed full, the inbox and its "Desktop alerts" link, the scoreboard
 * held open, the minimap, the microphone, chat, the first-visit card, the
 * phase banner's text) are
 * measured in Chromium and no two may intersect. Screenshots of each size go to test-output/.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OUTPUT_DIR, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

const e2e = useServerAndBrowser();

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
        // The worst case the HUD must hold: the kill feed at its five lines of long names, and the scoreboard open.
        await page.evaluate(() => {
          const feed = document.querySelector("[data-testid=kill-feed]")!;
          feed.replaceChildren(...Array.from({ length: 5 }, () => Object.assign(document.createElement("li"), { textContent: "Sixteen_Letters_ ✕ Sixteen_Letters_ [bot]" })));
        });
        await page.keyboard.down("Tab");
        await page.getByTestId("scoreboard").waitFor({ state: "visible" });
        await page.waitForFunction(() => document.querySelector<HTMLTableElement>("[data-testid=scoreboard]")!.rows.length > 0);
        const boxes = await page.evaluate(([elements, texts]) => {
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
        const clashes: string[] = [];
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) if (overlaps(boxes[i]!, boxes[j]!)) clashes.push(`${boxes[i]!.name} × ${boxes[j]!.name}`);
        }
        expect(clashes, JSON.stringify(boxes.map((b) => [b.name, Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height)]))).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
