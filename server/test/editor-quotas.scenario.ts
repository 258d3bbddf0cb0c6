/**
 * The editor's per-person quotas and draft expiry, the same on either store (editor-quotas.test.ts with
 * DATA_DIR, editor-quotas-redis.test.ts with REDIS_URL): a person past a quota gets a clear code and loses
 * nothing, others go on editing and publishing, and a map never published nor touched for the draft TTL
 * is deleted, while published and open maps are kept.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { JoinErrorCodes } from "@arena/shared";
import { EDITOR_MIN_SPAWNS, EditorMessage, EditorPublishErrors, type PublishedOut } from "@arena/shared/editor";
import { joinEditor, newMapId, signIn, type Editor, type RunningServer, type SignedIn } from "@arena/testkit";
import type { MapStore } from "../src/rooms/editor/store.ts";

/** The settings both files start their server with. */
export const QUOTA_ENV = {
  EDITOR_MAPS_PER_PERSON: "2",
  EDITOR_PUBLISHES_PER_MIN: "2",
  EDITOR_VERSIONS_PER_MAP: "3",
  EDITOR_DRAFT_TTL_S: "2",
} as const;
const MAPS = Number(QUOTA_ENV.EDITOR_MAPS_PER_PERSON);
const PUBLISHES = Number(QUOTA_ENV.EDITOR_PUBLISHES_PER_MIN);
const VERSIONS = Number(QUOTA_ENV.EDITOR_VERSIONS_PER_MAP);
const TTL_S = Number(QUOTA_ENV.EDITOR_DRAFT_TTL_S);

export interface QuotaSetup {
  /** A server with QUOTA_ENV. */
  server(): Promise<RunningServer>;
  /** A store on the server's maps, read without touching them. */
  probe(): MapStore;
  stop(): Promise<void>;
}

