/**
 * The tier lists (testkit/src/tiers.ts) against the test files' sources: a file in `unit` starts nothing, a file in
 * `server` starts no browser and no process that runs beside it, and every named file exists.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CLUSTER_ALONE, CLUSTER_SHARED, FORBIDDEN, NAMED_FILES, TIERS, classifyTestFiles, listTestFiles, markersIn, sourceWithLocalHelpers } from "../src/tiers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** This file names every marker, and starts none. */
const SELF = "testkit/test/tiers.test.ts";

describe("test tiers", () => {
  const tiers = classifyTestFiles();

  it("put every test file in exactly one tier", () => {
    const placed = TIERS.flatMap((t) => tiers[t]).sort();
    expect(placed).toEqual(listTestFiles());
    expect(new Set(placed).size).toBe(placed.length);
  });

  it("name only files that exist (a renamed file would lose its place)", () => {
    expect(NAMED_FILES.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
  });

  it("share between npm test's lanes only cluster files, each in one group, none of those run alone", () => {
    const shared = CLUSTER_SHARED.flat();
    expect(shared.filter((f) => !tiers.cluster.includes(f) || CLUSTER_ALONE.has(f))).toEqual([]);
    expect(new Set(shared).size).toBe(shared.length);
  });

  for (const tier of TIERS) {
    if (FORBIDDEN[tier].length === 0) continue;
    it(`keep out of ${tier} every file that starts what ${tier} must not`, () => {
      const misplaced = tiers[tier].filter((file) => file !== SELF).flatMap((file) => {
        const found = markersIn(sourceWithLocalHelpers(file), FORBIDDEN[tier]);
        return found.length > 0 ? [`${file}: ${found.join(", ")}`] : [];
      });
      expect(misplaced).toEqual([]);
    });
  }
});
