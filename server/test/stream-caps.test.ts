/**
 * Each kind of event stream has caps of its own (StreamCaps.ts): anonymous viewers filling the public
 * status (or leaderboard) streams cannot take the slots of the personal notification streams, per address
 * or per process, nor the other way round. Clients come from several addresses here (X-Forwarded-For, with
 * the loopback proxy trusted): 2 streams per address and 4 per process, per kind.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HttpErrors } from "@arena/shared";
import { SseReader, guestToken, startTestServer, type RunningServer } from "@arena/testkit";

let server: RunningServer;
const open: SseReader[] = [];

beforeAll(async () => {
  server = await startTestServer({ SSE_MAX_PER_ADDRESS: "2", SSE_MAX_STREAMS: "4", TRUST_PROXY: "loopback" });
});
afterEach(() => {
  for (const r of open.splice(0)) r.close();
});
afterAll(async () => {
  await server?.close();
});

const from = (address: string): Record<string, string> => ({ "x-forwarded-for": address });

type Kind = () => Promise<string>;
const status: Kind = async () => `${server.url}/api/status/stream`;
const leaderboard: Kind = async () => `${server.url}/api/leaderboard/stream`;
/** A signed-in person's notification stream, with a fresh ticket. */
const notifications: Kind = async () => {
  const token = await guestToken(server.url, "reader");
  const res = await fetch(`${server.url}/api/notifications/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  const { ticket } = (await res.json()) as { ticket: string };
  return `${server.url}/api/notifications/stream?ticket=${encodeURIComponent(ticket)}`;
};

/** Opens a stream of `kind` from `address`; fails unless it is accepted. */
async function accepted(kind: Kind, address: string): Promise<SseReader> {
  const r = await SseReader.open(await kind(), from(address));
  open.push(r);
  expect(r.response.status, address).toBe(200);
  return r;
}

/** What a stream of `kind` from `address` is refused with; fails if it is accepted. */
async function refused(kind: Kind, address: string): Promise<{ status: number; error: string; message: string }> {
  const res = await fetch(await kind(), { headers: from(address) });
  expect(res.status, address).not.toBe(200);
  return { status: res.status, ...((await res.json()) as { error: string; message: string }) };
}

/** Opens streams until the server's side holds them all (each answered 200 with its first event). */
async function fill(kind: Kind, addresses: string[]): Promise<void> {
  for (const a of addresses) {
    const r = await accepted(kind, a);
    await r.until(() => r.events.length > 0, "the first event");
  }
}

/** Opens a stream once the server has released the slots of closed ones (it sees their sockets close a moment after us). */
async function released(kind: Kind, address: string, timeoutMs = 5000): Promise<SseReader> {
  for (const until = Date.now() + timeoutMs; ;) {
    const r = await SseReader.open(await kind(), from(address));
    if (r.response.status === 200) {
      open.push(r);
      return r;
    }
    r.close();
    if (Date.now() > until) throw new Error(`no ${address} stream accepted within ${timeoutMs} ms: ${r.response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("stream caps per kind", () => {
  it("status viewers at the process cap (4) are refused 503 busy, while a person's notification stream and the leaderboard still open", async () => {
    await fill(status, ["10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2"]);
    expect(await refused(status, "10.0.0.3")).toMatchObject({ status: 503, error: HttpErrors.BUSY });
    const note = await accepted(notifications, "10.0.0.3");
    await note.until(() => note.events.some((e) => e.event === "inbox"), "the inbox event");
    await accepted(leaderboard, "10.0.0.3");
  });

  it("notification streams at the process cap are refused 503 busy, while anonymous status streams still open", async () => {
    await fill(notifications, ["10.0.1.1", "10.0.1.1", "10.0.1.2", "10.0.1.2"]);
    expect(await refused(notifications, "10.0.1.3")).toMatchObject({ status: 503, error: HttpErrors.BUSY });
    // The status streams of the test before are closed on our side; the server frees them a moment later.
    const s = await released(status, "10.0.1.3");
    await s.until(() => s.events.some((e) => e.event === "history"), "the history event");
  });

  it("one address at its cap of status streams (2) is refused 429, and may still open its notification stream; closed slots are taken again", async () => {
    await released(status, "10.0.2.1");
    await fill(status, ["10.0.2.1"]);
    const third = await refused(status, "10.0.2.1");
    expect(third.status).toBe(429);
    expect(third.message).toContain("too many open status streams from your address");
    await released(notifications, "10.0.2.1");
    for (const r of open.splice(0)) r.close();
    await released(status, "10.0.2.1");
  });
});
