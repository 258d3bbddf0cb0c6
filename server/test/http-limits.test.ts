/**
 * Per-address HTTP limits on one process (in memory): every limited route
 * answers 429 with Retry-After and a JSON error once its budget is spent,
 * while another address is served; a forged X-Forwarded-For from a peer that
 * is not a trusted proxy buys nothing; leaderboard streams are capped per
 * address and per process, a closed stream frees its slot, and a stream whose
 * reader stops reading is dropped. Other addresses are real ones: the whole
 * of 127.0.0.0/8 is loopback, so a request can leave from 127.0.0.2.
 */
import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpErrors } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { limitKey } from "../src/limits/clientAddress.ts";
import { RateLimits } from "../src/limits/RateLimits.ts";
import { createLogger, type LogFields, type Logger } from "../src/log.ts";
import { guestToken, readMetrics, startTestServer, sendFrom as send, type Reply, freePort, TEST_SECRET } from "@arena/testkit";

const LIMIT = 3;

/** A logger that also keeps every line, so a test can wait for one. */
function recordingLogger(): { log: Logger; until(msg: string, timeoutMs: number): Promise<LogFields> } {
  const lines: { msg: string; fields: LogFields }[] = [];
  const waiters: (() => void)[] = [];
  const quiet = createLogger(process.env.TEST_LOG ? "debug" : "silent");
  const make = (base: LogFields): Logger => {
    const keep = (level: "debug" | "info" | "warn" | "error") => (msg: string, fields: LogFields = {}) => {
      quiet[level](msg, { ...base, ...fields });
      lines.push({ msg, fields: { ...base, ...fields } });
      for (const w of waiters.splice(0)) w();
    };
    return { debug: keep("debug"), info: keep("info"), warn: keep("warn"), error: keep("error"), child: (f) => make({ ...base, ...f }) };
  };
  return {
    log: make({}),
    until: (msg, timeoutMs) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${msg}" log line within ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        const hit = lines.find((l) => l.msg === msg);
        if (hit === undefined) waiters.push(check);
        else {
          clearTimeout(timer);
          resolve(hit.fields);
        }
      };
      check();
    }),
  };
}

