/**
 * A short load run of the real CLI (its own process) against a real server:
 * every bot joins and receives patches, nobody breaks the protocol, and the
 * server's /metrics parses and moves.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCodes } from "@arena/shared";
import { startTestServer, type RunningServer } from "@arena/testkit";
import { parsePrometheus, total, type MetricFamily } from "../src/prometheus.ts";
import type { LoadSummary } from "../src/stats.ts";

const BOTS = 20;
const SECONDS = 10;
const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

let server: RunningServer;
let before: Map<string, MetricFamily>;
let after: Map<string, MetricFamily>;
let summary: LoadSummary;
let exitCode: number | null;
let output = "";

async function metrics(): Promise<Map<string, MetricFamily>> {
  return parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
}

beforeAll(async () => {
  server = await startTestServer();
  before = await metrics();
  const out = join(mkdtempSync(join(tmpdir(), "arena-loadtest-")), "summary.json");
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "--bots", String(BOTS), "--duration", String(SECONDS),
    "--endpoint", server.url, "--out", out, "--chat-every", "3", "--rejoin-every", "5", "--ramp", "40", "--plain"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  exitCode = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // The bots' last leaves may still be in flight on the server when the CLI exits.
  after = await metrics();
  for (const until = Date.now() + 5000; total(after, "arena_clients") > 0 && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 50));
    after = await metrics();
  }
  summary = JSON.parse(readFileSync(out, "utf8")) as LoadSummary;
}, 40_000);
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
    // 20 patches/s; a bot that rejoined late in the run may have had only a second or so in its room,
    // and a loaded machine delivers fewer: ten is still a steady stream, not a stray patch.
    expect(summary.patches.minPerJoinedBot).toBeGreaterThanOrEqual(10);
    expect(summary.protocolErrors).toBe(0);
    expect(summary.disconnects).toEqual({});
    expect(summary.rttMs.samples).toBeGreaterThan(0);
    expect(summary.chats).toBeGreaterThan(0);
    expect(summary.rejoins).toBeGreaterThan(0);
    expect(output).toMatch(/\[\s*\d+ s\] bots \d+\/20 joined/);
  });

  it("the server counted no protocol errors and its /metrics moved", () => {
    expect(total(after, "arena_protocol_errors_total")).toBe(0);
    expect(total(after, "arena_websocket_closes_total", { code: String(CloseCodes.PROTOCOL_ERROR) })).toBe(0);
    const moved = (name: string): number => total(after, name) - total(before, name);
    // What the bots counted on their side went through the server's counters.
    expect(moved("arena_messages_in_total")).toBeGreaterThanOrEqual(summary.out.messagesPerSecond * summary.seconds * 0.9);
    expect(moved("arena_messages_out_total")).toBeGreaterThanOrEqual(summary.in.messagesPerSecond * summary.seconds * 0.9);
    expect(moved("arena_bytes_in_total")).toBeGreaterThan(0);
    expect(moved("arena_bytes_out_total")).toBeGreaterThan(0);
    // A rejoin finishing as the run ends is on the server's count but may miss the summary.
    expect(moved("arena_join_latency_seconds_count")).toBeGreaterThanOrEqual(summary.joins);
    expect(moved("arena_patch_size_bytes_count")).toBeGreaterThanOrEqual(summary.patches.total);
    expect(moved("arena_step_duration_seconds_count")).toBeGreaterThan(SECONDS * 20);
    expect(moved("arena_websocket_connections_total")).toBeGreaterThanOrEqual(summary.joins);
    expect(total(after, "arena_clients")).toBe(0);
  });
});
