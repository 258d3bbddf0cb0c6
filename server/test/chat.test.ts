/** Room chat: plain text, cleaned and length-limited, rate-limited per player, with a typing indicator. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAT_BURST, CHAT_MAX_LENGTH, ClientMessage, ServerMessage, type ChatOut, type NoticeOut, type TypingOut } from "@arena/shared";
import type { RunningServer } from "../src/app.ts";
import { joinArena, startTestServer, waitForMessage, type ArenaRoomClient } from "@arena/testkit";

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
    a.send(ClientMessage.Chat, { text: "done" });
    expect(await stopped).toEqual({ from: a.sessionId, typing: false });
    await waitForMessage<ChatOut>(a, ServerMessage.Chat, 2000, (m) => m.text === "done");
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