/** Opens a leaderboard stream and resolves at its response head; the stream stays open until `close()`. */
function openStream(url: string, from: string): Promise<{ res: IncomingMessage; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/leaderboard/stream`, { localAddress: from, agent: false }, (res) => {
      resolve({
        res,
        close: () => new Promise((done) => {
          res.once("close", () => done());
          req.destroy();
        }),
      });
    });
    req.on("error", reject);
    req.end();
  });
}

let server: RunningServer;
let token: string;
const recorder = recordingLogger();

beforeAll(async () => {
  server = await startTestServer({
    RATE_LIMITS: "on",
    RATE_LIMIT_SIGNIN: `${LIMIT}/60`,
    RATE_LIMIT_CODE_JOIN: `${LIMIT}/60`,
    RATE_LIMIT_SPECTATE: `${LIMIT}/60`,
    RATE_LIMIT_LEADERBOARD: `${LIMIT}/60`,
    RATE_LIMIT_SSE_CONNECT: "100/60",
    RATE_LIMIT_MATCHMAKE: `${LIMIT}/60`,
    RATE_LIMIT_MAPS: `${LIMIT}/60`,
    SSE_MAX_PER_ADDRESS: "2",
    SSE_MAX_STREAMS: "3",
    SSE_STALL_S: "1",
  }, { log: recorder.log });
  // A token for the routes that want one, signed in from an address the route tests do not use.
  token = (JSON.parse((await send(`${server.url}/api/auth/guest`, { method: "POST", from: "127.0.0.99", headers: { "content-type": "application/json" }, body: '{"name":"t"}' })).body) as { token: string }).token;
});
afterAll(async () => {
  await server?.close();
});

const json = { "content-type": "application/json" };
const ROUTES: { name: string; limit: string; path: string; method: string; headers?: () => Record<string, string>; body?: string }[] = [
  { name: "guest sign-in", limit: "signIn", path: "/api/auth/guest", method: "POST", headers: () => json, body: '{"name":"ada"}' },
  { name: "join by code (a walk over codes)", limit: "codeJoin", path: "/api/matchmake/code", method: "POST", headers: () => ({ ...json, authorization: `Bearer ${token}` }), body: '{"code":"ZZZZZZ"}' },
  { name: "spectate", limit: "spectate", path: "/api/matchmake/spectate", method: "POST", headers: () => ({ ...json, authorization: `Bearer ${token}` }), body: '{"roomId":"nope"}' },
  { name: "leaderboard read", limit: "leaderboard", path: "/api/leaderboard", method: "GET" },
  { name: "published map read", limit: "maps", path: "/api/maps/no-such-map/1", method: "GET" },
  { name: "Colyseus' matchmaking route", limit: "matchmake", path: "/matchmake/joinOrCreate/arena", method: "POST", headers: () => ({ ...json, authorization: `Bearer ${token}` }), body: '{"name":"ada"}' },
];

/** arena_http_rate_limited_total for one limited route, from the server's /metrics. */
async function rateLimitedCount(route: string): Promise<number> {
  return (await readMetrics(server.url)).value("arena_http_rate_limited_total", { route });
}

describe("per-address HTTP limits on one process", () => {
  ROUTES.forEach((route, i) => {
    it(`refuses the ${route.name} past ${LIMIT} requests per address with 429, Retry-After and JSON, counts it in /metrics, and serves another address`, async () => {
      // Each route gets its own pair of addresses, so the cases do not share budgets.
      const mine = `127.0.1.${i + 1}`;
      const other = `127.0.2.${i + 1}`;
      const go = (from: string): Promise<Reply> => send(`${server.url}${route.path}`, { method: route.method, from, headers: route.headers?.(), body: route.body });
      const refusals = (): Promise<number> => rateLimitedCount(route.limit);
      const before = await refusals();
      const first = await Promise.all(Array.from({ length: LIMIT }, () => go(mine)));
      for (const r of first) expect(r.status, r.body).not.toBe(429);
      expect(await refusals()).toBe(before);
      const refused = await go(mine);
      expect(await refusals()).toBe(before + 1);
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers["content-type"]).toMatch(/^application\/json/);
      expect(JSON.parse(refused.body)).toEqual({ error: HttpErrors.RATE_LIMITED, message: expect.stringMatching(/try again in \d+ s/) });
      expect((await go(other)).status).not.toBe(429);
    });
  });

  it("lets a valid sign-in through at once from an address under its budget", async () => {
    // The shared helper signs in from 127.0.0.1, which no other case here uses for sign-in.
    expect(await guestToken(server.url, "fresh")).toMatch(/\./);
  });

  it("gives nothing for a forged X-Forwarded-For when no proxy is trusted", async () => {
    const from = "127.0.3.1";
    const replies: Reply[] = [];
    for (let i = 0; i < LIMIT + 3; i++) {
      replies.push(await send(`${server.url}/api/leaderboard`, { from, headers: { "x-forwarded-for": `203.0.113.${i}`, "x-real-ip": `198.51.100.${i}` } }));
    }
    expect(replies.map((r) => r.status)).toEqual([...Array<number>(LIMIT).fill(200), 429, 429, 429]);
  });
});

describe("leaderboard stream caps", () => {
  it("caps open streams per address (429) and per process (503 busy), and frees a slot when a stream closes", async () => {
    const a1 = await openStream(server.url, "127.0.4.1");
    const a2 = await openStream(server.url, "127.0.4.1");
    expect([a1.res.statusCode, a2.res.statusCode]).toEqual([200, 200]);
    const a3 = await send(`${server.url}/api/leaderboard/stream`, { from: "127.0.4.1" });
    expect(a3.status).toBe(429);
    expect(JSON.parse(a3.body)).toMatchObject({ error: HttpErrors.RATE_LIMITED });
    expect(Number(a3.headers["retry-after"])).toBeGreaterThan(0);

    const b1 = await openStream(server.url, "127.0.4.2");
    expect(b1.res.statusCode).toBe(200);
    const c1 = await send(`${server.url}/api/leaderboard/stream`, { from: "127.0.4.3" });
    expect(c1.status).toBe(503);
    expect(JSON.parse(c1.body)).toMatchObject({ error: HttpErrors.BUSY });
    expect(Number(c1.headers["retry-after"])).toBeGreaterThan(0);

    // A client that goes away gives its slot back.
    await a1.close();
    const c2 = await openStream(server.url, "127.0.4.3");
    expect(c2.res.statusCode).toBe(200);
    await Promise.all([a2.close(), b1.close(), c2.close()]);
  });

  it("drops a stream whose reader stops reading once its socket stays full for SSE_STALL_S", async () => {
    const stalled = await openStream(server.url, "127.0.5.1");
    expect(stalled.res.statusCode).toBe(200);
    stalled.res.pause();
    // Large boards, pushed until the socket to the paused reader is full.
    const big = "x".repeat(4000);
    let n = 0;
    const pushing = setInterval(() => {
      void server.backend.leaderboard.credit([{ userId: `stall${n % 20}`, name: `${big}${n++}`, points: 1 }]);
    }, 5);
    try {
      const dropped = await recorder.until("leaderboard stream dropped: its reader stopped reading", 20_000);
      expect(dropped).toMatchObject({ address: "127.0.5.1" });
    } finally {
      clearInterval(pushing);
    }
    // Its slot is free again: the address may open two streams.
    const again = [await openStream(server.url, "127.0.5.1"), await openStream(server.url, "127.0.5.1")];
    expect(again.map((s) => s.res.statusCode)).toEqual([200, 200]);
    await Promise.all(again.map((s) => s.close()));
    stalled.res.destroy();
  });
});

describe("limits while Redis is unreachable", () => {
  it("answers at once and keeps limiting, in this process' memory", async () => {
    // REDIS_URL names a port where nothing listens.
    const limits = RateLimits.create(loadConfig({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, AUTH_SECRET: TEST_SECRET, RATE_LIMIT_SIGNIN: "2/60" }), createLogger("silent"));
    const http = createServer((req, res) => {
      void limits.admit("signIn", req, res).then((ok) => ok && res.end("ok"));
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
      const started = performance.now();
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await send(url, { from: "127.0.8.1" })).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      http.close();
      await limits.close();
    }
  });
});

describe("limit keys and settings", () => {
  it("counts IPv4 and IPv4-mapped addresses alike, and IPv6 by its /64", () => {
    expect(limitKey("203.0.113.7")).toBe("203.0.113.7");
    expect(limitKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(limitKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(limitKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(limitKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(limitKey("::1")).toBe("0:0:0:0::/64");
  });

  it("refuses bad limit and proxy settings at start with a message naming the variable", () => {
    const bad = (env: Record<string, string>): string => {
      try {
        loadConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(env)}`);
    };
    expect(bad({ RATE_LIMIT_SIGNIN: "lots" })).toMatch(/^RATE_LIMIT_SIGNIN must be "N\/S"/);
    expect(bad({ RATE_LIMIT_MATCHMAKE: "0/60" })).toMatch(/^RATE_LIMIT_MATCHMAKE/);
    expect(bad({ RATE_LIMIT_LEADERBOARD: "10/0" })).toMatch(/^RATE_LIMIT_LEADERBOARD/);
    expect(bad({ RATE_LIMITS: "maybe" })).toMatch(/^RATE_LIMITS/);
    expect(bad({ TRUST_PROXY: "true" })).toMatch(/^TRUST_PROXY must name the proxies/);
    expect(bad({ TRUST_PROXY: "not-an-address" })).toMatch(/^TRUST_PROXY/);
    expect(bad({ TRUST_PROXY: "0" })).toMatch(/^TRUST_PROXY/);
    expect(bad({ SSE_MAX_PER_ADDRESS: "0" })).toMatch(/^SSE_MAX_PER_ADDRESS/);
    expect(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8" }).trustProxy).toEqual({ kind: "addresses", addresses: ["loopback", "10.0.0.0/8"] });
    expect(loadConfig({ TRUST_PROXY: "1" }).trustProxy).toEqual({ kind: "hops", hops: 1 });
    expect(loadConfig({}).rateLimits.signIn).toEqual({ points: 20, seconds: 60 });
    expect(loadConfig({ RATE_LIMITS: "off" }).rateLimits.signIn).toBeUndefined();
    expect(loadConfig({ RATE_LIMIT_SPECTATE: "off" }).rateLimits.spectate).toBeUndefined();
  });
});
