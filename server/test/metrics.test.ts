/** /metrics and /health report reconnections and protocol errors as they happen. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/app.ts";
import { dropSocket, joinArena, startTestServer, waitForLeave, waitForState, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
let watcher: ArenaRoomClient;

/** The value of an unlabelled (or exactly labelled) sample line of the exposition. */
async function sample(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
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
    const { room } = await joinArena(server.url, "flaky");
    room.reconnection.minUptime = 0;
    const reconnected = new Promise<void>((resolve) => room.onReconnect(() => resolve()));
    dropSocket(room);
    await reconnected;
    await waitForState(watcher, (s) => s.players.get(room.sessionId)?.connected === true, 5000, "back online");
    expect(await sample("arena_reconnections_total")).toBe(1);
    await room.leave();
  });

  it("counts a protocol error by message kind, and /health summarizes", async () => {
    const { room } = await joinArena(server.url, "rude");
    room.reconnection.enabled = false;
    const left = waitForLeave(room);
    room.send("chat", { text: 42 });
    expect(await left).toBe(4400);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('arena_protocol_errors_total{kind="chat"} 1');
    expect(text).toContain('arena_websocket_closes_total{code="4400"} 1');
    const health = (await (await fetch(`${server.url}/health`)).json()) as { clients: number; metrics: Record<string, number> };
    expect(health.metrics.protocolErrors).toBe(1);
    expect(health.metrics.reconnections).toBe(1);
    expect(health.metrics.messagesIn).toBeGreaterThan(0);
    expect(health.metrics.bytesOut).toBeGreaterThan(0);
    expect(health.metrics.eventLoopLagP99Ms).toBeGreaterThanOrEqual(0);
  });
});
