/**
 * `npm run sim:cluster` at small numbers, as an operator runs it: the script starts its own redis-server (or Redis
 * Cluster) and its stand-ins, counts, prints the table and stops by itself; the stand-ins did the cluster work they are there
 * for (joins, credits, scoped lists) without an error, and Redis counted the commands of each path.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Runs the script to its end; its output and exit code. */
function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "server/bench/simCluster.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    proc.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
    proc.on("exit", (code) => resolve({ code, out }));
  });
}

/** The value of a row of the printed table (its first column after the label, which it starts with). */
function cell(out: string, label: string): string {
  const line = out.split("\n").find((l) => l.startsWith(`| ${label}`));
  if (line === undefined) throw new Error(`no row "${label}" in:\n${out}`);
  return line.split("|")[2]!.trim().replace(/\*/g, "");
}

describe("sim:cluster", () => {
  it("runs 3 stand-ins with 480 players against its own redis-server, prints every figure and stops by itself", async () => {
    const started = performance.now();
    const { code, out } = await run(["--processes", "3", "--players", "480", "--seconds", "3", "--children", "1"]);
    expect(code, out).toBe(0);
    expect(performance.now() - started).toBeLessThan(150_000);
    expect(cell(out, "errors")).toBe("0");
    expect(Number(cell(out, "Redis commands/s").replace("k", "e3"))).toBeGreaterThan(0);
    expect(cell(out, "Redis CPU (one core = 100 %)")).toMatch(/^\d+ %$/);
    expect(cell(out, "bytes into Redis")).toMatch(/MB\/s$/);
    expect(cell(out, "stand-in CPU for cluster work (of one core)")).toMatch(/^[\d.]+ %$/);
    // Each run says how much of the work asked it did (a share below 95 % marks the run starved).
    expect(cell(out, "load average (1 min)")).toMatch(/^[\d.]+ → [\d.]+$/);
    expect(cell(out, "work done of the work asked")).toMatch(/^\d+ %$/);
    // 480 players: 1.6 joins and 9.9 credits a second asked; some of each were done in the counted seconds.
    const [joins] = cell(out, "joins/s done (asked)").split(" ");
    const [credits] = cell(out, "credits/s done (asked)").split(" ");
    expect(Number(joins)).toBeGreaterThan(0);
    expect(Number(credits)).toBeGreaterThan(0);
    expect(Number(cell(out, "scoped lists read/s").split(" ")[0])).toBeGreaterThan(0);
    expect(Number(cell(out, "heartbeats/s").split(" ")[0])).toBeGreaterThan(0);
    // The lobby feed read the listings it heard of (lobbyFeed.ts: HMGET of those noticed).
    expect(Number(cell(out, "listing reads for them/s"))).toBeGreaterThan(0);
    // Every path of a process reached Redis: whereabouts and listings, scoped lists, scripts, the index, the leaderboard.
    for (const command of ["hset", "hgetall", "hmget", "zmscore", "evalsha", "zrevrange", "zincrby", "publish"]) {
      expect(out, command).toMatch(new RegExp(`\\| \`${command}\`/s \\(µs each in Redis\\) \\| [1-9]`));
    }
  }, 180_000);

  it("runs its stand-ins on a 3-master Redis Cluster it starts itself and reports each node's load", async () => {
    const { code, out } = await run(["--processes", "2", "--players", "320", "--seconds", "3", "--children", "1", "--cluster"]);
    expect(code, out).toBe(0);
    expect(cell(out, "errors")).toBe("0");
    // One row per master: commands/s, CPU and bytes out, each master with some of the commands (keys spread by slot).
    for (const node of [1, 2, 3]) {
      const [commands] = cell(out, `node ${node}: commands/s, CPU, out`).split(", ");
      expect(Number(commands!.replace("k", "e3")), `node ${node}`).toBeGreaterThan(0);
    }
    const [joins] = cell(out, "joins/s done (asked)").split(" ");
    expect(Number(joins)).toBeGreaterThan(0);
  }, 180_000);
});
