/**
 * A vitest reporter for the time budget: writes test-output/test-times.json (each file's project, time, test count
 * and state, plus each project's wall time) and prints the five slowest files and the run's total at the end.
 * `ARENA_TEST_TIMES` names another file: scripts/test.ts runs two vitest processes side by side, each writing its own,
 * and merges them with `mergeReports`.
 * A file's time counts everything vitest spent on it in its worker (environment, import, hooks and tests), which is
 * what it costs the run; a project's wall time runs from its first file's start to its last file's end.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { Reporter, TestModule, Vitest } from "vitest/node";

export interface FileTime {
  readonly file: string;
  readonly project: string;
  /** Milliseconds vitest spent on the file: environment setup, import, hooks and tests. */
  readonly durationMs: number;
  readonly tests: number;
  readonly status: string;
}

/** A test that failed, or a file that failed outside its tests (import, hooks): what the end of the output names. */
export interface Failure {
  readonly file: string;
  readonly project: string;
  /** The test's full name, or "(file)" for an error outside any test. */
  readonly test: string;
  /** The first error's message, its first lines only. */
  readonly error: string;
}

export interface ProjectTime {
  readonly project: string;
  readonly files: number;
  /** First file's start to last file's end, in milliseconds. */
  readonly wallMs: number;
  /** The files' times added up: more than wallMs when files ran side by side. */
  readonly fileMs: number;
}

export interface TimeReport {
  readonly startedAt: string;
  /** From vitest's start (before global setup such as the client build) to the end of the last file. */
  readonly totalMs: number;
  readonly projects: ProjectTime[];
  /** Slowest first. */
  readonly files: FileTime[];
  readonly failures: Failure[];
}

const SLOWEST = 5;

/** Where a run writes its report: `ARENA_TEST_TIMES` (relative to the root) or test-output/test-times.json. */
export function reportPath(root: string): string {
  return join(root, process.env.ARENA_TEST_TIMES ?? join("test-output", "test-times.json"));
}

/** Reports of runs made side by side, as one: files and projects together, the total from the first start to the last end. */
export function mergeReports(reports: readonly TimeReport[]): TimeReport {
  const start = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const end = Math.max(...reports.map((r) => Date.parse(r.startedAt) + r.totalMs));
  return {
    startedAt: new Date(start).toISOString(),
    totalMs: end - start,
    projects: reports.flatMap((r) => r.projects),
    files: reports.flatMap((r) => r.files).sort((a, b) => b.durationMs - a.durationMs),
    failures: reports.flatMap((r) => r.failures ?? []),
  };
}

/** An error's message cut to its first lines, so the end of a long log still names what failed and how. */
export function errorHead(message: string | undefined, lines = 3, chars = 400): string {
  const head = (message ?? "(no message)").split("\n").filter((l) => l.trim() !== "").slice(0, lines).join(" | ");
  return head.length > chars ? `${head.slice(0, chars - 1)}…` : head;
}

/** The lines printed at the end of a run: the slowest files, each project's wall time, the total, and every failure. */
export function summaryLines(report: TimeReport, out: string): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [``, `Slowest files (of ${report.files.length}):`];
  for (const f of report.files.slice(0, SLOWEST)) lines.push(`  ${s(f.durationMs).padStart(8)}  [${f.project}] ${f.file}${f.status === "passed" ? "" : ` (${f.status})`}`);
  lines.push(`Projects: ${report.projects.map((p) => `${p.project} ${s(p.wallMs)} (${p.files} files)`).join(", ")}`);
  lines.push(`Total ${s(report.totalMs)}; per-file times in ${out}`);
  if (report.failures.length > 0) {
    lines.push(`Failed (${report.failures.length}):`);
    for (const f of report.failures) lines.push(`  [${f.project}] ${f.file} > ${f.test}`, `      ${f.error}`);
  }
  return lines;
}

/** Writes a report as JSON, making its folder. */
export function writeReport(report: TimeReport, out: string): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
}

export default class TimeReporter implements Reporter {
  private root = process.cwd();
  private startedAt = Date.now();
  private readonly starts = new Map<string, number>();
  private readonly spans = new Map<string, { start: number; end: number; files: number; fileMs: number }>();
  private readonly files: FileTime[] = [];
  private readonly failures: Failure[] = [];

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
    this.startedAt = Date.now();
  }

  onTestModuleStart(module: TestModule): void {
    this.starts.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule): void {
    const end = Date.now();
    const d = module.diagnostic();
    const durationMs = Math.round(d.environmentSetupDuration + d.prepareDuration + d.collectDuration + d.setupDuration + d.duration);
    const project = module.project.name || "default";
    const file = relative(this.root, module.moduleId).split("\\").join("/");
    for (const error of module.errors()) this.failures.push({ file, project, test: "(file)", error: errorHead(error.message) });
    for (const test of module.children.allTests("failed")) {
      this.failures.push({ file, project, test: test.fullName, error: errorHead(test.result().errors?.[0]?.message) });
    }
    this.files.push({
      file,
      project,
      durationMs,
      tests: [...module.children.allTests()].length,
      status: module.state(),
    });
    // The module starts after its worker and environment are up: count those too.
    const start = Math.min(this.starts.get(module.moduleId) ?? end, end - durationMs);
    const span = this.spans.get(project) ?? { start, end, files: 0, fileMs: 0 };
    span.start = Math.min(span.start, start);
    span.end = Math.max(span.end, end);
    span.files += 1;
    span.fileMs += durationMs;
    this.spans.set(project, span);
  }

  onTestRunEnd(): void {
    if (this.files.length === 0) return;
    const files = [...this.files].sort((a, b) => b.durationMs - a.durationMs);
    const projects = [...this.spans].map(([project, s]) => ({ project, files: s.files, wallMs: s.end - s.start, fileMs: s.fileMs }));
    const report: TimeReport = {
      startedAt: new Date(this.startedAt).toISOString(), totalMs: Date.now() - this.startedAt, projects, files, failures: this.failures,
    };
    const out = reportPath(this.root);
    writeReport(report, out);
    const lines = summaryLines(report, relative(process.cwd(), out) || out);
    console.log(lines.join("\n"));
  }
}
