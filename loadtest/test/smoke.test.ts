/**
 * A short load run of the real CLI (its own process) against a real server:
 * every bot joins and receives patches, nobody breaks the protocol, the
 * server's /metrics parses and moves, and by the server's own counters its
 * rooms ran every step due and sent every joined bot every patch, all of
 * which the bots received.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCodes, PATCH_RATE, TICK_RATE } from "@arena/shared";
import { readMetrics, startTestServer, type MetricsSnapshot, type RunningServer } from "@arena/testkit";
import { parsePrometheus } from "../src/prometheus.ts";
import type { LoadSummary } from "../src/stats.ts";

/** Two rooms: one full (16), one of 4. */
const BOTS = 20;
/** Long enough for every bot to join and rejoin on a busy machine (the CLI's clock starts before its sign-ins). */
const SECONDS = 10;
const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
/**
 * Patch broadcasts per firing of the step timer, as a share of patch rate / tick rate: neither timer catches up
 * after a late firing, so on a busy event loop both fall behind their due counts alike; a patch timer at half
 * its rate, or broadcasts skipped, give 0.5.
 */
const MIN_PATCHES_PER_STEP_RUN = 0.9;

let server: RunningServer;
let before: MetricsSnapshot;
let after: MetricsSnapshot;
let summary: LoadSummary;
let exitCode: number | null;
let output = "";
let text = "";
/** Wall time between the two scrapes: `due / windowSeconds` is the rooms' mean number times the tick rate. */
let windowSeconds = 0;
const moved = (name: string): number => after.value(name) - before.value(name);

async function metrics(): Promise<MetricsSnapshot> {
  return readMetrics(server.url);
}

beforeAll(async () => {
  server = await startTestServer();
  before = await metrics();
  const t0 = performance.now();
  const out = join(mkdtempSync(join(tmpdir(), "arena-loadtest-")), "summary.json");
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "--bots", String(BOTS), "--duration", String(SECONDS),
    "--endpoint", server.url, "--out", out, "--chat-every", "2", "--rejoin-every", "3", "--ramp", "40", "--plain"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  exitCode = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // The bots' last leaves may still be in flight on the server when the CLI exits; an empty room then disposes.
  after = await metrics();
  for (const until = Date.now() + 5000; (after.value("arena_clients") > 0 || after.value("arena_rooms") > 0) && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 50));
    after = await metrics();
  }
  windowSeconds = (performance.now() - t0) / 1000;
  text = await (await fetch(`${server.url}/metrics`)).text();
  summary = JSON.parse(readFileSync(out, "utf8")) as LoadSummary;
}, 30_000);
afterAll(async () => {
  await server?.close();
});

describe("load test smoke run", () => {
  it("every bot joins, receives patches, and nobody breaks the protocol", () => {
    expect(exitCode, output).toBe(0);
    expect(summary.bots).toBe(BOTS);
    expect(summary.joined).toBe(BOTS);
    expect(summary.failed).toBe(0);
    expect(summary.patches.botsWithoutPatches).toBe(0);
    expect(summary.protocolErrors).toBe(0);
    expect(summary.disconnects).toEqual({});
    expect(summary.rttMs.samples).toBeGreaterThan(0);
    expect(summary.chats).toBeGreaterThan(0);
    expect(summary.rejoins).toBeGreaterThan(0);
    expect(output).toMatch(/\[\s*\d+ s\] bots \d+\/20 joined/);
  });

  it("the server counted no protocol errors and its /metrics parses and moved", () => {
    expect(() => parsePrometheus(text)).not.toThrow();
    expect(after.value("arena_protocol_errors_total")).toBe(0);
    expect(after.value("arena_websocket_closes_total", { code: String(CloseCodes.PROTOCOL_ERROR) })).toBe(0);
    // What the bots counted on their side went through the server's counters (frames: an input pair is one).
    expect(moved("arena_messages_in_total")).toBeGreaterThanOrEqual(summary.out.framesPerSecond * summary.seconds * 0.9);
    expect(moved("arena_messages_out_total")).toBeGreaterThanOrEqual(summary.in.messagesPerSecond * summary.seconds * 0.9);
    expect(moved("arena_bytes_in_total")).toBeGreaterThan(0);
    expect(moved("arena_bytes_out_total")).toBeGreaterThan(0);
    // A rejoin finishing as the run ends is on the server's count but may miss the summary.
    expect(moved("arena_join_latency_seconds_count")).toBeGreaterThanOrEqual(summary.joins);
    expect(moved("arena_websocket_connections_total")).toBeGreaterThanOrEqual(summary.joins);
    expect(after.value("arena_clients")).toBe(0);
  });

  it("by the server's counters, its rooms ran every step due and kept their patch rate", () => {
    // Every room of the run opened and closed between the two scrapes, so "due" covers each room's whole life.
    const steps = moved("arena_steps_total");
    const scheduled = moved("arena_steps_scheduled_total");
    const due = moved("arena_steps_due_total");
    const runs = moved("arena_step_timer_runs_total");
    const patches = moved("arena_patches_total");
    const waited = moved("arena_event_loop_cpu_wait_seconds_total");
    const counts = `${steps}/${scheduled}/${due} steps run/scheduled/due in ${runs} step timer runs, ${patches} patches, the loop's thread waited ${Math.round(waited * 1000)} ms for a CPU`;
    expect(due, counts).toBeGreaterThan(TICK_RATE * SECONDS);
    // Every step the rooms' fixed timesteps called for ran.
    expect(steps, counts).toBe(scheduled);
    // Colyseus catches up five steps after a late timer: only a stall beyond that drops steps due. Time the
    // thread waited for a CPU (a busy machine) is forgiven in each room; the loop's own stalls are not. Two per
    // room for where its life's edges fall between steps (two rooms, or a few more if a rejoin found them empty).
    expect(due - scheduled, counts).toBeLessThanOrEqual(Math.ceil(due * Math.min(1, waited / windowSeconds)) + 2 * 4);
    expect(patches, counts).toBeGreaterThanOrEqual(Math.floor(runs * (PATCH_RATE / TICK_RATE) * MIN_PATCHES_PER_STEP_RUN));
  });

  it("the server sent every joined bot every patch of its room, and the bots received them all", () => {
    const owed = moved("arena_patch_deliveries_total");
    const sent = moved("arena_patch_size_bytes_count");
    expect(sent, "patch frames sent vs owed to joined clients").toBe(owed);
    // Patches sent as a bot leaves cross its leave and go uncounted: at most those of one round trip (the
    // bots' p99) per leave. Every join ends in a leave, the CLI's own at the end included.
    const leaves = summary.joins;
    const crossing = leaves * Math.ceil((summary.rttMs.p99 * PATCH_RATE) / 1000 + 1);
    const what = `received ${summary.patches.total} of ${sent} sent, ${leaves} leaves, round trip p99 ${summary.rttMs.p99} ms`;
    expect(summary.patches.total, what).toBeLessThanOrEqual(sent);
    expect(summary.patches.total, what).toBeGreaterThanOrEqual(sent - crossing);
  });
});
