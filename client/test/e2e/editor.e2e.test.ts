/**
 * The map editor in Chromium: two pages edit one map at once and see each other's cursor and edits; a map
 * published from the page is played by a third page, whose walls stop its player and its shots.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { matchMaker } from "@colyseus/core";
import { EDITOR_MIN_SPAWNS, ROOM_EDITOR, type MapDocument } from "@arena/shared/editor";
import { PLAYER_RADIUS, type ArenaMap, type PeoplePage } from "@arena/shared";
import { joinArena, joinByCode, serverRoom, waitForState, type ArenaRoomClient } from "@arena/testkit";
import { openPage, waitForScreen } from "./browser.ts";
import { useServerAndBrowser } from "./setup.ts";

/** The drawing strokes below are in pixels of the editor's canvas at this window size. */
const EDITOR_VIEWPORT = { width: 1000, height: 700 };

// The server keeps the maps made here in a directory of its own, not in the repository's ./data.
const e2e = useServerAndBrowser({ match: { warmupSeconds: 0.5 } }, { DATA_DIR: mkdtempSync(join(tmpdir(), "arena-editor-e2e-")) });
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
    const ann = await openPage(e2e.browser, `${e2e.server.url}/editor?name=ann`, errors, EDITOR_VIEWPORT);
    await ann.waitForFunction(() => document.querySelector<HTMLInputElement>("[data-testid=edit-link]")?.value !== "");
    const link = await ann.getByTestId("edit-link").inputValue();
    const ben = await openPage(e2e.browser, `${link}&name=ben`, errors, EDITOR_VIEWPORT);
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

  it("is the browser's stored person on every visit (the identity the game page keeps), not a new guest each time, and that person shows as editing", async () => {
    const context = await e2e.browser.newContext();
    try {
      /** Every user id the server's editor rooms see under the name eve. */
      const eves = async (): Promise<string[]> => {
        const rooms = (await matchMaker.query({ name: ROOM_EDITOR })).map((l) => matchMaker.getLocalRoomById(l.roomId));
        return rooms.flatMap((r) => r?.clients.map((c) => c.auth as { userId: string; name: string }) ?? []).filter((a) => a.name === "eve").map((a) => a.userId);
      };
      let page!: Page;
      /** Opens a new map in this browser; returns the user id its editor room sees. */
      const visit = async (): Promise<string> => {
        const before = (await eves()).length;
        page = await context.newPage();
        page.on("pageerror", (e) => errors.push(`identity: ${e.message}`));
        await page.goto(`${e2e.server.url}/editor?name=eve`);
        await page.waitForFunction(() => document.querySelector<HTMLInputElement>("[data-testid=edit-link]")?.value !== "");
        const seen = await eves();
        expect(seen).toHaveLength(before + 1);
        return seen.at(-1)!;
      };
      const first = await visit();
      // Two pages of the same browser, two maps: one person.
      expect(await visit()).toBe(first);
      expect(new Set(await eves())).toEqual(new Set([first]));
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("arena.identity") ?? "{}") as { userId?: string; token?: string });
      expect(stored.userId).toBe(first);
      // Lists are scoped to one's own people: a watcher who invites eve into their room has her in theirs, editing.
      const { client, room } = await joinArena(e2e.server.url, "watcher");
      try {
        const auth = { authorization: `Bearer ${client.auth.token}` };
        const invite = await fetch(`${e2e.server.url}/api/invites`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ to: first, roomId: room.roomId }) });
        expect(invite.status).toBe(201);
        const people = await fetch(`${e2e.server.url}/api/people`, { headers: auth });
        const listed = ((await people.json()) as PeoplePage).people.find((p) => p.userId === first);
        expect(listed).toMatchObject({ name: "eve", status: "editing" });
      } finally {
        await room.leave();
      }
    } finally {
      await context.close();
    }
    expect(errors).toEqual([]);
  }, 60_000); // two page loads of the production bundle: a loaded 2-core machine took 16 s

  it("publishes from the page (problems named first, then a version), and a third page plays that map through the play link: its wall stops the player and its shots", async () => {
    const ann = await openPage(e2e.browser, `${e2e.server.url}/editor?name=ann`, errors, EDITOR_VIEWPORT);
    await ann.waitForFunction(() => document.querySelector("[data-testid=editor-role]")?.textContent === "editing");
    const canvas = (await ann.getByTestId("map").boundingBox())!;
    const click = (x: number, y: number) => ann.mouse.click(canvas.x + x, canvas.y + y);
    // One wall down the middle from the top edge, to map y 1000 (the canvas is at 40 %); open floor below it.
    await ann.getByTestId("tool-wall").check();
    await drag(ann, [400, 0], [416, 400]);
    await ann.getByTestId("tool-spawn").check();
    await click(408, 200); // inside the wall: a problem
    await ann.waitForFunction(() => (window as unknown as { __editor: { doc(): MapDocument } }).__editor.doc().spawns.length === 1);
    const bad = (await docOf(ann))!.spawns[0]!.id;

    await ann.getByTestId("publish").click();
    await ann.waitForFunction(() => document.querySelector("[data-testid=publish-result]")?.textContent?.startsWith("Not published"));
    const problems = await ann.getByTestId("publish-problems").locator("li").allTextContents();
    expect(problems).toContain(`spawn ${bad} is inside a wall`);
    expect(problems.some((p) => p.includes(`needs ${EDITOR_MIN_SPAWNS}`))).toBe(true);

    await ann.getByTestId("undo").click();
    for (let i = 0; i < EDITOR_MIN_SPAWNS / 2; i++) {
      await click(100, 40 + i * 60);
      await click(700, 40 + i * 60);
    }
    await ann.getByTestId("publish").click();
    await ann.waitForFunction(() => document.querySelector("[data-testid=publish-result]")?.textContent === "Published as version 1.", undefined, { timeout: 10_000 });
    expect(await ann.getByTestId("publish-problems").locator("li").count()).toBe(0);
    const doc = (await docOf(ann))!;
    const wall = doc.walls[0]!;
    expect(doc.spawns).toHaveLength(EDITOR_MIN_SPAWNS);

    await ann.getByTestId("play-map").click();
    await ann.waitForFunction(() => document.querySelector<HTMLInputElement>("[data-testid=play-link]")?.value.includes("?join="));
    const playLink = await ann.getByTestId("play-link").inputValue();
    const code = new URL(playLink).searchParams.get("join")!;

    // The third page opens the play link; an SDK player joins by the same code as its opponent.
    const cat = await openPage(e2e.browser, `${playLink}&name=cat`, errors);
    await waitForScreen(cat, "game");
    const mapId = new URL(ann.url()).searchParams.get("map")!;
    const published = (await (await fetch(`${e2e.server.url}/api/maps/${mapId}/1`)).json()) as ArenaMap;
    expect(published.walls).toEqual([{ x: wall.x, y: wall.y, w: wall.w, h: wall.h }]);
    await cat.waitForFunction(() => (window as any).__arena.map().predicted !== undefined);
    const onPage = await cat.evaluate(() => (window as any).__arena.map());
    expect(onPage.drawn).toEqual(published);
    expect(onPage.predicted).toEqual(published);
    const dan = (await joinByCode(e2e.server.url, "dan", { code })) as ArenaRoomClient;
    dan.onMessage("*", () => {});
    try {
      const me = await cat.evaluate(() => (window as any).__arena.session().sessionId as string);
      const state = serverRoom(code).state;
      await waitForState(dan, (s) => s.phase === "playing", 10_000, "match start");
      const y = 500; // beside the wall: open floor on the built-in map from x 900 to 1200
      const pc = state.players.get(me)!;
      const pd = state.players.get(dan.sessionId)!;
      pc.x = wall.x - 100; pc.y = y;
      pd.x = wall.x + wall.w + 200; pd.y = y;
      pd.protectedUntil = 0;
      await cat.waitForFunction(([id, x]) => Math.abs((window as any).__arena.drawn(id).x - x) < 2, [me, pc.x] as const, { timeout: 10_000 });

      // Walking right into the wall: the server stops the player against it, and so does the page's prediction.
      const stopAt = wall.x - PLAYER_RADIUS;
      await cat.keyboard.down("KeyD");
      await expect.poll(() => pc.x, { timeout: 10_000 }).toBe(stopAt);
      const pushedFrom = state.tick;
      await expect.poll(() => state.tick, { timeout: 5_000 }).toBeGreaterThanOrEqual(pushedFrom + 30);
      expect(pc.x).toBe(stopAt);
      const drawnX = await cat.evaluate((id) => (window as any).__arena.drawn(id).x as number, me);
      expect(drawnX).toBeGreaterThan(stopAt - 2);
      expect(drawnX).toBeLessThanOrEqual(stopAt + 0.5);
      await cat.keyboard.up("KeyD");

      // Shooting right at dan through the wall: a second of fire, no damage.
      const box = (await cat.locator("#game canvas").boundingBox())!;
      const local = async () => cat.evaluate((id) => (window as any).__arena.drawn(id), me) as Promise<{ x: number; y: number }>;
      const aimRight = async () => {
        // The camera follows the player: the pointer to its right on screen aims along +x.
        await cat.mouse.move(box.x + box.width / 2 + 250, box.y + box.height / 2);
      };
      pd.hp = 100;
      await aimRight();
      await cat.mouse.down();
      const firedFrom = state.tick;
      await expect.poll(() => state.tick, { timeout: 5_000 }).toBeGreaterThanOrEqual(firedFrom + 30);
      expect(pc.shotTick).toBeGreaterThan(firedFrom);
      expect(pd.hp).toBe(100);
      await cat.mouse.up();

      // The same shot in the open below the wall hits.
      pc.x = wall.x - 100; pc.y = wall.y + wall.h + 150;
      pd.x = wall.x + wall.w + 200; pd.y = pc.y;
      await cat.waitForFunction(([id, yy]) => Math.abs((window as any).__arena.drawn(id).y - yy) < 2, [me, pc.y] as const, { timeout: 10_000 });
      expect(Math.abs((await local()).y - pc.y)).toBeLessThan(2);
      await aimRight();
      await cat.mouse.down();
      await expect.poll(() => pd.hp, { timeout: 10_000 }).toBeLessThan(100);
      await cat.mouse.up();
    } finally {
      await dan.leave();
    }
    expect(errors).toEqual([]);
  });
});
