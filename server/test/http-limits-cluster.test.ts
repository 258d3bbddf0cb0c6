/**
 * Per-address limits shared by two processes through a real redis-server: a
 * client that spreads its requests over A and B still gets only one budget.
 * Both processes trust 127.0.0.1 as their proxy (TRUST_PROXY), as behind
 * nginx: a request through the proxy is counted under the address the proxy
 * names, and a forged header from any other peer is ignored.
 */
import { request, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpErrors } from "@arena/shared";
import { spawnServer, startRedis, type RedisProcess, type ServerProcess } from "./processes.ts";

const LIMIT = 4;

let redis: RedisProcess;
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  redis = await startRedis();
  const env = {
    REDIS_URL: redis.url,
    RATE_LIMITS: "on",
    RATE_LIMIT_SIGNIN: `${LIMIT}/60`,
    RATE_LIMIT_MATCHMAKE: `${LIMIT}/60`,
    RATE_LIMIT_LEADERBOARD: `${LIMIT}/60`,
    TRUST_PROXY: "127.0.0.1",
  };
  [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
}, 30_000);
afterAll(async () => {
  await Promise.all([a, b].filter(Boolean).map((p) => p.kill("SIGTERM")));
  await redis?.stop();
}, 30_000);

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(url: string, opts: { method?: string; from?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", localAddress: opts.from ?? "127.0.0.1", headers: opts.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** `n` requests one after another, alternating between A and B. */
async function alternate(n: number, path: string, opts: Parameters<typeof send>[1] = {}): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await send(`${(i % 2 === 0 ? a : b).url}${path}`, opts)).status);
  return statuses;
}

const signIn = (client: string): Parameters<typeof send>[1] => ({
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
