/**
 * The docs name files of this repository (`server/src/app.ts`,
 * `shared/src/constants.ts`, ..., in backticks or not). A file moved or
 * deleted leaves such a name pointing nowhere; this fails on each one, with
 * the doc and its line.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/processes.ts";

/** The top-level folders of the repository whose files the docs may name. */
const ROOTS = ["server", "shared", "client", "loadtest", "testkit", "deploy", "docs", "scripts", ".ci"];

const DOCS = ["README.md", ...readdirSync(join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/**
 * Names that start with one of ROOTS and a slash, in backticks or not; not the tail of a longer path,
 * URL or package name (`@arena/shared/editor`, `https://host/docs/`).
 */
const NAMED = new RegExp(`(?<![\\w./@-])((?:${ROOTS.map((r) => r.replace(".", "\\.")).join("|")})/[\\w./-]*[\\w])`, "g");

/** A repository path in a span, or undefined for what is not one (patterns, placeholders, URLs). */
function pathIn(span: string): string | undefined {
  if (/[*<>{}$…]|\.\.\./.test(span)) return undefined; // a glob, a placeholder or an elision
  return span
    .replace(/#.*$/, "") // an anchor in a doc
    .replace(/:\d+(?::\d+)?$/, "") // file:line
    .replace(/[.,;:)]+$/, ""); // punctuation caught by a span that ends a sentence
}

/** Every test file of the repository (outside node_modules and build output), as paths from the root. */
function testFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === "node_modules" || e.name.startsWith(".") || e.name === "dist" || e.name === "test-output") return [];
    if (e.isDirectory()) return testFiles(join(dir, e.name), `${prefix}${e.name}/`);
    return /\.(test|scenario)\.ts$/.test(e.name) ? [`${prefix}${e.name}`] : [];
  });
}

function namedPaths(): { doc: string; line: number; path: string }[] {
  const out: { doc: string; line: number; path: string }[] = [];
  for (const doc of DOCS) {
    readFileSync(join(REPO_ROOT, doc), "utf8").split("\n").forEach((text, i) => {
      for (const m of text.matchAll(NAMED)) {
        const path = pathIn(m[1]!);
        if (path !== undefined) out.push({ doc, line: i + 1, path });
      }
    });
  }
  return out;
}

describe("docs name only paths, scripts and variables that exist", () => {
  it("finds the paths the docs name (the check reads what it should)", () => {
    const named = namedPaths();
    expect(named.length).toBeGreaterThan(50);
    expect(named.some((n) => n.path === "shared/src/constants.ts")).toBe(true);
    expect(pathIn("server/src/app.ts:12")).toBe("server/src/app.ts");
    expect(pathIn("server/src/*.ts")).toBeUndefined();
  });

  it("every `npm run <script>` in README.md and docs/*.md is a script of the root package.json", () => {
    const scripts = new Set(Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts));
    const named = DOCS.flatMap((doc) => readFileSync(join(REPO_ROOT, doc), "utf8").split("\n")
      .flatMap((text, i) => [...text.matchAll(/npm run ([\w:-]+)/g)].map((m) => ({ where: `${doc}:${i + 1}`, script: m[1]! }))));
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((n) => !scripts.has(n.script)).map((n) => `${n.where} npm run ${n.script}`)).toEqual([]);
  });

  it("every test file named in README.md and docs/*.md (`*.test.ts`, `*.scenario.ts`, with or without its folder) exists", () => {
    const tests = new Set(testFiles(REPO_ROOT).map((f) => f.slice(f.lastIndexOf("/") + 1)));
    const named = DOCS.flatMap((doc) => readFileSync(join(REPO_ROOT, doc), "utf8").split("\n")
      .flatMap((text, i) => [...text.matchAll(/[\w.-]+\.(?:test|scenario)\.ts/g)].map((m) => ({ where: `${doc}:${i + 1}`, name: m[0] }))));
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((n) => !tests.has(n.name)).map((n) => `${n.where} ${n.name}`)).toEqual([]);
  });

  it("the README's configuration table has a row for each environment variable the server reads, and no other", () => {
    const config = readFileSync(join(REPO_ROOT, "server/src/config.ts"), "utf8");
    const schema = config.slice(config.indexOf("const Env = z.object({"));
    const read = [...schema.slice(0, schema.indexOf("\n});")).matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
    const rows = [...readFileSync(join(REPO_ROOT, "README.md"), "utf8").matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(20);
    expect({ undocumented: read.filter((v) => !rows.includes(v)), unknown: rows.filter((v) => !read.includes(v)) }).toEqual({ undocumented: [], unknown: [] });
  });

  it("every repository path named in README.md and docs/*.md exists", () => {
    // Build output (`server/dist/main.js`, `client/dist`) is not in a fresh clone, nor before the e2e tier builds the
    // client: its source must be.
    const inRepo = (path: string): string => (/\/dist(\/|$)/.test(path) ? path.replace(/\/dist(\/|$)/, "/src$1").replace(/\.js$/, ".ts") : path);
    const missing = namedPaths().filter((n) => !existsSync(join(REPO_ROOT, inRepo(n.path)))).map((n) => `${n.doc}:${n.line} ${n.path}`);
    expect(missing).toEqual([]);
  });
});
