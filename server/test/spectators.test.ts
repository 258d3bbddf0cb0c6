/**
 * Spectators watch and nothing else: their chat is answered with a
 * `spectator_read_only` notice, their typing is not relayed, their inputs are
 * never applied; at most MAX_SPECTATORS watch a room; a dropped spectator
 * reconnects. Real server, real SDK.
 */
import { describe, expect, it } from "vitest";
import { CodeJoinErrors, MAX_SPECTATORS, PlayerInput, ServerMessage, type ChatOut, type NoticeOut, type TypingOut } from "@arena/shared";
import { HttpError, spectate, dropSocket, serverRoom, waitForMessage, waitForState, type ArenaRoomClient } from "@arena/testkit";
import { useServerWithHost } from "@arena/testkit/fixtures";

const fixture = useServerWithHost("host");

async function watcher(name: string): Promise<ArenaRoomClient> {
  const room = await spectate(fixture.server.url, name, fixture.host.roomId);
  room.onMessage("*", () => {});
  await waitForState(room, (s) => s.players.has(fixture.host.sessionId), 3000, "spectator sees the host");
  return room;
}

/** The spectator's messages up to now were handled: a chat is answered with a notice, in order. */
function barrier(spec: ArenaRoomClient): Promise<NoticeOut> {
  const notice = waitForMessage<NoticeOut>(spec, ServerMessage.Notice);
  spec.send("chat", { text: "barrier" });
  return notice;
}

describe("spectators", () => {
  it("cannot chat or type to the players: chat gets a notice, typing is not relayed", async () => {
    const spec = await watcher("quiet");
    const seen: Array<TypingOut | ChatOut> = [];
    const offTyping = fixture.host.onMessage(ServerMessage.Typing, (m: TypingOut) => seen.push(m));
    const offChat = fixture.host.onMessage(ServerMessage.Chat, (m: ChatOut) => seen.push(m));
    spec.send("typing", { typing: true });
    expect(await barrier(spec)).toMatchObject({ code: "spectator_read_only" });
    // The host's own chat comes after anything the server sent it because of the spectator.
    const own = waitForMessage<ChatOut>(fixture.host, ServerMessage.Chat, 3000, (m) => m.from === fixture.host.sessionId);
    fixture.host.send("chat", { text: "after" });
    await own;
    offTyping();
    offChat();
    expect(seen.filter((m) => m.from === spec.sessionId)).toEqual([]);
    expect(spec.connection.isOpen).toBe(true);
    await spec.leave();
  });

  it("cannot move, shoot or take a player seat with inputs", async () => {
    const spec = await watcher("hands-off");
    const input = spec.input({ type: PlayerInput });
    const room = serverRoom(fixture.host);
    const fromSpectator = (): number => [...room.state.projectiles.values()].filter((p) => p.ownerId === spec.sessionId).length;
    let shots = 0;
    for (let i = 0; i < 20; i++) {
      input.data.mx = 1;
      input.data.my = 1;
      input.data.fire = true;
      input.send();
      // Checked on every patch while inputs flow.
      const t = spec.state.tick;
      await waitForState(spec, (s) => s.tick > t, 1000, "next patch");
      shots += fromSpectator();
    }
    await barrier(spec);
    const tick = room.state.tick;
    await waitForState(fixture.host, (s) => s.tick >= tick + 5, 3000, "five more steps");
    expect(shots + fromSpectator()).toBe(0);
    expect(room.state.players.has(spec.sessionId)).toBe(false);
    expect(room.state.players.size).toBe(1);
    expect(spec.connection.isOpen).toBe(true);
    await spec.leave();
  });

  it(`admits at most ${MAX_SPECTATORS} spectators, and the next one when one leaves`, async () => {
    const specs = await Promise.all(Array.from({ length: MAX_SPECTATORS }, (_, i) => watcher(`w${i}`)));
    const refused = await watcher("one-too-many").then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(409);
    expect((refused as HttpError).body.error).toBe(CodeJoinErrors.ROOM_FULL);
    await specs[0]!.leave();
    await waitForState(fixture.host, () => serverRoom(fixture.host).clients.length === MAX_SPECTATORS, 3000, "one spectator gone");
    specs[0] = await watcher("next");
    await Promise.all(specs.map((s) => s.leave()));
  });

  it("reconnects after a dropped socket and is still a spectator", async () => {
    const spec = await watcher("flaky-watcher");
    spec.reconnection.minUptime = 0;
    const back = new Promise<void>((resolve) => spec.onReconnect(() => resolve()));
    dropSocket(spec);
    await back;
    const tick = spec.state.tick;
    await waitForState(spec, (s) => s.tick > tick + 2, 3000, "patches after reconnecting");
    expect(serverRoom(fixture.host).state.players.has(spec.sessionId)).toBe(false);
    expect(await barrier(spec)).toMatchObject({ code: "spectator_read_only" });
    await spec.leave();
  });
});
