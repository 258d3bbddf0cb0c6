/** The map editor in Chromium: two pages edit one map at once and see each other's cursor and edits. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { MapDocument } from "@arena/shared/editor";
import { openPage } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

// The server keeps the maps made here in a directory of its own, not in the repository's ./data.
const e2e = useServerAndBrowser({}, { DATA_DIR: mkdtempSync(join(tmpdir(), "arena-editor-e2e-")) });
const errors: string[] = [];

const docOf = (page: Page): Promise<MapDocument | undefined> =>
  page.evaluate(() => (window as unknown as { __editor?: { doc(): MapDocument | undefined } }).__editor?.doc());

async function drag(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const box = (await page.getByTestId("map").boundingBox())!;
  await page.mouse.move(box.x + from[0], box.y + from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + to[0], box.y + to[1], { steps: 4 });
  await page.mouse.up();
}

describe("map editor in Chromium", () => {
  it("two editors draw walls and type in the notes at once, and see each other's cursor and edits", async () => {
    const ann = await openPage(e2e.browser, `${e2e.server.url}/editor?name=ann`, errors);
    await ann.waitForFunction(() => document.querySelector<HTMLInputElement>("[data-testid=edit-link]")?.value !== "");
    const link = await ann.getByTestId("edit-link").inputValue();
    const ben = await openPage(e2e.browser, `${link}&name=ben`, errors);
    await ben.waitForFunction(() => document.querySelector("[data-testid=editor-role]")?.textContent === "editing");

    await ann.getByTestId("tool-wall").check();
    await ben.getByTestId("tool-wall").check();
    // One line of notes both see; then each page draws, then types into that line (ann at its start, ben
    // at its end), both pages at once. A click on the canvas would take the focus from the notes.
    await ann.getByTestId("map-notes").fill("|");
    await ben.waitForFunction(() => document.querySelector<HTMLTextAreaElement>("[data-testid=map-notes]")?.value === "|");
    const work = async (page: Page, from: [number, number], to: [number, number], key: "Home" | "End", text: string) => {
      await drag(page, from, to);
      const notes = page.getByTestId("map-notes");
      await notes.focus();
      await notes.press(key);
      await notes.pressSequentially(text, { delay: 10 });
    };
    await Promise.all([work(ann, [40, 40], [120, 100], "Home", "ann was here "), work(ben, [400, 300], [480, 380], "End", "ben too ")]);
    const converged = async (page: Page) => {
      await page.waitForFunction(() => {
        const d = (window as unknown as { __editor: { doc(): MapDocument } }).__editor.doc();
        return d.walls.length === 2 && d.notes.includes("ann was here ") && d.notes.includes("ben too ");
      }, undefined, { timeout: 10_000 });
    };
    await Promise.all([converged(ann), converged(ben)]);
    await expect.poll(async () => JSON.stringify(await docOf(ann)), { timeout: 10_000 }).toBe(JSON.stringify(await docOf(ben)));
    expect(await ann.getByTestId("map-notes").inputValue()).toBe((await docOf(ann))!.notes);

    // A cursor moved on one page shows on the other, at the same map point.
    const box = (await ann.getByTestId("map").boundingBox())!;
    await ann.mouse.move(box.x + 200, box.y + 200);
    await ann.mouse.move(box.x + 210, box.y + 220, { steps: 3 });
    await ben.waitForFunction(() => (window as unknown as { __editor: { cursors(): { x: number; y: number }[] } }).__editor.cursors()
      .some((c) => c.x === 525 && c.y === 550), undefined, { timeout: 10_000 });

    // Undo takes back ann's own last edit only: a wall drawn after ben's.
    await drag(ann, [600, 40], [700, 100]);
    await ben.waitForFunction(() => (window as unknown as { __editor: { doc(): MapDocument } }).__editor.doc().walls.length === 3, undefined, { timeout: 10_000 });
    const annWall = (await docOf(ann))!.walls.at(-1)!;
    await ann.getByTestId("undo").click();
    await ben.waitForFunction((id) => !(window as unknown as { __editor: { doc(): MapDocument } }).__editor.doc().walls.some((w) => w.id === id), annWall.id, { timeout: 10_000 });
    expect((await docOf(ben))!.walls).toHaveLength(2);
    expect(errors).toEqual([]);
  });
});
