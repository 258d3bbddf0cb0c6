/** /metrics and /health report reconnections and protocol errors as they happen. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCodes } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { dropSocket, joinArena, readMetrics, startTestServer, waitForLeave, waitForState, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
let watcher: ArenaRoomClient;

const BLOCK_MS = 200;

interface Health {
  clients: number;
  metrics: { protocolErrors: number; reconnections: number; messagesIn: number; bytesOut: number; eventLoopLagP99Ms: number };
}

async function health(): Promise<Health> {
  return (await (await fetch(`${server.url}/health`)).json()) as Health;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Keeps the thread busy for `ms`: the server in this process cannot run its event loop meanwhile. */
function blockThread(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

/** The value of a sample of the exposition (0 for a labelled series not yet counted). */
async function sample(name: string, labels?: Record<string, string>): Promise<number> {
  return (await readMetrics(server.url)).value(name, labels);
}

beforeAll(async () => {
  server = await startTestServer();
  ({ room: watcher } = await joinArena(server.url, "watcher"));
});
afterAll(async () => {
  await watcher.leave();
  await server.close();
});

describe("metrics", () => {
  it("serves Prometheus text with the arena's series", async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of ["arena_clients", "arena_rooms", "arena_messages_in_total", "arena_bytes_out_total", "arena_step_duration_seconds",
      "arena_patch_size_bytes", "arena_reconnections_total", "arena_protocol_errors_total", "arena_join_latency_seconds", "arena_event_loop_lag_p99_seconds",
      "nodejs_eventloop_lag_p99_seconds", "process_cpu_seconds_total"]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(await sample("arena_clients")).toBe(1);
    expect(await sample("arena_rooms")).toBe(1);
  });

  it("counts a reconnection", async () => {
    const before = await sample("arena_reconnections_total");
    const { room } = await joinArena(server.url, "flaky");
    room.reconnection.minUptime = 0;
    const reconnected = new Promise<void>((resolve) => room.onReconnect(() => resolve()));
    dropSocket(room);
    await reconnected;
    await waitForState(watcher, (s) => s.players.get(room.sessionId)?.connected === true, 5000, "back online");
    expect(await sample("arena_reconnections_total")).toBe(before + 1);
    await room.leave();
  });

  it("counts a protocol error by message kind, and /health summarizes", async () => {
    const errorsBefore = await sample("arena_protocol_errors_total", { kind: "chat" });
    const closesBefore = await sample("arena_websocket_closes_total", { code: String(CloseCodes.PROTOCOL_ERROR) });
    const healthBefore = await health();
    const { room } = await joinArena(server.url, "rude");
    room.reconnection.enabled = false;
    const left = waitForLeave(room);
    room.send("chat", { text: 42 });
    expect(await left).toBe(CloseCodes.PROTOCOL_ERROR);
    expect(await sample("arena_protocol_errors_total", { kind: "chat" })).toBe(errorsBefore + 1);
    expect(await sample("arena_websocket_closes_total", { code: String(CloseCodes.PROTOCOL_ERROR) })).toBe(closesBefore + 1);
    const after = await health();
    expect(after.metrics.protocolErrors).toBe(healthBefore.metrics.protocolErrors + 1);
    expect(after.metrics.reconnections).toBe(healthBefore.metrics.reconnections);
    expect(after.metrics.messagesIn).toBeGreaterThan(healthBefore.metrics.messagesIn);
    expect(after.metrics.bytesOut).toBeGreaterThan(healthBefore.metrics.bytesOut);
  });

  it("reports a blocked event loop as lag, in /health and in the scrape", async () => {
    // Both windows restart when read: read them, block this (the server's) thread, read again. Node's
    // delay histogram drops the first interval after a reset and records the block when its timer next
    // fires: hence a few sampling intervals (10 ms) on each side of the block, not an event wait.
    await health();
    await sample("arena_event_loop_lag_p99_seconds");
    await sleep(50);
    blockThread(BLOCK_MS);
    await sleep(50);
    // The one long delay is the p99 of a window this short; the sampling interval (10 ms) is not counted.
    expect((await health()).metrics.eventLoopLagP99Ms).toBeGreaterThanOrEqual(BLOCK_MS * 0.75);
    expect(await sample("arena_event_loop_lag_p99_seconds")).toBeGreaterThanOrEqual((BLOCK_MS * 0.75) / 1000);
  });
});
