/**
 * Whole frames (server/src/wholeFrames.ts): a binary message leaves as one socket write holding the frame `ws`
 * would have written, which `ws`' own client reads back byte for byte at every length encoding; whatever `ws`
 * would not write at once (a callback, permessage-deflate, a text message) still goes through `ws`, in order.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { hasWholeFrameInternals, wholeFrame, writeWholeFrames } from "../src/wholeFrames.ts";

interface Pair {
  server: WebSocket;
  client: WebSocket;
  /** Every chunk the server's socket was asked to write, from the moment the pair is open. */
  writes: Buffer[];
  received: Array<{ data: Buffer; binary: boolean }>;
  close(): Promise<void>;
}

const open: Pair[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

async function pair(options: { perMessageDeflate?: boolean } = {}): Promise<Pair> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: options.perMessageDeflate ?? false });
  writeWholeFrames(wss);
  await new Promise<void>((r) => wss.once("listening", r));
  const connected = new Promise<WebSocket>((r) => wss.once("connection", r));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: options.perMessageDeflate ?? false });
  const server = await connected;
  await new Promise<void>((r) => (client.readyState === WebSocket.OPEN ? r() : client.once("open", () => r())));
  const received: Pair["received"] = [];
  client.on("message", (data: RawData, binary: boolean) => received.push({ data: Buffer.from(data as Buffer), binary }));
  const writes: Buffer[] = [];
  const socket = (server as unknown as { _socket: { write(chunk: Uint8Array, ...rest: unknown[]): boolean } })._socket;
  const write = socket.write;
  socket.write = function (this: unknown, chunk: Uint8Array, ...rest: unknown[]): boolean {
    writes.push(Buffer.from(chunk));
    return write.call(this, chunk, ...rest);
  };
  const p: Pair = {
    server, client, writes, received,
    close: async () => {
      client.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
  open.push(p);
  return p;
}

const until = (what: string, ok: () => boolean, p: Pair): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 5000);
    const check = (): void => {
      if (ok()) {
        clearTimeout(timer);
        p.client.off("message", check);
        resolve();
      }
    };
    p.client.on("message", check);
    check();
  });

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe("whole frames", () => {
  it("the installed ws has the private parts the whole-frame send reads", async () => {
    const { server } = await pair();
    expect(hasWholeFrameInternals(server)).toBe(true);
    expect(hasWholeFrameInternals({})).toBe(false);
  });

  it("each binary message is one socket write of ws' frame, and ws' client reads every length encoding back byte for byte", async () => {
    const p = await pair();
    // 7-bit lengths (0, 1, 125), 16-bit (126, 200, 65535), 64-bit (65536, 70000); a view into a larger buffer too.
    const sizes = [0, 1, 125, 126, 200, 65535, 65536, 70000];
    const sent = sizes.map((n, i) => bytes(n, i));
    const view = bytes(300, 9).subarray(50, 250);
    sent.push(view);
    for (const m of sent) {
      const before = p.writes.length;
      p.server.send(m, { binary: true });
      expect(p.writes.length - before).toBe(1);
      expect(p.writes.at(-1)).toEqual(wholeFrame(m));
    }
    await until("every message", () => p.received.length === sent.length, p);
    expect(p.received.map((r) => r.binary)).toEqual(sent.map(() => true));
    expect(p.received.map((r) => [...r.data])).toEqual(sent.map((m) => [...m]));
    // The header is the one RFC 6455 gives: FIN + binary, then the length in 7, 7+16 or 7+64 bits, unmasked.
    expect([...wholeFrame(bytes(125, 0)).subarray(0, 2)]).toEqual([0x82, 125]);
    expect([...wholeFrame(bytes(126, 0)).subarray(0, 4)]).toEqual([0x82, 126, 0, 126]);
    expect([...wholeFrame(bytes(65536, 0)).subarray(0, 10)]).toEqual([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it("a send with a callback, a text message and a ping go through ws, in order with the whole frames around them", async () => {
    const p = await pair();
    const pinged = new Promise<void>((r) => p.client.once("ping", () => r()));
    let called = false;
    p.server.send(bytes(10, 1));
    p.server.send(bytes(10, 2), { binary: true }, () => (called = true));
    p.server.send("text between");
    p.server.ping();
    p.server.send(bytes(10, 3));
    await until("four messages", () => p.received.length === 4, p);
    await pinged;
    expect(p.received.map((r) => (r.binary ? r.data[0] : r.data.toString()))).toEqual([bytes(10, 1)[0], bytes(10, 2)[0], "text between", bytes(10, 3)[0]]);
    expect(called).toBe(true);
    // ws' own path writes a header and a payload apart (corked): the callback's message was not written whole.
    expect(p.writes.some((w) => w.equals(wholeFrame(bytes(10, 2))))).toBe(false);
  });

  it("with permessage-deflate every message goes through ws, so a message compressed out of turn cannot be overtaken", async () => {
    const p = await pair({ perMessageDeflate: true });
    // A large compressible message is deflated asynchronously: the small one after it must still arrive after it.
    const large = new Uint8Array(200_000).fill(7);
    p.server.send(large);
    p.server.send(bytes(10, 4));
    await until("both messages", () => p.received.length === 2, p);
    expect(p.received.map((r) => r.data.length)).toEqual([200_000, 10]);
    expect(p.writes.some((w) => w.equals(wholeFrame(bytes(10, 4))))).toBe(false);
  });
});
