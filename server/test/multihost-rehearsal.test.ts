/**
 * A multi-host rehearsal on one machine: two game processes bound to 127.0.0.2 and 127.0.0.3 (standing for
 * two hosts, same port on each), one Redis, one AUTH_SECRET, behind the nginx config the project generates
 * (`hosts` mode: /<host>/<port>/ per process). Players talk to nginx only. nginx balances the HTTP routes
 * round-robin over both hosts; its access log (added here, the generated config logs nothing) says which
 * host answered each request, so the test steers a matchmaking request to the other host and proves it did.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { Client } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { ROOM_ARENA } from "@arena/shared";
import { renderNginxSite, renderStandaloneNginx } from "../src/deploy/nginxConfig.ts";
import {
  freePort, guestToken, holdInput, joinByCode, nginxPrefix, requireBinary, spawnServer, startNginx, startRedis, waitForOwnPlayer, waitForState,
  type ArenaRoomClient, type GameServerProcess, type NginxProcess, type RedisProcess,
} from "@arena/testkit";
import { trustSelfSignedCertificates } from "@arena/testkit/fixtures";

// This file's tests only: trust the self-signed certificate nginxPrefix makes.
trustSelfSignedCertificates();

const HOSTS = ["127.0.0.2", "127.0.0.3"] as const;
type Host = (typeof HOSTS)[number];

let dir: string;
let accessLog: string;
let redis: RedisProcess;
let port: number;
let servers: GameServerProcess[] = [];
let nginx: NginxProcess;
let db: Redis;
let base: string;
const rooms: ArenaRoomClient[] = [];

beforeAll(async () => {
  requireBinary("nginx");
  dir = nginxPrefix("multihost");
  accessLog = join(dir, "access.log");
  redis = await startRedis();
  const tlsPort = await freePort();
  port = await freePort();
  // Same port on both "hosts", as two machines would run it; each tells clients to come back through nginx.
  servers = await Promise.all(HOSTS.map((host) => spawnServer({
    HOST: host, PORT: String(port), REDIS_URL: redis.url, PUBLIC_ADDRESS: `127.0.0.1:${tlsPort}/${host}/${port}`, TRUST_PROXY: "loopback",
  })));
  const conf = join(dir, "nginx.conf");
  const rendered = renderStandaloneNginx({
    ports: [], hosts: HOSTS.map((h) => `${h}:${port}`), listen: `127.0.0.1:${tlsPort}`,
    certificate: join(dir, "cert.pem"), certificateKey: join(dir, "key.pem"),
  }, dir);
  // The site logs paths without their query string; this test tells its probes apart by theirs, so it logs its own way.
  const off = "    access_log off;\n";
  const siteLog = `access_log ${accessLog} arena_noquery;`;
  if (!rendered.includes(off) || !rendered.includes(siteLog)) throw new Error("the rendered nginx.conf no longer logs as this test expects");
  writeFileSync(conf, rendered.replace(off, `    log_format routed '$upstream_addr $request_method $request_uri';\n`).replace(siteLog, `access_log ${accessLog} routed;`));
  base = `https://127.0.0.1:${tlsPort}`;
  nginx = await startNginx(dir, conf, tlsPort, `${base}/health`);
  db = new Redis(redis.url);
}, 60_000);

afterAll(async () => {
  await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
  await nginx?.stop();
  await Promise.all(servers.map((s) => s.kill("SIGTERM")));
  db?.disconnect();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** Requests nginx balanced over the hosts so far: which host answered, and what. */
function balanced(): { host: Host; request: string }[] {
  let text = "";
  try {
    text = readFileSync(accessLog, "utf8");
  } catch {
    return [];
  }
  return text.split("\n").filter(Boolean).flatMap((line) => {
    const [upstream, method, uri] = line.split(" ");
    // Websocket locations (/<host>/<port>/...) go to their own process, not through the balancer.
    if (uri === undefined || HOSTS.some((h) => uri.startsWith(`/${h}/`))) return [];
    const host = HOSTS.find((h) => upstream === `${h}:${port}`);
    return host === undefined ? [] : [{ host, request: `${method} ${uri}` }];
  });
}

