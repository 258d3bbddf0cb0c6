/**
 * A tiny run of `npm run bench` (4 servers, 4 bots each, 2 s windows, one room
 * per bot configuration): every server is measured with the same bots, the
 * baselines behave as described, and no server process outlives the benchmark.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { PATCH_RATE } from "@arena/shared";
import type { BotRows, Row } from "../src/bench.ts";

const BENCH = fileURLToPath(new URL("../src/bench.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let rows: Row[];
let bots: BotRows;
let exitCode: number | null;
let output = "";

beforeAll(async () => {
  const json = join(mkdtempSync(join(tmpdir(), "arena-bench-")), "rows.json");
  const child = spawn(process.execPath, ["--import", "tsx", BENCH, "--counts", "4", "--window", "2", "--warmup", "1", "--ramp", "50", "--bot-rooms", "1", "--no-write", "--json", json],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  exitCode = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  rows = JSON.parse(readFileSync(json, "utf8")) as Row[];
  bots = JSON.parse(readFileSync(join(dirname(json), "bench-bots.json"), "utf8")) as BotRows;
}, 120_000);

const row = (kind: Row["kind"]): Row => {
  const r = rows.find((x) => x.kind === kind);
  if (r === undefined) throw new Error(`no ${kind} row in\n${output}`);
  return r;
};

describe("benchmark smoke run", () => {
  it("measures ours, floor, naive and Socket.io with the same bots", () => {
    expect(exitCode, output).toBe(0);
    expect(rows.map((r) => r.kind)).toEqual(["arena", "floor", "naive", "socketio"]);
    for (const r of rows) {
      expect(r.players, r.kind).toBe(4);
      expect(r.failed, r.kind).toBe(0);
      expect(r.cpuUsPerPlayerSecond, r.kind).toBeGreaterThan(0);
      expect(r.upBytesPerPlayerSecond, r.kind).toBeGreaterThan(0);
    }
    expect(row("arena").stepP50Us).toBeGreaterThan(0);
    expect(row("arena").patchBytesMean).toBeGreaterThan(0);
    expect(output).toContain("| bots | server | players |");
    expect(output).toMatch(/\| 4 \| [\d.]+× \| [\d.]+× \| [\d.]+× \| [\d.]+× \| [\d.]+× \| [\d.]+× \|/);
  });

  it("floor sends our patch size at the patch rate; naive sends the world every tick", () => {
    const floor = row("floor");
    // Half the rate at least: bots on a busy machine read late, and naive, at the tick rate, is far above.
    expect(floor.downMessagesPerPlayerSecond).toBeGreaterThan(PATCH_RATE * 0.5);
    expect(floor.downMessagesPerPlayerSecond).toBeLessThan(PATCH_RATE * 1.3);
    expect(floor.downBytesPerPlayerSecond / floor.downMessagesPerPlayerSecond).toBeCloseTo(Math.round(row("arena").patchBytesMean!), 0);
    const naive = row("naive");
    // Every tick rather than every patch: more messages than the floor's, measured in the same run.
    expect(naive.downMessagesPerPlayerSecond).toBeGreaterThan(floor.downMessagesPerPlayerSecond);
    expect(naive.downBytesPerPlayerSecond).toBeGreaterThan(row("arena").downBytesPerPlayerSecond);
  });

  it("Socket.io broadcasts the world as JSON at the patch rate, and inputs go up as JSON events", () => {
    const io = row("socketio");
    expect(io.downMessagesPerPlayerSecond).toBeGreaterThan(PATCH_RATE * 0.5);
    expect(io.downMessagesPerPlayerSecond).toBeLessThan(PATCH_RATE * 1.3);
    // The whole world as JSON weighs more than our binary patches of the same room.
    expect(io.downBytesPerPlayerSecond).toBeGreaterThan(row("arena").downBytesPerPlayerSecond);
    // Inputs as events at the bots' input rate, counted like the other bots' frames.
    expect(io.upBytesPerPlayerSecond).toBeGreaterThan(row("arena").upBytesPerPlayerSecond);
  });

  it("prices bots beside people: a room alone, a room of 16 people, a room of 1 person + 15 bots", () => {
    expect(bots.rooms).toBe(1);
    expect([bots.alone.players, bots.people.players, bots.bots.players]).toEqual([1, 16, 1]);
    for (const r of [bots.alone, bots.people, bots.bots]) expect(r.failed).toBe(0);
    // The bot rooms ran on their own process (BOT_FILL=16).
    expect(bots.bots.pid).not.toBe(bots.alone.pid);
    expect(output).toMatch(/CPU per added player: \*\*a person -?\d+ µs\/s, a bot -?\d+ µs\/s\*\*/);
  });

  it("stops every server it started", () => {
    for (const r of [...rows, bots.alone, bots.bots]) expect(() => process.kill(r.pid, 0), `${r.kind} pid ${r.pid}`).toThrow();
  });
});