export function editorQuotaTests(setup: QuotaSetup): void {
  let server: RunningServer;
  let probe: MapStore;
  const open: Editor[] = [];
  /** A map left open for the whole file: it must outlive the drafts that expire meanwhile. */
  let held: Editor;

  beforeAll(async () => {
    server = await setup.server();
    probe = setup.probe();
    held = await joinEditor(server.url, "holder", { mapId: newMapId(), create: true });
    held.doc.edit({ t: "addWall", id: "w-1", x: 10, y: 10, w: 40, h: 40 });
    await held.settled();
  });
  afterAll(async () => {
    // Those still connected (leave() on a room already left would wait for ever).
    await Promise.all([...open, held].filter((e) => e?.room.connection.isOpen).map((e) => e.leave().catch(() => undefined)));
    await server?.close();
    probe?.close();
    await setup.stop();
  });

  async function create(who: SignedIn, name: string): Promise<Editor> {
    const ed = await joinEditor(server.url, name, { mapId: newMapId(), create: true }, who);
    open.push(ed);
    return ed;
  }

  /** What creating a map as `who` is refused with; fails if it is created. */
  async function refusedCreate(who: SignedIn): Promise<{ code: number; message: string }> {
    const mapId = newMapId();
    try {
      open.push(await joinEditor(server.url, "over", { mapId, create: true }, who));
    } catch (e) {
      expect(await probe.load(mapId)).toBeUndefined();
      return { code: (e as { code: number }).code, message: (e as Error).message };
    }
    throw new Error("the map was created past the quota");
  }

  async function publishable(ed: Editor): Promise<void> {
    for (let i = 0; i < EDITOR_MIN_SPAWNS; i++) ed.doc.edit({ t: "addSpawn", id: `s${i}`, x: 100 + i * 100, y: 200 });
    await ed.settled();
  }

  /** Sends `n` publishes at once and collects the `n` answers. */
  async function publish(ed: Editor, n = 1): Promise<PublishedOut[]> {
    const answers: PublishedOut[] = [];
    const all = new Promise<void>((resolve) => ed.room.onMessage(EditorMessage.Publish, (a: PublishedOut) => {
      answers.push(a);
      if (answers.length === n) resolve();
    }));
    for (let i = 0; i < n; i++) ed.room.send(EditorMessage.Publish, {});
    await all;
    return answers;
  }

  describe("editor quotas", () => {
    it(`refuse a person's map past EDITOR_MAPS_PER_PERSON (${MAPS}) with 529 TOO_MANY_MAPS; their maps stay editable, and others still create maps`, async () => {
      const me = await signIn(server.url, "maker");
      const mine = [await create(me, "maker"), await create(me, "maker")];
      const refused = await refusedCreate(me);
      expect(refused.code).toBe(JoinErrorCodes.TOO_MANY_MAPS);
      expect(refused.message).toMatch(/you have 2 maps, the most one person may keep/);
      // Nothing of theirs was lost: both maps take edits and keep them.
      for (const [i, ed] of mine.entries()) {
        ed.doc.edit({ t: "addWall", id: `keep-${i}`, x: 20, y: 20, w: 30, h: 30 });
        await ed.settled();
        // Written behind the acknowledgement on the file store: wait for it.
        await vi.waitFor(async () => expect((await probe.load(ed.hello.mapId))?.authority.doc.walls.map((w) => w.id)).toContain(`keep-${i}`));
      }
      // A flood of creations at once from one person at the quota: none gets through.
      const flood = await Promise.allSettled([...Array(5).keys()].map(() => refusedCreate(me)));
      for (const f of flood) expect(f.status === "fulfilled" && f.value.code).toBe(JoinErrorCodes.TOO_MANY_MAPS);
      // Someone else is not held back.
      const other = await create(await signIn(server.url, "other"), "other");
      other.doc.edit({ t: "addWall", id: "o-1", x: 30, y: 30, w: 30, h: 30 });
      await other.settled();
    });

    it(`let a flood of 10 publishes at once through EDITOR_PUBLISHES_PER_MIN (${PUBLISHES}) times only; the rest are refused publish_rate_limited with a retry time, the draft kept`, async () => {
      const ed = await create(await signIn(server.url, "flooder"), "flooder");
      await publishable(ed);
      const answers = await publish(ed, 10);
      expect(answers.filter((a) => a.ok).map((a) => a.ok && a.version).sort()).toEqual([1, 2]);
      const refused = answers.filter((a) => !a.ok);
      expect(refused).toHaveLength(8);
      for (const a of refused) {
        expect(a.ok === false && a.error).toBe(EditorPublishErrors.RATE_LIMITED);
        expect(a.ok === false && a.retryAfterS).toBeGreaterThan(0);
        expect(a.ok === false && a.problems[0]).toMatch(/you published 2 times in the last minute; try again in \d+ s/);
      }
      expect(await probe.latest(ed.hello.mapId)).toBe(2);
      // The draft is kept and still takes edits.
      ed.doc.edit({ t: "addWall", id: "after", x: 500, y: 500, w: 20, h: 20 });
      await ed.settled();
      expect((await probe.load(ed.hello.mapId))?.authority.doc.spawns).toHaveLength(EDITOR_MIN_SPAWNS);
    });

    it(`refuse a publish past EDITOR_VERSIONS_PER_MAP (${VERSIONS}) with too_many_versions, the versions and the draft kept, while another editor of the map still has publishes of their own`, async () => {
      const owner = await create(await signIn(server.url, "owner"), "owner");
      await publishable(owner);
      expect((await publish(owner, 2)).map((a) => a.ok)).toEqual([true, true]);
      // A second editor of the same map: the rate is per person, the versions per map.
      const guest = await joinEditor(server.url, "guest", { mapId: owner.hello.mapId, code: owner.hello.codes!.edit });
      open.push(guest);
      const [third] = await publish(guest);
      expect(third).toMatchObject({ ok: true, version: 3 });
      const [fourth] = await publish(guest);
      expect(fourth).toMatchObject({ ok: false, error: EditorPublishErrors.TOO_MANY_VERSIONS });
      expect(fourth?.ok === false && fourth.problems[0]).toMatch(/this map has 3 published versions, the most kept/);
      expect(await probe.latest(owner.hello.mapId)).toBe(VERSIONS);
      for (let v = 1; v <= VERSIONS; v++) expect(await probe.published(owner.hello.mapId, v)).toBeDefined();
      guest.doc.edit({ t: "addWall", id: "still", x: 600, y: 600, w: 20, h: 20 });
      await guest.settled();
    });

    it(`delete a draft nobody touched for EDITOR_DRAFT_TTL_S (${TTL_S} s), which frees its creator's quota; published maps and open maps stay`, async () => {
      const me = await signIn(server.url, "drafter");
      const drafts = [await create(me, "drafter"), await create(me, "drafter")];
      expect((await refusedCreate(me)).code).toBe(JoinErrorCodes.TOO_MANY_MAPS);
      const published = await create(await signIn(server.url, "publisher"), "publisher");
      await publishable(published);
      expect((await publish(published))[0]?.ok).toBe(true);
      await published.leave();
      let lastEditAt = 0;
      for (const d of drafts) {
        lastEditAt = Date.now();
        d.doc.edit({ t: "addWall", id: "gone", x: 40, y: 40, w: 30, h: 30 });
        await d.settled();
        await d.leave();
      }
      const ids = drafts.map((d) => d.hello.mapId);
      await vi.waitFor(async () => {
        for (const id of ids) expect(await probe.load(id), id).toBeUndefined();
      }, { timeout: (TTL_S + 8) * 1000, interval: 100 });
      // The last draft was stored after its edit was sent: not deleted before a whole TTL since.
      expect(Date.now() - lastEditAt).toBeGreaterThanOrEqual(TTL_S * 1000 - 20);
      // A draft joined without `create` is gone for good: the room says so.
      await expect(joinEditor(server.url, "late", { mapId: ids[0]!, code: drafts[0]!.hello.codes!.edit })).rejects.toThrow(/no map/);
      // Left earlier than the drafts, so idle for longer: kept because it was published.
      expect((await probe.load(published.hello.mapId))?.authority.doc.spawns).toHaveLength(EDITOR_MIN_SPAWNS);
      expect(await probe.latest(published.hello.mapId)).toBe(1);
      // Open all along, with no edit for longer than the TTL: kept.
      expect((await probe.load(held.hello.mapId))?.authority.doc.walls.map((w) => w.id)).toEqual(["w-1"]);
      held.doc.edit({ t: "addWall", id: "w-2", x: 60, y: 60, w: 40, h: 40 });
      await held.settled();
      // The expired drafts no longer count: the creator makes maps again.
      await create(me, "drafter");
    });
  });
}