/** The host that answered the first `request` logged after the first `after` balanced requests (nginx logs just after it answers). */
async function answeredBy(request: string, after: number): Promise<Host> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const hit = balanced().slice(after).find((r) => r.request === request);
    if (hit !== undefined) return hit.host;
    if (Date.now() > deadline) throw new Error(`nginx logged no "${request}" after request ${after}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let probes = 0;

/**
 * Makes the balancer's next pick `host`: nginx round-robins strictly over two equal upstreams, so after a probe
 * answered by the other host the next request goes to `host`. Each probe is told apart by its query string:
 * nginx writes a request's log line only after answering it, so the log's last line need not be the last pick.
 * Callers check the pick.
 */
async function nextRequestTo(host: Host): Promise<number> {
  for (;;) {
    const from = balanced().length;
    const probe = `/health?probe=${++probes}`;
    expect((await fetch(`${base}${probe}`)).status).toBe(200);
    if ((await answeredBy(`GET ${probe}`, 0)) !== host) return from;
  }
}

/** The host a room lives on, from the address its websocket went to through nginx. */
function hostOf(room: ArenaRoomClient): Host {
  const url = (room.connection.transport as unknown as { ws: { url: string } }).ws.url;
  const host = HOSTS.find((h) => new URL(url).pathname.startsWith(`/${h}/${port}/`));
  if (host === undefined) throw new Error(`websocket went to ${url}, not through a host location of nginx`);
  return host;
}

const other = (host: Host): Host => (host === HOSTS[0] ? HOSTS[1] : HOSTS[0]);

async function playerClient(name: string): Promise<Client> {
  const client = new JoinClient(base);
  client.auth.token = await guestToken(base, name);
  return client;
}

describe("two hosts behind the generated nginx config", () => {
  it("binds each process to its own loopback address only", async () => {
    for (const [i, host] of HOSTS.entries()) {
      const listening = servers[i]!.lines.find((l) => l.includes('"msg":"listening"'));
      expect((JSON.parse(listening!) as { host: string }).host).toBe(host);
      const health = (await (await fetch(`http://${host}:${port}/health`)).json()) as { processId: string };
      expect(health.processId).toBe(servers[i]!.processId);
    }
    // Nothing listens on 127.0.0.1 at that port: each process took its host address, not every address.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it("seats a quick-play player whose matchmaking landed on the other host in the room, and the state flows", async () => {
    const first = await playerClient("hostA");
    const a = (await first.joinOrCreate(ROOM_ARENA, { name: "hostA", mode: "ffa" })) as ArenaRoomClient;
    rooms.push(a);
    a.onMessage("*", () => {});
    await waitForOwnPlayer(a);
    const roomHost = hostOf(a);

    const second = await playerClient("hostB");
    const from = await nextRequestTo(other(roomHost));
    const b = (await second.joinOrCreate(ROOM_ARENA, { name: "hostB", mode: "ffa" })) as ArenaRoomClient;
    rooms.push(b);
    b.onMessage("*", () => {});
    expect(await answeredBy(`POST /matchmake/joinOrCreate/${ROOM_ARENA}`, from)).toBe(other(roomHost));
    expect(b.roomId).toBe(a.roomId);
    expect(hostOf(b)).toBe(roomHost);
    await waitForOwnPlayer(b);

    // The room's process simulates B's inputs and A sees B move: the game runs across the hosts' boundary.
    await waitForState(a, (s) => s.players.has(b.sessionId), 5000, "B in A's state");
    const start = a.state.players.get(b.sessionId)!;
    const [x0, y0] = [start.x, start.y];
    const stop = holdInput(b, () => ({ mx: x0 < 1000 ? 127 : -127, my: y0 < 700 ? 127 : -127 }));
    try {
      await waitForState(a, (s) => {
        const p = s.players.get(b.sessionId);
        return p !== undefined && Math.hypot(p.x - x0, p.y - y0) > 20;
      }, 5000, "B moving in A's state");
    } finally {
      stop();
    }
  }, 30_000);

  it("joins a private room made on one host by its code through the other", async () => {
    const owner = await playerClient("owner");
    const host = (await owner.create(ROOM_ARENA, { name: "owner", private: true })) as ArenaRoomClient;
    rooms.push(host);
    host.onMessage("*", () => {});
    await waitForOwnPlayer(host);
    const roomHost = hostOf(host);
    const listed = await db.hget("roomcaches", host.roomId);
    expect((JSON.parse(listed!) as { processId: string }).processId).toBe(servers[HOSTS.indexOf(roomHost)]!.processId);

    // joinByCode signs in, then asks for the seat: steer the seat request (the second balanced one) to the other host.
    await nextRequestTo(roomHost);
    const from = balanced().length;
    const guest = await joinByCode(base, "guest", { code: host.roomId });
    rooms.push(guest);
    expect(await answeredBy("POST /api/matchmake/code", from)).toBe(other(roomHost));
    expect(guest.roomId).toBe(host.roomId);
    expect(hostOf(guest)).toBe(roomHost);
    await waitForState(host, (s) => s.players.has(guest.sessionId), 5000, "guest seen by the owner");
  }, 30_000);

  it("proxies websockets only to the listed hosts", async () => {
    // A prefix naming an address nginx was not given falls to the balancer and reaches no process at that address.
    const from = balanced().length;
    const res = await fetch(`${base}/127.0.0.1/${port}/health`);
    expect(res.status).toBe(404);
    expect(HOSTS).toContain(await answeredBy(`GET /127.0.0.1/${port}/health`, from));
  });

  it("refuses a process address that is not host:port, so nothing else is written into the config", () => {
    const site = (hosts: string[]): string => renderNginxSite({ ports: [], hosts, listen: "443", certificate: "c", certificateKey: "k" });
    for (const bad of ["10.0.0.2", "10.0.0.2:2567; } server { listen 80", "10.0.0.2:2567/x", "[::1]:2567", ""]) {
      expect(() => site([bad]), bad).toThrow(/must be "host:port"/);
    }
    expect(() => site([])).toThrow(/at least one process/);
  });
});
