/** shared/ by role: imports point one way (wire <- sim <- bots, sim <- view) and shared/ names only the packages it declares. */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** Every import of every file under shared/src/<folder>, as "file -> specifier". */
function importsOf(folder: string): string[] {
  return readdirSync(SRC + folder).filter((f) => f.endsWith(".ts")).flatMap((file) => {
    const text = readFileSync(`${SRC}${folder}/${file}`, "utf8");
    return [...text.matchAll(/^(?:import|export)(?:[^;"]*?from)?\s*"([^"]+)"/gm)].map((m) => `${folder}/${file} -> ${m[1]}`);
  });
}

describe("shared/ layers", () => {
  it("wire imports only its own files, the constants and @colyseus/schema", () => {
    expect(importsOf("wire").filter((i) => !/-> (\.\/|\.\.\/constants\.ts$|@colyseus\/schema$)/.test(i))).toEqual([]);
  });

  it("the simulation imports no bot, no view helper and no package", () => {
    expect(importsOf("sim").length).toBeGreaterThan(20); // the scan sees the imports it checks
    expect(importsOf("sim").filter((i) => !/-> (\.\/|\.\.\/constants\.ts$|\.\.\/wire\/)/.test(i))).toEqual([]);
  });

  it("bot brains read the simulation and the wire (and their path-search queue), never a view helper", () => {
    expect(importsOf("bots").filter((i) => !/-> (\.\/|\.\.\/constants\.ts$|\.\.\/sim\/|\.\.\/wire\/|flatqueue$)/.test(i))).toEqual([]);
  });

  it("view helpers read the simulation, never the bots", () => {
    expect(importsOf("view").filter((i) => !/-> (\.\/|\.\.\/constants\.ts$|\.\.\/sim\/|\.\.\/wire\/)/.test(i))).toEqual([]);
  });

  it("the SDK client reads only the Colyseus SDK (no game code rides along into a bot or a test's client)", () => {
    expect(importsOf("sdk").length).toBeGreaterThan(0);
    expect(importsOf("sdk").filter((i) => !/-> @colyseus\/sdk$/.test(i))).toEqual([]);
  });

  it("replays read the simulation's types, the wire, the schema codec, fflate and @noble/hashes, never a bot or a view helper", () => {
    expect(importsOf("replay").length).toBeGreaterThan(5);
    expect(importsOf("replay").filter((i) => !/-> (\.\/|\.\.\/sim\/|\.\.\/wire\/|@colyseus\/schema$|fflate$|@noble\/hashes\/sha2\.js$)/.test(i))).toEqual([]);
  });

  it("view helpers and the SDK client stay out of the main barrel (they have their own entries, @arena/shared/view and /sdk)", () => {
    expect(readFileSync(SRC + "index.ts", "utf8")).not.toMatch(/from "\.\/(view|sdk|replay)/);
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")) as { exports: Record<string, string> };
    expect(pkg.exports).toEqual({ ".": "./src/index.ts", "./view": "./src/view/index.ts", "./editor": "./src/editor/index.ts", "./random": "./src/bots/random.ts", "./sdk": "./src/sdk/joinClient.ts", "./replay": "./src/replay/index.ts" });
  });
});
