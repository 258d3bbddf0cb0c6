/**
 * One CORS policy for every route: with CORS_ORIGINS set, an origin not listed gets no
 * Access-Control-Allow-Origin from any route, Colyseus' /matchmake included (preflight or not), and a listed
 * one gets it with credentials (the SDK fetches with credentials: "include"); unset, any origin may call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOM_ARENA } from "@arena/shared";
import { guestToken, startTestServer, type RunningServer } from "@arena/testkit";

const GOOD = "https://play.example";
const EVIL = "https://evil.example";
let listed: RunningServer;
let token: string;

beforeAll(async () => {
  listed = await startTestServer({ CORS_ORIGINS: `${GOOD}, https://other.example` });
  token = await guestToken(listed.url, "cors");
});

afterAll(async () => {
  await listed?.close();
});

/** One request of each kind a page makes: matchmaking, the API, a stream, health; preflights and the real ones. */
interface Probe { what: string; init: RequestInit; path: string }

function requests(url: string): Probe[] {
  const json = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const probes: Probe[] = [
    { what: "matchmake preflight", path: `/matchmake/joinOrCreate/${ROOM_ARENA}`, init: { method: "OPTIONS", headers: { "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } } },
    { what: "matchmake", path: `/matchmake/joinOrCreate/${ROOM_ARENA}`, init: { method: "POST", headers: json, body: JSON.stringify({ name: "cors" }) } },
    { what: "matchmake refused", path: `/matchmake/joinOrCreate/${ROOM_ARENA}`, init: { method: "POST", headers: { "content-type": "application/json" }, body: "{}" } },
    { what: "api preflight", path: "/api/auth/guest", init: { method: "OPTIONS", headers: { "access-control-request-method": "POST" } } },
    { what: "sign-in", path: "/api/auth/guest", init: { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "x" }) } },
    { what: "code join", path: "/api/matchmake/code", init: { method: "POST", headers: json, body: JSON.stringify({ code: "ZZZZZZ" }) } },
    { what: "leaderboard", path: "/api/leaderboard", init: {} },
    { what: "health", path: "/health", init: {} },
    { what: "metrics", path: "/metrics", init: {} },
  ];
  return probes.map((r) => ({ ...r, path: `${url}${r.path}` }));
}

async function corsOf(path: string, init: RequestInit, origin: string): Promise<{ status: number; allowOrigin: string | null; credentials: string | null }> {
  const res = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), origin } });
  await res.body?.cancel();
  return { status: res.status, allowOrigin: res.headers.get("access-control-allow-origin"), credentials: res.headers.get("access-control-allow-credentials") };
}

describe("CORS", () => {
  it("gives an origin not in CORS_ORIGINS no Access-Control-Allow-Origin on any route, /matchmake included", async () => {
    for (const { what, path, init } of requests(listed.url)) {
      const answer = await corsOf(path, init, EVIL);
      expect(answer, what).toMatchObject({ allowOrigin: null, credentials: null });
    }
  });

  it("gives a listed origin Access-Control-Allow-Origin with credentials on every route, and the matchmaking still works", async () => {
    for (const { what, path, init } of requests(listed.url)) {
      const answer = await corsOf(path, init, GOOD);
      expect(answer, what).toMatchObject({ allowOrigin: GOOD, credentials: "true" });
      if (what === "matchmake") expect(answer.status).toBe(200);
    }
    const preflight = await fetch(`${listed.url}/matchmake/create/${ROOM_ARENA}`, { method: "OPTIONS", headers: { origin: GOOD, "access-control-request-method": "POST" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/authorization/i);
    expect(preflight.headers.get("vary")).toMatch(/origin/i);
  });

  it("lets any origin call when CORS_ORIGINS is unset (the documented default)", async () => {
    const open = await startTestServer();
    try {
      const answer = await corsOf(`${open.url}/matchmake/joinOrCreate/${ROOM_ARENA}`, { method: "OPTIONS" }, EVIL);
      expect(answer).toMatchObject({ status: 204, allowOrigin: EVIL, credentials: "true" });
      expect(await corsOf(`${open.url}/api/leaderboard`, {}, EVIL)).toMatchObject({ allowOrigin: EVIL });
    } finally {
      await open.close();
    }
  });
});
