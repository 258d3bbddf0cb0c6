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
import { PATCH_RATE, TICK_RATE } from "@arena/shared";
import type { BotRows, Row } from "../src/bench.ts";

const BENCH = fileURLToPath(new URL("../src/bench.ts", import.meta.url));
const WINDOW_S = 2;
/**
 * A baseline's send loop, by its own count: set to `rate`, and each firing sends every player one frame (its
 * achieved rate falls on a busy machine, and says nothing about the baseline).
 */
const expectSendLoopAt = (r: Row, rate: number): void => {
  expect(r.sendIntervalMs, `${r.kind}'s send loop interval, ms`).toBeCloseTo(1000 / rate, 6);
  expect(r.sentMessagesPerPlayerSecond! / r.sendFiringsPerSecond!, `${r.kind}: frames per firing per player`).toBeCloseTo(1, 1);
};
/**
 * The bots received the frames the server sent in the window (by the server's own count): a frame in flight, or
 * read late by a busy bot process, at each edge of the window, three per player at most.
 */
const expectReceivedAsSent = (r: Row): void => {
  const slack = (2 * 3) / WINDOW_S;
  expect(r.sentMessagesPerPlayerSecond, r.kind).not.toBeNull();
  expect(Math.abs(r.downMessagesPerPlayerSecond - r.sentMessagesPerPlayerSecond!), `${r.kind}: received ${r.downMessagesPerPlayerSecond.toFixed(1)} vs sent ${r.sentMessagesPerPlayerSecond!.toFixed(1)} per player-second`).toBeLessThanOrEqual(slack);
};
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let rows: Row[];
let bots: BotRows;
let exitCode: number | null;
let output = "";

beforeAll(async () => {
  const json = join(mkdtempSync(join(tmpdir(), "arena-bench-")), "rows.json");
  const child = spawn(process.execPath, ["--import", "tsx", BENCH, "--counts", "4", "--window", String(WINDOW_S), "--warmup", "1", "--ramp", "50", "--bot-rooms", "1", "--no-write", "--json", json],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  exitCode = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  rows = JSON.parse(readFileSync(json, "utf8")) as Row[];
  bots = JSON.parse(readFileSync(join(dirname(json), "bench-bots.json"), "utf8")) as BotRows;
}, 240_000);

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

  it("floor sends our patch size at the patch rate; naive sends the world every tick; the bots receive all they send", () => {
    const floor = row("floor");
    expectSendLoopAt(floor, PATCH_RATE);
    expect(floor.downMessagesPerPlayerSecond).toBeLessThan(PATCH_RATE * 1.3);
    expectReceivedAsSent(floor);
    expect(floor.downBytesPerPlayerSecond / floor.downMessagesPerPlayerSecond).toBeCloseTo(Math.round(row("arena").patchBytesMean!), 0);
    const naive = row("naive");
    expectSendLoopAt(naive, TICK_RATE);
    expectReceivedAsSent(naive);
    // Every tick rather than every patch: more messages than the floor's, measured in the same run.
    expect(naive.downMessagesPerPlayerSecond).toBeGreaterThan(floor.downMessagesPerPlayerSecond);
    expect(naive.downBytesPerPlayerSecond).toBeGreaterThan(row("arena").downBytesPerPlayerSecond);
  });

  it("Socket.io broadcasts the world as JSON at the patch rate, and inputs go up as JSON events", () => {
    const io = row("socketio");
    expectSendLoopAt(io, PATCH_RATE);
    expect(io.downMessagesPerPlayerSecond).toBeLessThan(PATCH_RATE * 1.3);
    expectReceivedAsSent(io);
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
