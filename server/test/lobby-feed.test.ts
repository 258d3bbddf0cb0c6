/**
 * The lobby's listing feed (lobbyFeed.ts): a `$lobby` notice makes the lobby read the noticed listing only, the
 * notices of a moment read together, never every listing as Colyseus' subscribeLobby does (matchMaker.query: HGETALL
 * of every listing on Redis, for every notice); removals at once, and a read that lands after its room's removal
 * is not passed on.
 */
import { LocalPresence, type IRoomCache } from "@colyseus/core";
import { afterEach, describe, expect, it } from "vitest";
import { LOBBY_CHANNEL } from "../src/colyseusInternals.ts";
import { LOBBY_FEED_BATCH_MS, subscribeListings } from "../src/matchmaking/lobbyFeed.ts";

const listing = (roomId: string, clients: number): IRoomCache => ({ roomId, clients } as unknown as IRoomCache);

/** A store of listings that counts its reads and can hold them until released. */
class Store {
  readonly listings = new Map<string, IRoomCache>();
  readonly reads: string[][] = [];
  hold: Promise<void> | undefined;
  read = async (ids: string[]): Promise<Map<string, IRoomCache>> => {
    this.reads.push([...ids]);
    await this.hold;
    return new Map(ids.flatMap((id) => (this.listings.has(id) ? [[id, this.listings.get(id)!] as const] : [])));
  };
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** Changes heard, in order, and a way to wait for the nth. */
function recorder(): { seen: [string, IRoomCache | null | undefined][]; count(n: number): Promise<void>; onChange(id: string, l: IRoomCache | null | undefined): void } {
  const seen: [string, IRoomCache | null | undefined][] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  return {
    seen,
    onChange(id, l) {
      seen.push([id, l]);
      for (const w of waiting) if (seen.length >= w.n) w.resolve();
    },
    count: (n) => (seen.length >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }))),
  };
}

describe("lobby listing feed", () => {
  it("reads only the listings noticed, the notices of one batch in one read", async () => {
    const presence = new LocalPresence();
    const store = new Store();
    for (let i = 0; i < 50; i++) store.listings.set(`r${i}`, listing(`r${i}`, i));
    const heard = recorder();
    stop = await subscribeListings(presence, store.read, heard.onChange);
    const started = performance.now();
    await presence.publish(LOBBY_CHANNEL, "r3,0");
    await presence.publish(LOBBY_CHANNEL, "r7,0");
    await presence.publish(LOBBY_CHANNEL, "r3,0");
    await heard.count(2);
    expect(store.reads).toEqual([["r3", "r7"]]);
    expect(heard.seen).toEqual([["r3", listing("r3", 3)], ["r7", listing("r7", 7)]]);
    expect(performance.now() - started).toBeLessThan(LOBBY_FEED_BATCH_MS + 1000);
    // A later notice is a read of its own: nothing else of the 50 listings is read.
    await presence.publish(LOBBY_CHANNEL, "r9,0");
    await heard.count(3);
    expect(store.reads).toEqual([["r3", "r7"], ["r9"]]);
  });

  it("passes a removal on at once and drops a listing read that lands after it", async () => {
    const presence = new LocalPresence();
    const store = new Store();
    store.listings.set("a", listing("a", 4));
    store.listings.set("b", listing("b", 5));
    const heard = recorder();
    stop = await subscribeListings(presence, store.read, heard.onChange);
    let release: () => void = () => undefined;
    store.hold = new Promise((r) => (release = r));
    await presence.publish(LOBBY_CHANNEL, "a,0");
    await presence.publish(LOBBY_CHANNEL, "b,0");
    await until(() => store.reads.length === 1);
    // Room a ends while its read is in flight: its removal is heard now, its late listing never.
    await presence.publish(LOBBY_CHANNEL, "a,1");
    expect(heard.seen).toEqual([["a", null]]);
    release();
    await heard.count(2);
    expect(heard.seen).toEqual([["a", null], ["b", listing("b", 5)]]);
  });

  it("ignores garbage on the channel and stops hearing once unsubscribed", async () => {
    const presence = new LocalPresence();
    const store = new Store();
    store.listings.set("c", listing("c", 1));
    const heard = recorder();
    const unsubscribe = await subscribeListings(presence, store.read, heard.onChange);
    await presence.publish(LOBBY_CHANNEL, { not: "a notice" });
    await presence.publish(LOBBY_CHANNEL, ",0");
    await presence.publish(LOBBY_CHANNEL, "c,0");
    await heard.count(1);
    expect(store.reads).toEqual([["c"]]);
    await unsubscribe();
    await presence.publish(LOBBY_CHANNEL, "c,1");
    expect(heard.seen).toEqual([["c", listing("c", 1)]]);
  });
});

/** Resolves once `ready()` holds (checked on each turn of the event loop). */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setImmediate(r));
}
