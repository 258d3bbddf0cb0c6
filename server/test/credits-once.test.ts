/**
 * A match's credits are applied once on the Redis leaderboard, also when a
 * match restored from a checkpoint replays what followed the checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KILL_POINTS, WIN_POINTS } from "@arena/shared";
import { createLogger } from "../src/log.ts";
import { RedisLeaderboard } from "../src/leaderboard/RedisLeaderboard.ts";
import { RoomCredits } from "../src/rooms/arena/credits.ts";
import { startRedis, type RedisProcess } from "../../testkit/src/redis.ts";

let redis: RedisProcess;
let board: RedisLeaderboard;
const log = createLogger("error");

beforeAll(async () => {
  redis = await startRedis();
  board = await RedisLeaderboard.connect(redis.url, log);
});

afterAll(async () => {
  await board.close();
  await redis.stop();
});

const scoreOf = async (userId: string): Promise<number> => (await board.snapshot()).allTime.find((e) => e.userId === userId)?.score ?? 0;

/** Credits written so far (each write is awaited through the leaderboard's queue). */
async function settled(): Promise<void> {
  await board.credit([{ userId: "g_flush", name: "flush", points: 0 }]);
}

describe("credits named within their match", () => {
  it("are applied once however often they are written", async () => {
    const credit = { userId: "g_a", name: "A", points: KILL_POINTS, once: "m1|kill:g_a:1" };
    await board.credit([credit]);
    await board.credit([credit]);
    await board.credit([{ ...credit, once: "m1|kill:g_a:2" }]);
    expect(await scoreOf("g_a")).toBe(2 * KILL_POINTS);
    // The same ordinal in another match is another kill.
    await board.credit([{ ...credit, once: "m2|kill:g_a:1" }]);
    expect(await scoreOf("g_a")).toBe(3 * KILL_POINTS);
  });

  it("are not credited again when a match taken over from its checkpoint replays a kill and the win", async () => {
    const first = new RoomCredits(board, log);
    first.startMatch("room9:1");
    first.seat("s1", { userId: "g_k", name: "Killer" });
    first.seat("s2", { userId: "g_v", name: "Victim" });
    first.kill("s1", "s2");
    const checkpoint = first.progress();
    // After the checkpoint: a second kill and the win are credited, then the process dies.
    first.kill("s1", "s2");
    first.win("s1");
    await settled();
    expect(await scoreOf("g_k")).toBe(2 * KILL_POINTS + WIN_POINTS);
    // The match goes on elsewhere from the checkpoint, and the same things happen again.
    const second = new RoomCredits(board, log);
    second.resume(checkpoint);
    second.seat("s1", { userId: "g_k", name: "Killer" });
    second.seat("s2", { userId: "g_v", name: "Victim" });
    second.kill("s1", "s2");
    second.win("s1");
    second.win("s1");
    await settled();
    expect(await scoreOf("g_k")).toBe(2 * KILL_POINTS + WIN_POINTS);
    // A kill the first process never made is credited.
    second.kill("s1", "s2");
    await settled();
    expect(await scoreOf("g_k")).toBe(3 * KILL_POINTS + WIN_POINTS);
  });

  it("are not written at all by a room that no longer holds its match", async () => {
    let live = true;
    const credits = new RoomCredits(board, log, () => live);
    credits.startMatch("room10:1");
    credits.seat("s1", { userId: "g_p", name: "Paused" });
    credits.seat("s2", { userId: "g_q", name: "Other" });
    live = false;
    credits.kill("s1", "s2");
    credits.win("s1");
    await settled();
    expect(await scoreOf("g_p")).toBe(0);
  });
});
