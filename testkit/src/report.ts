/** Benchmark reports: the machine they ran on, and sections of docs/BENCHMARKS.md replaced in place. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { REPO_ROOT } from "./processes.ts";

export const BENCHMARKS_MD = `${REPO_ROOT}docs/BENCHMARKS.md`;

/** Node version, core count and CPU model, and today's date: the first words of every figure. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `Node ${process.version}, ${cpus().length} cores (${cpu}), ${new Date().toISOString().slice(0, 10)}`;
}

/** Replaces (or appends) the section between `<!-- name:start -->` and `<!-- name:end -->` of `file`. */
export function writeSection(name: string, body: string, file = BENCHMARKS_MD): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const a = current.indexOf(start);
  const b = current.indexOf(end);
  const next = a >= 0 && b > a ? current.slice(0, a) + block + current.slice(b + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
