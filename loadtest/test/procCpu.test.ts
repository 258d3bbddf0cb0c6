/**
 * The /proc CPU reader the benchmarks divide by (`sampleProcess`): a child
 * burns CPU and reports its own `process.cpuUsage()`; what /proc says must
 * match it to a few clock ticks, also when the command name holds spaces and
 * parentheses (which shift the fields of a naive parse of /proc/<pid>/stat).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleProcess } from "@arena/testkit/remote";

/** Burns CPU for the asked milliseconds of its own CPU time on each line of stdin, then prints its total CPU seconds. */
const CHILD = `
process.title = "x) 7 7 (y";
const total = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
require("node:readline").createInterface({ input: process.stdin }).on("line", (ms) => {
  const until = total() + Number(ms) / 1000;
  while (total() < until) {}
  console.log(total());
});
console.log(total());
`;

let child: ChildProcess;
let replies: AsyncIterator<string>;

async function reply(): Promise<number> {
  const next = await replies.next();
  if (next.done === true) throw new Error("child exited");
  return Number(next.value);
}

async function burn(ms: number): Promise<number> {
  child.stdin!.write(`${ms}\n`);
  return reply();
}

beforeAll(async () => {
  child = spawn(process.execPath, ["-e", CHILD], { stdio: ["pipe", "pipe", "inherit"] });
  replies = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  await reply();
});

afterAll(() => {
  child.kill("SIGKILL");
});

describe("/proc CPU reader", () => {
  /** Two clock ticks (10 ms each) of rounding, and a little for the reply's own write. */
  const TOLERANCE_S = 0.03;

  it("reads a process's CPU time as the process itself counts it, with a command name full of spaces and parentheses", async () => {
    const own = await burn(300);
    const read = sampleProcess(child.pid!).cpuSeconds;
    expect(own).toBeGreaterThan(0.3);
    expect(Math.abs(read - own)).toBeLessThan(TOLERANCE_S);
  });

  it("counts the CPU spent between two samples, which is what CPU per join divides", async () => {
    const before = sampleProcess(child.pid!);
    const ownBefore = await burn(0);
    const ownAfter = await burn(200);
    const after = sampleProcess(child.pid!);
    expect(after.cpuSeconds - before.cpuSeconds).toBeGreaterThan(0.2 - TOLERANCE_S);
    expect(Math.abs(after.cpuSeconds - before.cpuSeconds - (ownAfter - ownBefore))).toBeLessThan(TOLERANCE_S);
    expect(after.rssBytes).toBeGreaterThan(1024 * 1024);
  });
});
