/**
 * One seat per person per room: a second join by the same user id replaces
 * the first seat; the older connection is closed with SIGNED_IN_ELSEWHERE
 * and no seat is held for it.
 */
import { describe, expect, it } from "vitest";
import { JoinClient } from "@arena/shared/sdk";
import { CloseCodes, ROOM_ARENA } from "@arena/shared";
import { dropSocket, guestToken, serverRoom, waitForLeave, waitForState, type ArenaRoomClient } from "@arena/testkit";
import { useServerWithHost } from "@arena/testkit/fixtures";

/** Longer than any wait below: a held seat that disappears was released, not expired. */
const GRACE_S = 60;
const fixture = useServerWithHost("host", {}, { reconnectGraceSeconds: GRACE_S });

async function joinWithToken(token: string, name: string): Promise<ArenaRoomClient> {
  const client = new JoinClient(fixture.server.url);
  client.auth.token = token;
  const room = (await client.joinById(fixture.host.roomId, { name })) as ArenaRoomClient;
  room.onMessage("*", () => {});
  await waitForState(room, (s) => s.players.has(room.sessionId));
  return room;
}

describe("one seat per user per room", () => {
  it("closes the older connection with SIGNED_IN_ELSEWHERE when the same user joins again, and keeps one player", async () => {
    const token = await guestToken(fixture.server.url, "twice");
    const first = await joinWithToken(token, "twice");
    first.reconnection.minUptime = 0; // the SDK would try to reconnect at once if the close invited it
    const closed = waitForLeave(first);
    const second = await joinWithToken(token, "twice");
    expect(await closed).toBe(CloseCodes.SIGNED_IN_ELSEWHERE);
    // The server's own state, checked on each patch: the host's view may never have shown the first seat at all.
    await waitForState(fixture.host, () => !serverRoom(fixture.host).state.players.has(first.sessionId), 3000, "older seat gone on the server");
    const names = [...serverRoom(fixture.host).state.players.values()].map((p) => p.name);
    expect(names.sort()).toEqual(["host", "twice"]);
    expect(serverRoom(fixture.host).state.players.has(second.sessionId)).toBe(true);
    await second.leave();
  });

  it("releases a seat held for the same user's reconnection at once, not after the grace period", async () => {
    const token = await guestToken(fixture.server.url, "flaky");
    const first = await joinWithToken(token, "flaky");
    first.reconnection.enabled = false;
    dropSocket(first);
    await waitForState(fixture.host, (s) => s.players.get(first.sessionId)?.connected === false, 3000, "seat held");
    const second = await joinWithToken(token, "flaky");
    await waitForState(fixture.host, (s) => !s.players.has(first.sessionId), 3000, "held seat released");
    expect(serverRoom(fixture.host).state.players.has(second.sessionId)).toBe(true);
    await second.leave();
  });

  it("does not touch another user with the same name", async () => {
    const a = await joinWithToken(await guestToken(fixture.server.url, "sam"), "sam");
    const b = await joinWithToken(await guestToken(fixture.server.url, "sam"), "sam");
    await waitForState(fixture.host, (s) => s.players.has(a.sessionId) && s.players.has(b.sessionId), 3000, "both sams");
    expect(a.connection.isOpen).toBe(true);
    await Promise.all([a.leave(), b.leave()]);
  });
});
