/** The operators' monitor panel is behind basic auth, and absent without a password. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/app.ts";
import { joinArena, startTestServer } from "@arena/testkit";

const PASSWORD = "monitor-password-0123";
let withPanel: RunningServer;
let without: RunningServer;

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

beforeAll(async () => {
  withPanel = await startTestServer({ MONITOR_PASSWORD: PASSWORD });
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
});
