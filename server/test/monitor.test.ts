/** The operators' monitor panel is behind basic auth with a per-address budget of failed logins, and absent without a password. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/app.ts";
import { joinArena, sendFrom, startTestServer } from "@arena/testkit";

const PASSWORD = "monitor-password-0123";
/** Wrong passwords allowed per address per window (short, so the test sees the window pass). */
const FAILURES = 3;
const WINDOW_S = 2;
let withPanel: RunningServer;
let without: RunningServer;

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

beforeAll(async () => {
  // startTestServer turns RATE_LIMITS off: the monitor's budget stays on regardless.
  withPanel = await startTestServer({ MONITOR_PASSWORD: PASSWORD, RATE_LIMIT_MONITOR_LOGIN: `${FAILURES}/${WINDOW_S}` });
  without = await startTestServer();
});
afterAll(async () => {
  await withPanel.close();
  await without.close();
});

describe("monitor panel", () => {
  it("asks for credentials and refuses wrong ones", async () => {
    const anonymous = await fetch(`${withPanel.url}/colyseus/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect((await fetch(`${withPanel.url}/colyseus/`, { headers: { authorization: basic("admin", "wrong") } })).status).toBe(401);
    expect((await fetch(`${withPanel.url}/colyseus/`, { headers: { authorization: basic("root", PASSWORD) } })).status).toBe(401);
  });

  it("serves the panel with the right credentials", async () => {
    const res = await fetch(`${withPanel.url}/colyseus/`, { headers: { authorization: basic("admin", PASSWORD) } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<html|<!doctype/i);
  });

  it("lists the process's rooms through its API", async () => {
    const { room } = await joinArena(withPanel.url, "watched");
    const res = await fetch(`${withPanel.url}/colyseus/api`, { headers: { authorization: basic("admin", PASSWORD) } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rooms: Array<{ name: string; clients: number }> };
    expect(body.rooms).toEqual([expect.objectContaining({ name: "arena", clients: 1 })]);
    await room.leave();
  });

  it("is not mounted without MONITOR_PASSWORD", async () => {
    const res = await fetch(`${without.url}/colyseus/`, { headers: { authorization: basic("admin", PASSWORD) } });
    expect(res.status).toBe(404);
  });

  it("locks an address out after RATE_LIMIT_MONITOR_LOGIN wrong passwords: even the right one is 429 until the window passes, while other addresses log in", async () => {
    const api = `${withPanel.url}/colyseus/api`;
    const guesser = "127.0.2.1";
    const operator = "127.0.2.2";
    const as = (from: string, password: string) => sendFrom(api, { from, headers: { authorization: basic("admin", password) } });
    // The operator's own requests, right password, do not spend the budget however many there are.
    for (let i = 0; i < FAILURES + 2; i++) expect((await as(operator, PASSWORD)).status).toBe(200);
    for (let i = 0; i < FAILURES; i++) expect((await as(guesser, `guess-${i}`)).status).toBe(401);
    const locked = await as(guesser, PASSWORD);
    expect(locked.status).toBe(429);
    expect(JSON.parse(locked.body)).toMatchObject({ error: "rate_limited" });
    const retryAfter = Number(locked.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_S);
    expect((await as(guesser, "another-guess")).status).toBe(429);
    // Another address is not affected.
    expect((await as(operator, PASSWORD)).status).toBe(200);
    expect((await as(operator, "one-typo")).status).toBe(401);
    expect((await as(operator, PASSWORD)).status).toBe(200);
    // The window is what is under test here: wait as long as the server said.
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    expect((await as(guesser, PASSWORD)).status).toBe(200);
  });
});
