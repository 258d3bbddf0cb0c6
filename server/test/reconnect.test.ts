/** A dropped player keeps seat, position and score for the grace period and comes back through the SDK. */
import { describe, expect, it } from "vitest";
import { CloseCodes } from "@arena/shared";
import { dropSocket, joinArena, serverRoom, waitForLeave, waitForState } from "@arena/testkit";
import { useServerWithHost } from "@arena/testkit/fixtures";

/** A short grace period so the expiry can be tested; production uses RECONNECT_GRACE_S (20 s). */
const GRACE_S = 3;
/**
 * The warm-up outlasts every test here: two players start it, and the match start at its end resets every score and
 * respawns everyone. On a busy machine a drop and reconnection can outlast the default 5 s (seen in CI: scores 0 and a
 * spawn point), and what these tests check is the reconnection.
 */
const fixture = useServerWithHost("watcher", {}, { reconnectGraceSeconds: GRACE_S, match: { warmupSeconds: 3600 } });

describe("reconnection", () => {
  it("keeps the same player, position and score across a dropped socket", async () => {
    const { room } = await joinArena(fixture.server.url, "flaky");
    room.reconnection.minUptime = 0;
    const p = serverRoom(room).state.players.get(room.sessionId)!;
    p.kills = 3;
    p.damage = 75;
    p.x = 400;
    p.y = 500;
    await waitForState(fixture.host, (s) => s.players.get(room.sessionId)?.kills === 3, 2000, "score visible");

    const reconnected = new Promise<void>((resolve) => room.onReconnect(() => resolve()));
    dropSocket(room);
    await waitForState(fixture.host, (s) => s.players.get(room.sessionId)?.connected === false, 5000, "seat held, shown as disconnected");
    await reconnected;
    await waitForState(fixture.host, (s) => s.players.get(room.sessionId)?.connected === true, 5000, "back online");

    const mine = room.state.players.get(room.sessionId)!;
    expect([mine.kills, mine.damage, mine.x, mine.y, mine.name]).toEqual([3, 75, 400, 500, "flaky"]);
    expect(serverRoom(room).state.players.size).toBe(2);
    await room.leave();
  });

  it("frees the seat when the player leaves on purpose", async () => {
    const { room } = await joinArena(fixture.server.url, "leaver");
    await room.leave(true);
    await waitForState(fixture.host, (s) => !s.players.has(room.sessionId), 3000, "seat freed");
  });

  it("does not hold a seat for a client disconnected for a protocol error", async () => {
    const { room } = await joinArena(fixture.server.url, "rude");
    room.reconnection.enabled = false;
    const left = waitForLeave(room);
    room.send("nope", {});
    expect(await left).toBe(CloseCodes.PROTOCOL_ERROR);
    await waitForState(fixture.host, (s) => !s.players.has(room.sessionId), 3000, "no seat held");
  });

  it("frees the seat when the grace period ends without a reconnection", async () => {
    const { room } = await joinArena(fixture.server.url, "gone");
    room.reconnection.enabled = false;
    dropSocket(room);
    await waitForState(fixture.host, (s) => s.players.get(room.sessionId)?.connected === false, 3000, "seat held");
    const heldAt = Date.now();
    await waitForState(fixture.host, (s) => !s.players.has(room.sessionId), (GRACE_S + 3) * 1000, "seat freed after the grace period");
    expect(Date.now() - heldAt).toBeGreaterThanOrEqual(GRACE_S * 1000 - 500);
  });
});
