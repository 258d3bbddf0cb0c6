/**
 * Invite codes: a forced collision picks another code, a released code is not
 * issued again within ROOM_CODE_REISSUE_WINDOW_S (on in-memory presence and
 * across processes through a real redis-server), and running out of codes is
 * a clear matchmaking refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalPresence, type Presence } from "@colyseus/core";
import { RedisPresence } from "@colyseus/redis-presence";
import { Redis } from "ioredis";
import { JoinErrorCodes, ROOM_ARENA, ROOM_CODE_REISSUE_WINDOW_S } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { CODES_KEY, MAX_CODE_ATTEMPTS, claimCode, releaseCode, releasedKey } from "../src/matchmaking/roomCodes.ts";
import { signIn, startTestServer, startRedis, type RedisProcess } from "@arena/testkit";

/** A source that returns the given codes in order, then fails the test if asked for more. */
function scripted(...codes: string[]): () => string {
  let i = 0;
  return () => {
    const c = codes[i++];
    if (c === undefined) throw new Error("asked for more codes than scripted");
    return c;
  };
}

let redis: RedisProcess;
let redisA: RedisPresence;
let redisB: RedisPresence;
beforeAll(async () => {
  redis = await startRedis();
  redisA = new RedisPresence(redis.url);
  redisB = new RedisPresence(redis.url);
});
afterAll(async () => {
  // RedisPresence.shutdown() does not wait for its QUITs: killing redis-server before they are answered
  // rejects them unhandled. Quit its two connections and wait, then stop the server.
  const connections = [redisA, redisB].flatMap((p) => (p ? [(p as unknown as { pub: Redis }).pub, (p as unknown as { sub: Redis }).sub] : []));
  await Promise.allSettled(connections.map((c) => c.quit()));
  await redis?.stop();
});

const presences: Array<[string, () => [Presence, Presence]]> = [
  ["in-memory presence", () => {
    const p = new LocalPresence();
    return [p, p];
  }],
  ["two processes on redis", () => [redisA, redisB]],
];

describe.each(presences)("invite codes on %s", (_name, make) => {
  it("takes the next candidate when the first is already in use", async () => {
    const [a, b] = make();
    const first = await claimCode(a, scripted("CRASH2"));
    const second = await claimCode(b, scripted("CRASH2", "FRESH2"));
    expect([first, second]).toEqual(["CRASH2", "FRESH2"]);
    await releaseCode(a, first);
    await releaseCode(b, second);
  });

  it("does not issue a released code again within the reissue window", async () => {
    const [a, b] = make();
    const code = await claimCode(a, scripted("ENDED3"));
    await releaseCode(a, code);
    expect(await b.hget(CODES_KEY, code)).toBeFalsy(); // no longer in use...
    expect(await b.exists(releasedKey(code))).toBe(true); // ...but held back
    expect(await claimCode(b, scripted("ENDED3", "THEN45"))).toBe("THEN45");
    await releaseCode(b, "THEN45");
  });

  it(`gives up after ${MAX_CODE_ATTEMPTS} taken candidates with a NO_FREE_CODE error`, async () => {
    const [a, b] = make();
    const taken = await claimCode(a, scripted("TAKEN5"));
    const always = (): string => taken;
    await expect(claimCode(b, always)).rejects.toMatchObject({ code: JoinErrorCodes.NO_FREE_CODE, message: expect.stringMatching(/no free invite code/) });
    await releaseCode(a, taken);
  });
});

describe("the reissue window on redis", () => {
  it("is a TTL of ROOM_CODE_REISSUE_WINDOW_S on the released code's key", async () => {
    const code = await claimCode(redisA, scripted("TTX777"));
    await releaseCode(redisA, code);
    const db = new Redis(redis.url);
    const ttl = await db.ttl(releasedKey(code));
    await db.quit();
    expect(ttl).toBeGreaterThan(ROOM_CODE_REISSUE_WINDOW_S - 5);
    expect(ttl).toBeLessThanOrEqual(ROOM_CODE_REISSUE_WINDOW_S);
  });
});

describe("creating a private room when no code is free", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({}, { randomRoomCode: () => "SAMEAA" });
  });
  afterAll(() => server.close());

  it("refuses with NO_FREE_CODE and a message, not a 500, and the server plays on", async () => {
    const { client } = await signIn(server.url, "host");
    const first = await client.create(ROOM_ARENA, { private: true });
    expect(first.roomId).toBe("SAMEAA");
    const { client: other } = await signIn(server.url, "unlucky");
    const refused = await other.create(ROOM_ARENA, { private: true }).then(() => undefined, (e: unknown) => e);
    expect(refused).toMatchObject({ code: JoinErrorCodes.NO_FREE_CODE, message: expect.stringMatching(/no free invite code/) });
    const pub = await other.create(ROOM_ARENA, {});
    expect(pub.roomId).not.toBe("SAMEAA");
    await Promise.all([first.leave(), pub.leave()]);
  });
});
