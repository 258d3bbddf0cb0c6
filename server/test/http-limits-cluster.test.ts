/**
 * Per-address limits shared by two processes through a real redis-server: a
 * client that spreads its requests over A and B still gets only one budget.
 * Both processes trust 127.0.0.1 as their proxy (TRUST_PROXY), as behind
 * nginx: a request through the proxy is counted under the address the proxy
 * names, and a forged header from any other peer is ignored. Last, the
 * generated nginx config in front of both (TLS, round robin): real client
 * addresses, the API and the leaderboard stream location alike.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpErrors } from "@arena/shared";
import { renderStandaloneNginx } from "../src/deploy/nginxConfig.ts";
import { sendFrom as send, type SendOptions, freePort, nginxPrefix, requireBinary, spawnServer, startNginx, startRedis, type NginxProcess, type RedisProcess, type GameServerProcess } from "@arena/testkit";

const LIMIT = 4;

let redis: RedisProcess;
let a: GameServerProcess;
let b: GameServerProcess;
let dir: string;
let nginx: NginxProcess;
let base: string;

beforeAll(async () => {
  requireBinary("nginx");
  redis = await startRedis();
  const env = {
    REDIS_URL: redis.url,
    RATE_LIMITS: "on",
    RATE_LIMIT_SIGNIN: `${LIMIT}/60`,
    RATE_LIMIT_MATCHMAKE: `${LIMIT}/60`,
    RATE_LIMIT_LEADERBOARD: `${LIMIT}/60`,
    RATE_LIMIT_SSE_CONNECT: `${LIMIT}/60`,
    TRUST_PROXY: "127.0.0.1",
  };
  const ports = [await freePort(), await freePort()];
  [a, b] = await Promise.all([spawnServer({ ...env, PORT: String(ports[0]) }), spawnServer({ ...env, PORT: String(ports[1]) })]);

  dir = nginxPrefix("limits");
  const tlsPort = await freePort();
  const conf = join(dir, "nginx.conf");
  // Listening on every address, so clients can come from 127.0.0.x addresses of their own.
  writeFileSync(conf, renderStandaloneNginx({ ports, listen: String(tlsPort), certificate: join(dir, "cert.pem"), certificateKey: join(dir, "key.pem") }, dir));
  base = `https://127.0.0.1:${tlsPort}`;
  nginx = await startNginx(dir, conf, tlsPort, `http://127.0.0.1:${a.port}/health`);
}, 30_000);
afterAll(async () => {
  await nginx?.stop();
  await Promise.all([a, b].filter(Boolean).map((p) => p.kill("SIGTERM")));
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** `n` requests one after another, alternating between A and B. */
async function alternate(n: number, path: string, opts: SendOptions = {}): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await send(`${(i % 2 === 0 ? a : b).url}${path}`, opts)).status);
  return statuses;
}

const signIn = (client: string): SendOptions => ({
  method: "POST",
  headers: { "content-type": "application/json", "x-forwarded-for": client },
  body: '{"name":"ada"}',
});

describe("limits shared by two processes on one Redis", () => {
  it("refuses sign-ins spread over A and B once their sum passes the limit", async () => {
    const statuses = await alternate(LIMIT + 2, "/api/auth/guest", signIn("198.51.100.1"));
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429, 429]);
    // The refusal is the same on both processes.
    const refused = await send(`${b.url}/api/auth/guest`, signIn("198.51.100.1"));
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ error: HttpErrors.RATE_LIMITED });
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("refuses Colyseus' matchmaking requests spread over A and B the same way", async () => {
    const statuses = await alternate(LIMIT + 2, "/matchmake/joinOrCreate/arena", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.2" },
      body: "{}",
    });
    expect(statuses.slice(0, LIMIT)).not.toContain(429);
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
  });

  it("leaves other client addresses behind the same proxy unaffected", async () => {
    await alternate(LIMIT + 1, "/api/leaderboard", { headers: { "x-forwarded-for": "198.51.100.3" } });
    expect(await alternate(LIMIT, "/api/leaderboard", { headers: { "x-forwarded-for": "198.51.100.4" } })).toEqual(Array<number>(LIMIT).fill(200));
  });

  it("ignores X-Forwarded-For from a peer that is not the trusted proxy: a new forged address per request still counts as that peer", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const target = i % 2 === 0 ? a : b;
      statuses.push((await send(`${target.url}/api/leaderboard`, { from: "127.0.0.2", headers: { "x-forwarded-for": `203.0.113.${i}` } })).status);
    }
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429, 429]);
  });

  it("takes the address the trusted proxy appended, not one the client prepended", async () => {
    // nginx's $proxy_add_x_forwarded_for keeps what the client sent and appends the address it saw.
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) {
      statuses.push((await send(`${a.url}/api/leaderboard`, { headers: { "x-forwarded-for": `10.9.9.${i}, 198.51.100.5` } })).status);
    }
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429]);
  });
});

describe("behind the generated nginx config", () => {
  it("counts each real client address through nginx, whatever X-Forwarded-For the client forges", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      statuses.push((await send(`${base}/api/auth/guest`, { from: "127.0.0.12", ...signIn(`203.0.113.${i}`) })).status);
    }
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429, 429]);
    expect((await send(`${base}/api/auth/guest`, { from: "127.0.0.13", ...signIn("203.0.113.1") })).status).toBe(200);
  });

  it("counts leaderboard stream connections per real client address through nginx's stream location", async () => {
    const open = async (from: string): Promise<number> => (await send(`${base}/api/leaderboard/stream`, { from, headOnly: true })).status;
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) statuses.push(await open("127.0.0.14"));
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429]);
    expect(await open("127.0.0.15")).toBe(200);
  });
});
