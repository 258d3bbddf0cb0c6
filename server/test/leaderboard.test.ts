/**
 * Leaderboard on one process (in-memory): a real kill credits the killer and, ending the match, the win;
 * GET /api/leaderboard; the SSE stream (headers, named events, keep-alive
 * comments, Last-Event-ID reconnect); the lobby receives the live board.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KILL_POINTS, WIN_POINTS, type LeaderboardSnapshot } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { LobbyWatcher, SseReader, faceOff, firingRight, joinArena, serverRoom, startTestServer, waitForState, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
let a: ArenaRoomClient;
let b: ArenaRoomClient;
let lobby: LobbyWatcher;
const streams: SseReader[] = [];

beforeAll(async () => {
  server = await startTestServer({ SSE_KEEPALIVE_S: "1" }, { match: { warmupSeconds: 0.2, killLimit: 1 } });
  lobby = await LobbyWatcher.open(server.url);
  ({ room: a } = await joinArena(server.url, "killer"));
  ({ room: b } = await joinArena(server.url, "victim"));
});
afterAll(async () => {
  for (const s of streams) s.close();
  await Promise.all([a.leave(), b.leave(), lobby.room.leave()]);
  await server.close();
});

async function board(): Promise<LeaderboardSnapshot> {
  return (await (await fetch(`${server.url}/api/leaderboard`)).json()) as LeaderboardSnapshot;
}

describe("leaderboard", () => {
  it("streams a snapshot with the right headers, then updates after a real kill, with keep-alives", async () => {
    const sse = await SseReader.open(`${server.url}/api/leaderboard/stream`);
    streams.push(sse);
    expect(sse.response.status).toBe(200);
    expect(sse.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(sse.response.headers.get("cache-control")).toContain("no-cache");
    await sse.until(() => sse.events.length >= 1, "snapshot");
    expect(sse.events[0]?.event).toBe("snapshot");
    const first = JSON.parse(sse.events[0]!.data) as LeaderboardSnapshot;
    expect(sse.events[0]?.id).toBe(String(first.version));

    // A real kill in the arena, as in match.test.ts.
    await waitForState(a, (s) => s.phase === "playing", 5000, "match start");
    await firingRight(a, () => {
      faceOff(serverRoom(a).state, a.sessionId, b.sessionId);
      return sse.until(() => sse.events.some((e) => e.event === "update"), "update after the kill", 8000);
    });
    const update = JSON.parse(sse.events.find((e) => e.event === "update")!.data) as LeaderboardSnapshot;
    expect(update.version).toBeGreaterThan(first.version);
    expect(update.allTime[0]).toMatchObject({ rank: 1, name: "killer" });
    // The kill limit is 1, so that kill also won the match: kill points plus win points, all-time and today.
    const total = KILL_POINTS + WIN_POINTS;
    const last = (): LeaderboardSnapshot => JSON.parse(sse.events.at(-1)!.data) as LeaderboardSnapshot;
    await sse.until(() => last().allTime[0]?.score === total, "kill and win credited", 5000);
    expect(last().daily[0]).toMatchObject({ name: "killer", score: total });
    expect((await board()).allTime).toEqual([expect.objectContaining({ rank: 1, name: "killer", score: total })]);

    // Keep-alive comments at SSE_KEEPALIVE_S.
    await sse.until(() => sse.comments.includes("keep-alive"), "keep-alive comment", 3000);

    // The lobby got the same board pushed.
    await lobby.until(() => lobby.board?.allTime[0]?.score === total, "leaderboard push to the lobby");
  });

  it("answers a reconnect with Last-Event-ID with a fresh snapshot", async () => {
    const current = await board();
    const sse = await SseReader.open(`${server.url}/api/leaderboard/stream`, { "last-event-id": "0" });
    streams.push(sse);
    await sse.until(() => sse.events.length >= 1, "snapshot after reconnect");
    expect(sse.events[0]).toMatchObject({ event: "snapshot", id: String(current.version) });
    expect(JSON.parse(sse.events[0]!.data)).toEqual(current);
    expect(sse.comments.some((c) => c.startsWith("resumed after 0"))).toBe(true);
  });
});
