/** Room chat: plain text, cleaned and length-limited, rate-limited per player, with a typing indicator. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAT_BURST, CHAT_MAX_LENGTH, CHAT_TAIL_LINES, ClientMessage, ROOM_ARENA, ServerMessage, type ChatOut, type ChatTailOut, type NoticeOut, type TypingOut } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { joinArena, signIn, startTestServer, waitForMessage, type ArenaRoomClient } from "@arena/testkit";

let server: RunningServer;
let a: ArenaRoomClient;
let b: ArenaRoomClient;

beforeAll(async () => {
  server = await startTestServer();
  ({ room: a } = await joinArena(server.url, "alice"));
  ({ room: b } = await joinArena(server.url, "bob"));
});
afterAll(async () => {
  await Promise.all([a.leave(), b.leave()]);
  await server.close();
});

describe("chat", () => {
  it("delivers cleaned plain text to everyone in the room, cut to the length limit", async () => {
    const atB = waitForMessage<ChatOut>(b, ServerMessage.Chat);
    const atA = waitForMessage<ChatOut>(a, ServerMessage.Chat);
    a.send(ClientMessage.Chat, { text: `  <b>hi</b>\u0000\u202e ${"y".repeat(300)}` });
    const got = await atB;
    expect(got).toMatchObject({ from: a.sessionId, name: "alice" });
    expect(got.text.startsWith("<b>hi</b> y")).toBe(true); // plain text: shown as typed, never as markup
    expect(Array.from(got.text)).toHaveLength(CHAT_MAX_LENGTH);
    expect((await atA).text).toBe(got.text);
  });

  it("shows the typing indicator to the others, not to the typist, and clears it on send", async () => {
    let echoed = false;
    const onTyping = (m: TypingOut): void => {
      if (m.from === a.sessionId) echoed = true;
    };
    a.onMessage(ServerMessage.Typing, onTyping);
    const started = waitForMessage<TypingOut>(b, ServerMessage.Typing);
    a.send(ClientMessage.Typing, { typing: true });
    expect(await started).toEqual({ from: a.sessionId, typing: true });
    const stopped = waitForMessage<TypingOut>(b, ServerMessage.Typing);
    // Listened for before the send: a's own line can reach a before b's typing stop reaches b.
    const ownLine = waitForMessage<ChatOut>(a, ServerMessage.Chat, 2000, (m) => m.text === "done");
    a.send(ClientMessage.Chat, { text: "done" });
    expect(await stopped).toEqual({ from: a.sessionId, typing: false });
    // a's own line came after anything the server sent a before it: no typing of its own among that.
    await ownLine;
    expect(echoed).toBe(false);
  });

  it("rate-limits chat with a notice instead of a disconnect", async () => {
    const { room: c } = await joinArena(server.url, "chatty");
    const limited = waitForMessage<NoticeOut>(c, ServerMessage.Notice, 5000, (n) => n.code === "chat_rate_limited");
    let delivered = 0;
    b.onMessage(ServerMessage.Chat, (m: ChatOut) => {
      if (m.from === c.sessionId) delivered++;
    });
    for (let i = 0; i < CHAT_BURST + 3; i++) c.send(ClientMessage.Chat, { text: `msg ${i}` });
    await limited;
    // A marker from another player proves b has received everything sent before it.
    a.send(ClientMessage.Chat, { text: "marker" });
    await waitForMessage<ChatOut>(b, ServerMessage.Chat, 2000, (m) => m.text === "marker");
    expect(delivered).toBe(CHAT_BURST);
    expect(c.connection.isOpen).toBe(true);
    await c.leave();
  });

  it("answers an empty message with a notice", async () => {
    const notice = waitForMessage<NoticeOut>(a, ServerMessage.Notice);
    a.send(ClientMessage.Chat, { text: " \u0000 " });
    expect((await notice).code).toBe("chat_empty");
  });
});

describe("the chat tail", () => {
  /** Joins `roomId` (or creates a room) and starts listening for the tail in the same task as the join resolved. */
  async function join(name: string, roomId?: string): Promise<{ room: ArenaRoomClient; tails: ChatTailOut[] }> {
    const { client } = await signIn(server.url, name);
    const room = (roomId === undefined ? await client.create(ROOM_ARENA, { name }) : await client.joinById(roomId, { name })) as ArenaRoomClient;
    const tails: ChatTailOut[] = [];
    room.onMessage(ServerMessage.ChatTail, (t: ChatTailOut) => void tails.push(t));
    room.onMessage("*", () => {});
    return { room, tails };
  }

  it("shows a joiner the room's last lines, oldest first, up to CHAT_TAIL_LINES; a room with none sends none", async () => {
    const first = await join("t0");
    const talkers = [first.room, (await join("t1", first.room.roomId)).room, (await join("t2", first.room.roomId)).room];
    const said: string[] = [];
    // More lines than the tail keeps, each seen by the room before the next (so their order is the room's).
    for (let i = 0; i < CHAT_TAIL_LINES + 3; i++) {
      const text = `line ${i}`;
      const seen = waitForMessage<ChatOut>(first.room, ServerMessage.Chat, 5000, (m) => m.text === text);
      talkers[i % talkers.length]!.send(ClientMessage.Chat, { text });
      await seen;
      said.push(text);
    }
    const late = await join("late", first.room.roomId);
    const tail = await waitForMessage<ChatTailOut>(late.room, ServerMessage.ChatTail);
    expect(tail.lines.map((l) => l.text)).toEqual(said.slice(-CHAT_TAIL_LINES));
    const firstKept = (CHAT_TAIL_LINES + 3 - CHAT_TAIL_LINES) % talkers.length;
    expect(tail.lines[0]).toMatchObject({ name: `t${firstKept}`, from: talkers[firstKept]!.sessionId });
    // Those who joined before anything was said got no tail.
    expect(first.tails).toEqual([]);
    await Promise.all([...talkers, late.room].map((r) => r.leave()));
  });
});
