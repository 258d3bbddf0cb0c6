/** Match leases on a real redis-server: one holder at a time, fenced writes, claims, hand-overs. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createLogger } from "../src/log.ts";
import { CUSTODY_KEYS, LEASE_MS, MatchCustody, type Claim } from "../src/scale/matchCustody.ts";
import { startRedis, type RedisProcess } from "../../testkit/src/redis.ts";

let redis: RedisProcess;
let db: Redis;
const custodies: MatchCustody[] = [];
const log = createLogger("error");

async function custody(processId: string): Promise<MatchCustody> {
  const c = new MatchCustody(redis.url, () => processId, log);
  custodies.push(c);
  await c.ready();
  return c;
}

beforeAll(async () => {
  redis = await startRedis();
  db = new Redis(redis.url);
});

afterAll(async () => {
  for (const c of custodies) c.close();
  db.disconnect();
  await redis.stop();
});

describe("a match's lease", () => {
  it("lets its holder write checkpoints and refuses a claim while it holds", async () => {
    const a = await custody("A");
    const b = await custody("B");
    const lease = await a.open("r1");
    expect(await a.commit(lease, '{"n":1}')).toBe(true);
    expect(await db.get(CUSTODY_KEYS.checkpoint("r1"))).toBe('{"n":1}');
    expect(await db.pttl(CUSTODY_KEYS.lease("r1"))).toBeGreaterThan(LEASE_MS - 200);
    expect(await b.claim("r1")).toBeUndefined();
    expect(lease.current).toBe(true);
  });

  it("once run out, goes to exactly one of many claimants, with a larger fence and the last checkpoint", async () => {
    const holder = await custody("A");
    const lease = await holder.open("r2");
    await holder.commit(lease, '{"n":2}');
    await db.del(CUSTODY_KEYS.lease("r2")); // the lease ran out (its holder died)
    const due = await db.zscore(CUSTODY_KEYS.deadlines, "r2");
    expect(Number(due)).toBeGreaterThan(0);
    const claimants = await Promise.all(["B", "C", "D", "E", "F"].map(custody));
    const claims = (await Promise.all(claimants.map((c) => c.claim("r2")))).filter((c): c is Claim => c !== undefined);
    expect(claims.length).toBe(1);
    expect(claims[0]!.lease.fence).toBe(lease.fence + 1);
    expect(String(claims[0]!.checkpoint)).toBe('{"n":2}');
  });

  it("refuses the write of a holder that was paused past its lease and taken over: it learns it lost the match", async () => {
    const paused = await custody("A");
    const taker = await custody("B");
    const lease = await paused.open("r3");
    await paused.commit(lease, '{"old":1}');
    await db.del(CUSTODY_KEYS.lease("r3"));
    const claim = (await taker.claim("r3"))!;
    await taker.commit(claim.lease, '{"new":1}');
    // The paused process wakes and writes.
    expect(await paused.commit(lease, '{"old":2}')).toBe(false);
    expect(lease.lost).toBe(true);
    expect(lease.current).toBe(false);
    expect(await db.get(CUSTODY_KEYS.checkpoint("r3"))).toBe('{"new":1}');
    // Nor can it end or hand over the match now another holds it.
    expect(await paused.end(lease)).toBe(false);
    expect(await paused.release(lease)).toBe(false);
    expect(await db.get(CUSTODY_KEYS.checkpoint("r3"))).toBe('{"new":1}');
  });

  it("is taken back by its holder when it ran out unclaimed, or when Redis lost every key (the fence is still its own)", async () => {
    const a = await custody("A");
    const b = await custody("B");
    const lease = await a.open("r7");
    await a.commit(lease, '{"n":7}');
    await db.del(CUSTODY_KEYS.lease("r7")); // ran out, nobody claimed yet
    expect(await a.commit(lease, '{"n":8}')).toBe(true);
    expect(await b.claim("r7")).toBeUndefined();
    await db.del(CUSTODY_KEYS.lease("r7"), CUSTODY_KEYS.fence("r7"), CUSTODY_KEYS.checkpoint("r7")); // Redis restarted empty
    await db.zrem(CUSTODY_KEYS.deadlines, "r7");
    expect(await a.commit(lease, '{"n":9}')).toBe(true);
    expect(await db.get(CUSTODY_KEYS.fence("r7"))).toBe(String(lease.fence));
    expect(await db.zscore(CUSTODY_KEYS.deadlines, "r7")).not.toBeNull();
    // Claimed by another meanwhile: never taken back.
    await db.del(CUSTODY_KEYS.lease("r7"));
    const claim = (await b.claim("r7"))!;
    await db.del(CUSTODY_KEYS.lease("r7"));
    expect(await a.commit(lease, '{"n":10}')).toBe(false);
    expect(claim.lease.fence).toBe(lease.fence + 1);
  });

  it("moves its deadline a lease ahead with each written checkpoint, and a refused write leaves the new holder's deadline alone", async () => {
    const a = await custody("A");
    const b = await custody("B");
    const lease = await a.open("r8");
    const redisNowMs = async (): Promise<number> => {
      const [s, us] = await db.time();
      return Number(s) * 1000 + Math.floor(Number(us) / 1000);
    };
    await db.zadd(CUSTODY_KEYS.deadlines, 1, "r8");
    const before = await redisNowMs();
    expect(await a.commit(lease, '{"n":8}')).toBe(true);
    const due = Number(await db.zscore(CUSTODY_KEYS.deadlines, "r8"));
    expect(due).toBeGreaterThanOrEqual(before + LEASE_MS);
    expect(due).toBeLessThanOrEqual((await redisNowMs()) + LEASE_MS);
    // Taken over while A was paused: A's write is refused and writes no deadline either.
    await db.del(CUSTODY_KEYS.lease("r8"));
    const claim = (await b.claim("r8"))!;
    await db.zadd(CUSTODY_KEYS.deadlines, 42, "r8");
    expect(await a.commit(lease, '{"n":9}')).toBe(false);
    expect(await db.zscore(CUSTODY_KEYS.deadlines, "r8")).toBe("42");
    expect(await b.commit(claim.lease, '{"n":10}')).toBe(true);
    expect(Number(await db.zscore(CUSTODY_KEYS.deadlines, "r8"))).toBeGreaterThan(42);
  });

  it("is handed over at once on release: due now, claimable by another process", async () => {
    const a = await custody("A");
    const b = await custody("B");
    const lease = await a.open("r4");
    await a.commit(lease, '{"n":4}');
    expect(await a.release(lease)).toBe(true);
    expect(await db.zscore(CUSTODY_KEYS.deadlines, "r4")).toBe("0");
    const claim = await b.claim("r4");
    expect(String(claim?.checkpoint)).toBe('{"n":4}');
  });

  it("leaves nothing to take over once the match ends", async () => {
    const a = await custody("A");
    const b = await custody("B");
    const lease = await a.open("r5");
    await a.commit(lease, '{"n":5}');
    expect(await a.end(lease)).toBe(true);
    expect(await db.exists(CUSTODY_KEYS.checkpoint("r5"), CUSTODY_KEYS.lease("r5"))).toBe(0);
    expect(await db.zscore(CUSTODY_KEYS.deadlines, "r5")).toBeNull();
    expect(await b.claim("r5")).toBeUndefined();
  });

  it("is claimed by a watching process once it runs out, and never while it is renewed", async () => {
    const a = await custody("A");
    const watcher = await custody("W");
    const lease = await a.open("r6");
    await a.commit(lease, '{"n":6}');
    const claimed = new Promise<Claim>((resolve) => watcher.watch(() => false, async (c) => {
      if (c.lease.roomId === "r6") resolve(c);
    }));
    // Renewed for a while: nothing claimed.
    for (let i = 0; i < 8; i++) {
      expect(await a.commit(lease, `{"n":${i}}`)).toBe(true);
      await new Promise((r) => setTimeout(r, 250));
    }
    const early = await Promise.race([claimed.then(() => "claimed"), Promise.resolve("not yet")]);
    expect(early).toBe("not yet");
    // Then its holder stops renewing: the watcher claims it within the lease and a scan.
    const stoppedAt = Date.now();
    const c = await claimed;
    expect(String(c.checkpoint)).toBe('{"n":7}');
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_MS + 1000);
    watcher.stopWatching();
  });

  it("is not claimed by a watcher that stalled with its holder: the holder renews first, and a lease later a dead one's is claimed", async () => {
    const a = await custody("A");
    const watcher = await custody("W");
    const lease = await a.open("r9");
    await a.commit(lease, '{"n":0}');
    const claims: string[] = [];
    watcher.watch(() => false, async (c) => void (c.lease.roomId === "r9" && claims.push(c.lease.roomId)));
    await new Promise((r) => setTimeout(r, 300)); // scans at their pace
    // Both stall past the lease (this one process holds both): Redis lets the lease run out meanwhile.
    const stallEnd = Date.now() + LEASE_MS + 300;
    while (Date.now() < stallEnd) { /* stalled */ }
    // The watcher's overdue scan runs first; the holder writes at its next checkpoint round, a round later.
    await new Promise((r) => setTimeout(r, 300));
    expect(await a.commit(lease, '{"n":1}')).toBe(true);
    // Renewed every round for a while: never claimed.
    for (let i = 2; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 250));
      expect(await a.commit(lease, `{"n":${i}}`)).toBe(true);
    }
    expect(claims).toEqual([]);
    // Then it stops renewing (it died): claimed.
    const stoppedAt = Date.now();
    await expect.poll(() => claims, { timeout: 2 * LEASE_MS + 1000, interval: 50 }).toEqual(["r9"]);
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_MS + 1000);
    watcher.stopWatching();
  });
});
