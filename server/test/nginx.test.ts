/**
 * TLS through nginx: two processes on one Redis behind the generated config;
 * an SDK client over https/wss (self-signed certificate made by openssl here)
 * joins rooms that live on either process.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { JoinClient } from "@arena/shared/sdk";
import { ROOM_ARENA } from "@arena/shared";
import { renderStandaloneNginx } from "../src/deploy/nginxConfig.ts";
import { SseReader, joinByCode, guestToken, waitForState, type ArenaRoomClient, freePort, nginxPrefix, requireBinary, spawnServer, startNginx, startRedis, type NginxProcess, type RedisProcess, type GameServerProcess } from "@arena/testkit";
import { trustSelfSignedCertificates } from "@arena/testkit/fixtures";

// This file's tests only: trust the self-signed certificate nginxPrefix makes.
trustSelfSignedCertificates();

let dir: string;
let redis: RedisProcess;
let servers: GameServerProcess[];
let nginx: NginxProcess;
let db: Redis;
let base: string;
let accessLog: string;
const MONITOR_PASSWORD = "monitor-password-for-nginx";
const rooms: ArenaRoomClient[] = [];

beforeAll(async () => {
  requireBinary("nginx");
  dir = nginxPrefix("nginx");

  redis = await startRedis();
  const tlsPort = await freePort();
  const ports = [await freePort(), await freePort()];
  // Each process tells clients to come back through nginx, under its own port prefix.
  servers = await Promise.all(ports.map((p) => spawnServer({ REDIS_URL: redis.url, PORT: String(p), PUBLIC_ADDRESS: `127.0.0.1:${tlsPort}/${p}`, MONITOR_PASSWORD: MONITOR_PASSWORD })));
  const conf = join(dir, "nginx.conf");
  // renderStandaloneNginx puts the site's own access log (its production format) in the prefix.
  accessLog = join(dir, "access.log");
  const rendered = renderStandaloneNginx({ ports, listen: `127.0.0.1:${tlsPort}`, certificate: join(dir, "cert.pem"), certificateKey: join(dir, "key.pem") }, dir);
  // The app sends X-Accel-Buffering: no on its stream, which alone turns nginx's buffering off. Ignoring
  // that header here leaves the config's own directives as the only thing that can keep the stream live.
  const http = "\nhttp {\n";
  if (!rendered.includes(http)) throw new Error("no http block in the rendered nginx.conf");
  writeFileSync(conf, rendered.replace(http, `${http}    proxy_ignore_headers X-Accel-Buffering;\n`));
  base = `https://127.0.0.1:${tlsPort}`;
  nginx = await startNginx(dir, conf, tlsPort, `${base}/health`);
  db = new Redis(redis.url);
}, 30_000);

afterAll(async () => {
  await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
  await nginx?.stop();
  await Promise.all((servers ?? []).map((s) => s.kill("SIGTERM")));
  db?.disconnect();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

async function processOf(roomId: string): Promise<string | undefined> {
  const raw = await db.hget("roomcaches", roomId);
  return raw === null ? undefined : (JSON.parse(raw) as { processId: string }).processId;
}

describe("nginx with TLS", () => {
  it("joins rooms on either process over wss://", async () => {
    const byProcess = new Map<string, ArenaRoomClient>();
    for (const [i, server] of servers.entries()) {
      // Create the room on this process (matchmaking straight to it), then connect over wss through nginx.
      const token = await guestToken(base, `tls${i}`);
      const res = await fetch(`${server.url}/matchmake/create/${ROOM_ARENA}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: `tls${i}`, private: true }),
      });
      expect(res.status).toBe(200);
      const client = new JoinClient(base);
      client.auth.token = token;
      const room = (await client.consumeSeatReservation((await res.json()) as never)) as ArenaRoomClient;
      rooms.push(room);
      expect((room.connection.transport as unknown as { ws: { url: string } }).ws.url).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:\\d+/${server.port}/${server.processId}/`));
      await waitForState(room, (s) => s.players.has(room.sessionId), 3000, "own player over wss");
      expect(await processOf(room.roomId)).toBe(server.processId);
      byProcess.set(server.processId, room);
    }

    // A second client joins each of them by code, over wss through nginx, and plays.
    for (const host of byProcess.values()) {
      const guest = await joinByCode(base, "guest", { code: host.roomId });
      rooms.push(guest);
      expect(guest.roomId).toBe(host.roomId);
      await waitForState(host, (s) => s.players.has(guest.sessionId), 3000, "guest seen through nginx");
    }
  }, 30_000);

  it("streams the leaderboard through nginx without buffering, whatever headers the app sends", async () => {
    const sse = await SseReader.open(`${base}/api/leaderboard/stream`);
    try {
      expect(sse.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      await sse.until(() => sse.events[0]?.event === "snapshot", "snapshot through nginx");
    } finally {
      sse.close();
    }
  });

  it("serves neither /metrics nor the monitor panel, in any spelling or through a process's prefix; each process still serves both on its own address", async () => {
    const [first] = servers;
    const paths = ["/metrics", "/METRICS", "/metrics/", "//metrics", "/%6Detrics", "/colyseus", "/colyseus/", "/Colyseus/api",
      `/${first!.port}/metrics`, `/${first!.port}/colyseus`, `/${first!.port}/colyseus/api`];
    for (const path of paths) {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Basic ${Buffer.from(`admin:${MONITOR_PASSWORD}`).toString("base64")}` } });
      expect(res.status, path).toBe(404);
    }
    // Prometheus and operators, on the process's own address.
    expect((await fetch(`${first!.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${first!.url}/colyseus`)).status).toBe(401);
    // The rest still goes through.
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it("logs requests without their query strings: a join through nginx leaves its websocket path in the access log, and no ticket or token", async () => {
    const token = await guestToken(base, "logged");
    const client = new JoinClient(base);
    client.auth.token = token;
    const room = (await client.create(ROOM_ARENA, { name: "logged", private: true })) as ArenaRoomClient;
    const wsPath = new URL((room.connection.transport as unknown as { ws: { url: string } }).ws.url).pathname;
    expect(new URL((room.connection.transport as unknown as { ws: { url: string } }).ws.url).searchParams.get("_authToken")).not.toBeNull();
    expect((await fetch(`${base}/health?probe=visible-only-without-the-log-format`)).status).toBe(200);
    await room.leave();
    // nginx writes a websocket's line when the connection closes.
    const deadline = Date.now() + 5000;
    let log = "";
    while (!log.includes(`GET ${wsPath} `)) {
      if (Date.now() > deadline) throw new Error(`no line for ${wsPath} in the access log:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
      log = readFileSync(accessLog, "utf8");
    }
    expect(log).toContain("GET /health ");
    expect(log).toContain(`POST /matchmake/create/${ROOM_ARENA} `);
    expect(log).not.toContain("?");
    expect(log).not.toContain("_authToken");
    expect(log).not.toContain("probe=");
    expect(log).not.toContain(token);
    expect(log).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});
