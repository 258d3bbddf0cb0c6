/**
 * A tiny run of `npm run bench:joins` (17 joins per server, 4 in flight, one
 * round): ours, the bare Colyseus room and Socket.io are each joined in one
 * process and in two on Redis, every join seats, rooms hold 16, CPU per join
 * is read from /proc, and no server outlives the benchmark.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const BENCH = fileURLToPath(new URL("../../server/bench/joins.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** One more than a room's 16 seats: every server must open a second room in one process. */
const JOINS = 17;

/** The fields of server/bench/joins.ts's JoinRow this test reads. */
interface Row {
  processes: number;
  kind: "ours" | "bare" | "socketio";
  joins: number;
  failed: number;
  rooms: number;
  p99Ms: number;
  serverCpuMsPerJoin: number;
  pids: number[];
}

let rows: Row[];
let exitCode: number | null;
let output = "";

beforeAll(async () => {
  const json = join(mkdtempSync(join(tmpdir(), "arena-bench-joins-")), "rows.json");
  const child = spawn(process.execPath, ["--import", "tsx", BENCH], {
    cwd: ROOT,
    env: { ...process.env, BENCH_JOINS: String(JOINS), BENCH_CONCURRENCY: "4", BENCH_ROUNDS: "1", BENCH_NO_WRITE: "1", BENCH_JSON: json },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  exitCode = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  rows = JSON.parse(readFileSync(json, "utf8")) as Row[];
}, 150_000);

describe("join benchmark smoke run", () => {
  it("joins ours, a bare Colyseus room and Socket.io in one process and in two on Redis, every join seated", () => {
    expect(exitCode, output).toBe(0);
    expect(rows.map((r) => `${r.processes} ${r.kind}`)).toEqual(["1 ours", "1 bare", "1 socketio", "2 ours", "2 bare", "2 socketio"]);
    for (const r of rows) {
      expect(r.joins, `${r.processes} ${r.kind}`).toBe(JOINS);
      expect(r.failed, `${r.processes} ${r.kind}`).toBe(0);
      expect(r.p99Ms).toBeGreaterThan(0);
    }
    expect(output).toContain("| 1 process, in-memory | ours / bare Colyseus |");
  });

  it("seats 16 per room: 17 joins open a second room on one process", () => {
    for (const r of rows.filter((x) => x.processes === 1)) expect(r.rooms, r.kind).toBe(2);
    // Socket.io's processes each fill their own rooms; Colyseus may seat both halves in one process's rooms.
    for (const r of rows.filter((x) => x.processes === 2)) expect(r.rooms, r.kind).toBeGreaterThanOrEqual(2);
  });

  it("reads the servers' CPU per join from /proc", () => {
    // 17 joins cost tens of ms of CPU on any server here: several 10 ms clock ticks. (Redis's share of so few joins
    // can round to zero ticks, so it is not checked here.)
    for (const r of rows) expect(r.serverCpuMsPerJoin, `${r.processes} ${r.kind}`).toBeGreaterThan(0);
  });

  it("stops every server it started", () => {
    for (const r of rows) for (const pid of r.pids) expect(() => process.kill(pid, 0), `${r.kind} pid ${pid}`).toThrow();
  });
});
