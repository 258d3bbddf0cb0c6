/**
 * A Redis command's timeout counts the time this process had to read its reply, not a stretch it spent busy: a reply
 * that arrived while the process ran synchronous work for longer than the timeout resolves the command; a command Redis
 * never answers still fails with "Command timed out". The Redis here is a few lines of RESP in a worker thread, so it
 * answers while the test's own thread is busy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import { once } from "node:events";
import { createRedisClient, type RedisClient } from "../src/scale/redisClient.ts";

/** Answers PING with PONG, INFO with "loading:0", HANG with nothing, anything else with OK. */
const FAKE_REDIS = `
const net = require("node:net");
const { parentPort } = require("node:worker_threads");
const server = net.createServer((socket) => {
  let buffered = "";
  socket.on("data", (chunk) => {
    buffered += chunk.toString("latin1");
    for (;;) {
      const lines = buffered.split("\\r\\n");
      if (!lines[0].startsWith("*")) return;
      const n = Number(lines[0].slice(1));
      if (lines.length < 2 * n + 2) return;
      const name = lines[2].toUpperCase();
      buffered = lines.slice(2 * n + 1).join("\\r\\n");
      if (name === "PING") socket.write("+PONG\\r\\n");
      else if (name === "INFO") socket.write("$11\\r\\nloading:0\\r\\n\\r\\n");
      else if (name !== "HANG") socket.write("+OK\\r\\n");
    }
  });
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

const TIMEOUT_MS = 100;

let worker: Worker;
let client: RedisClient;

beforeAll(async () => {
  worker = new Worker(FAKE_REDIS, { eval: true });
  const [port] = (await once(worker, "message")) as [number];
  client = createRedisClient({ kind: "single", url: `redis://127.0.0.1:${port}` }, { commandTimeout: TIMEOUT_MS });
  expect(await client.ping()).toBe("PONG");
});

afterAll(async () => {
  client?.disconnect();
  await worker?.terminate();
});

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe("redis command timeouts and a busy process", () => {
  it("a reply that came while the process was busy for three times the timeout resolves the command", async () => {
    for (let i = 0; i < 5; i++) {
      const reply = client.ping();
      busyFor(3 * TIMEOUT_MS);
      await expect(reply).resolves.toBe("PONG");
    }
  });

  it("a command Redis never answers still fails with 'Command timed out', within a poll phase of its timeout", async () => {
    const started = performance.now();
    await expect(client.call("HANG")).rejects.toThrow("Command timed out");
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
    expect(took).toBeLessThan(TIMEOUT_MS + 1000);
  });
});
