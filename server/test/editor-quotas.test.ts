/** The editor's quotas and draft expiry with maps in a data directory (one process, no Redis): editor-quotas.scenario.ts. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startTestServer } from "@arena/testkit";
import { loadConfig } from "../src/config.ts";
import { FileMapStore } from "../src/rooms/editor/store.ts";
import { QUOTA_ENV, editorQuotaTests } from "./editor-quotas.scenario.ts";

let dataDir = "";

editorQuotaTests({
  async server() {
    dataDir = await mkdtemp(join(tmpdir(), "arena-editor-quotas-"));
    return startTestServer({ DATA_DIR: dataDir, ...QUOTA_ENV });
  },
  probe: () => new FileMapStore(dataDir),
  stop: () => rm(dataDir, { recursive: true, force: true }),
});

describe("editor quota settings", () => {
  it("have defaults, and a value that is not a whole number in range stops the process naming the variable", () => {
    expect(loadConfig({}).editor).toEqual({ mapsPerPerson: 20, publishesPerMinute: 6, versionsPerMap: 50, draftTtlSeconds: 7 * 24 * 3600 });
    expect(loadConfig(QUOTA_ENV).editor).toEqual({ mapsPerPerson: 2, publishesPerMinute: 2, versionsPerMap: 3, draftTtlSeconds: 2 });
    const bad: [string, string, RegExp][] = [
      ["EDITOR_MAPS_PER_PERSON", "0", /EDITOR_MAPS_PER_PERSON must be an integer from 1 to 10000/],
      ["EDITOR_PUBLISHES_PER_MIN", "lots", /EDITOR_PUBLISHES_PER_MIN must be an integer from 1 to 600/],
      ["EDITOR_VERSIONS_PER_MAP", "-3", /EDITOR_VERSIONS_PER_MAP must be an integer from 1 to 1000000/],
      ["EDITOR_DRAFT_TTL_S", "1.5", /EDITOR_DRAFT_TTL_S must be an integer from 1 to 31536000/],
    ];
    for (const [key, value, message] of bad) expect(() => loadConfig({ [key]: value }), key).toThrow(message);
  });
});
