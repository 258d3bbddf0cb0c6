/**
 * A game process on a primary watched by Sentinel (REDIS_SENTINELS): it finds the primary through the sentinel,
 * and when the primary is SIGKILLed and the sentinel promotes the replica, it follows: the running match goes on,
 * and quick play lists rooms on the new primary.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { Redis } from "ioredis";
import { HttpError, quickPlay, spawnServer, startRedisSentinel, waitForState, type ArenaRoomClient, type GameServerProcess, type RedisSentinelProcess } from "@arena/testkit";

let sentinel: RedisSentinelProcess;
let server: GameServerProcess;
const rooms: ArenaRoomClient[] = [];

beforeAll(async () => {
  sentinel = await startRedisSentinel({ downAfterMs: 1000 });
  server = await spawnServer({ REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_MASTER: sentinel.master }, { timeoutMs: 90_000 });
}, 120_000);

afterAll(async () => {
  await Promise.all(rooms.filter((r) => r.connection.isOpen).map((r) => r.leave().catch(() => undefined)));
  await server?.kill("SIGTERM");
  await sentinel?.stop();
}, 30_000);

async function listedOn(port: number, roomId: string): Promise<boolean> {
  const r = new Redis({ host: "127.0.0.1", port });
  try {
    return (await r.hexists("roomcaches", roomId)) === 1;
  } finally {
    r.disconnect();
  }
}

it("finds the primary through the sentinel, and follows the promotion of its replica when the primary dies", async () => {
  const first = await quickPlay(server.url, "s1");
  rooms.push(first);
  expect(await listedOn(sentinel.primaryPort, first.roomId)).toBe(true);
  await waitForState(first, (s) => s.tick > 30, 10_000, "match stepping");

  const killedAt = Date.now();
  await sentinel.killPrimary();
  const promoted = await sentinel.waitForNewPrimary(sentinel.primaryPort);
  expect(promoted).toBe(sentinel.replicaPort);
  // Joins are refused (523) until the process is back on the new primary and has listed its rooms again.
  let second: ArenaRoomClient | undefined;
  const deadline = Date.now() + 20_000;
  while (second === undefined) {
    try {
      second = await quickPlay(server.url, "s2");
    } catch (error) {
      if (!(error instanceof HttpError || (error as { code?: number }).code === 523) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  rooms.push(second);
  const backMs = Date.now() - killedAt;
  // The same match, listed again on the new primary, and still stepping.
  expect(second.roomId).toBe(first.roomId);
  expect(await listedOn(promoted, first.roomId)).toBe(true);
  const tick = first.state.tick;
  await waitForState(first, (s) => s.tick > tick + 30, 10_000, "match stepping after the promotion");
  console.log(`primary killed; replica promoted; quick play joined the running match again ${backMs} ms after the kill`);
}, 90_000);
