/**
 * People in the map editor are online as "editing" (in the lists of their people: the lobby's and GET
 * /api/people; and in the counts), on every connection of theirs; someone refused at the door (no code) is
 * never counted, and a leaver goes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PeoplePage } from "@arena/shared";
import { joinEditor, newMapId, startTestServer, type RunningServer } from "@arena/testkit";
import { Person } from "./peopleClients.ts";

let server: RunningServer;
let dataDir: string;
const people: Person[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "arena-editor-people-"));
  server = await startTestServer({ DATA_DIR: dataDir });
});
afterAll(async () => {
  await Promise.all(people.map((p) => p.leaveAll()));
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("people in the editor", () => {
  it("show as editing in the lobby and in GET /api/people while in an editor room (viewers too), and leave the list when they leave", async () => {
    const watcher = await Person.signIn(server.url, "watcher");
    people.push(watcher);
    await watcher.lobby();
    const mapper = await joinEditor(server.url, "mapper", { mapId: newMapId(), create: true });
    const viewer = await joinEditor(server.url, "viewer", { mapId: mapper.hello.mapId, code: mapper.hello.codes!.view });
    const idOf = (you: string): string => you.split(".")[0]!;
    const [mapperId, viewerId] = [idOf(mapper.hello.you), idOf(viewer.hello.you)];
    // The list is the watcher's people: the watcher invites both (into a room of theirs).
    const room = await watcher.play();
    for (const to of [mapperId, viewerId]) expect((await watcher.call("POST", "/api/invites", { to, roomId: room.roomId })).status).toBe(201);
    await watcher.until(() => watcher.seen(mapperId)?.status === "editing" && watcher.seen(viewerId)?.status === "editing", "both listed as editing", 10_000);
    expect(watcher.seen(mapperId)).toEqual({ userId: mapperId, name: "mapper", status: "editing", relation: "invited" });
    const page = await watcher.call<PeoplePage>("GET", "/api/people");
    expect(page.body.people.filter((p) => p.status === "editing").map((p) => p.name).sort()).toEqual(["mapper", "viewer"]);
    await watcher.until(() => watcher.counts?.editing === 2, "two counted as editing");
    // No code: refused at the door, never counted.
    await expect(joinEditor(server.url, "intruder", { mapId: mapper.hello.mapId })).rejects.toThrow(/a valid edit or view code is needed/);
    expect((await watcher.call<PeoplePage>("GET", "/api/people")).body.counts?.editing).toBe(2);
    await viewer.leave();
    await watcher.until(() => watcher.seen(viewerId) === undefined, "the viewer gone", 10_000);
    expect(watcher.seen(mapperId)?.status).toBe("editing");
    await mapper.leave();
    await watcher.until(() => watcher.seen(mapperId) === undefined, "the mapper gone", 10_000);
  });
});
