/**
 * The open-room index on its own, against a real redis-server: which listings it holds and with what score,
 * that an unchanged listing costs no write (counted by Redis), that another process's listing is removed
 * from both of its sets, that a forgotten index (Redis restarted) is written again, and what a read returns.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { IRoomCache } from "@colyseus/core";
import { OpenRoomIndex } from "../src/matchmaking/OpenRoomIndex.ts";
import { startRedis, type RedisProcess } from "@arena/testkit";

let redis: RedisProcess;
let db: Redis;
let index: OpenRoomIndex;
const FFA = `arena:open:arena:${JSON.stringify({ mode: "ffa" })}`;
const ANY = "arena:open:arena:{}";

beforeAll(async () => {
  redis = await startRedis();
  db = new Redis(redis.url);
  index = new OpenRoomIndex(db);
  index.serve("arena", ["mode"], { players: -1 });
});

afterAll(async () => {
  db?.disconnect();
  await redis?.stop();
});

function listing(roomId: string, players: number, more: Partial<IRoomCache> = {}, mode = "ffa"): IRoomCache {
  return { roomId, name: "arena", processId: "p1", clients: players, maxClients: 16, locked: false, private: false, metadata: { mode, players }, ...more } as unknown as IRoomCache;
}

async function zaddCalls(): Promise<number> {
  return Number(/^cmdstat_zadd:calls=(\d+)/m.exec(await db.info("commandstats"))?.[1] ?? 0);
}

describe("the open-room index", () => {
  it("holds open public rooms by people seated, in the mode's set and the any-mode set", async () => {
    await index.listed(listing("A", 2));
    expect(await db.zscore(FFA, "A")).toBe("2");
    expect(await db.zscore(ANY, "A")).toBe("2");
    await index.listed(listing("A", 5));
    expect(await db.zscore(FFA, "A")).toBe("5");
    await index.listed(listing("P", 1, { private: true }));
    expect(await db.zscore(ANY, "P")).toBeNull();
    await index.listed(listing("A", 16, { locked: true }));
    expect(await db.zscore(FFA, "A")).toBeNull();
    expect(await db.zscore(ANY, "A")).toBeNull();
    await index.listed(listing("X", 1, { name: "editor" } as Partial<IRoomCache>));
    expect(await db.exists("arena:open:editor:{}")).toBe(0);
  });

  it("writes nothing for a listing whose place did not change (a client count without a seat change)", async () => {
    await index.listed(listing("B", 3));
    await db.config("RESETSTAT");
    await index.listed({ ...listing("B", 3), clients: 4 } as IRoomCache);
    await index.listed(listing("B", 3));
    expect(await zaddCalls()).toBe(0);
    await index.listed(listing("B", 4));
    expect(await zaddCalls()).toBe(2);
  });

  it("removes another process's room (a dead process swept) from both sets by its listing", async () => {
    await db.zadd(FFA, 7, "Z");
    await db.zadd(ANY, 7, "Z");
    await index.removed("Z", listing("Z", 7));
    expect(await db.zscore(FFA, "Z")).toBeNull();
    expect(await db.zscore(ANY, "Z")).toBeNull();
  });

  it("writes its entries again after forgetting them (Redis lost them in an outage)", async () => {
    await index.listed(listing("C", 6));
    await db.flushall();
    await index.listed(listing("C", 6));
    expect(await db.zscore(FFA, "C")).toBeNull(); // remembered as written: nothing sent
    index.forgetWritten();
    await index.listed(listing("C", 6));
    expect(await db.zscore(FFA, "C")).toBe("6");
  });

  it("reads the fullest open rooms first, checks their listings, and drops entries without one", async () => {
    await db.flushall();
    index.forgetWritten();
    const rooms = [listing("D", 3), listing("E", 9), listing("F", 1), listing("G", 12, {}, "ctf")];
    for (const r of rooms) await index.listed(r);
    await db.zadd(FFA, 15, "GONE");
    const byId = new Map(rooms.map((r) => [r.roomId, r]));
    const read = (ids: string[]): Promise<Map<string, IRoomCache>> => Promise.resolve(new Map(ids.flatMap((id) => (byId.has(id) ? [[id, byId.get(id)!] as const] : []))));
    expect((await index.open("arena", { mode: "ffa" }, read)).map((r) => r.roomId)).toEqual(["E", "D", "F"]);
    expect(await db.zscore(FFA, "GONE")).toBeNull();
    expect((await index.open("arena", {}, read)).map((r) => r.roomId)).toEqual(["G", "E", "D", "F"]);
    // A listing locked since it was indexed (its update not yet written) is skipped.
    byId.set("E", listing("E", 9, { locked: true }));
    expect((await index.open("arena", { mode: "ffa" }, read)).map((r) => r.roomId)).toEqual(["D", "F"]);
  });
});
