/**
 * Chat and the typing indicator of one arena room; spectators watch silently. The room keeps its last
 * CHAT_TAIL_LINES lines (its chat tail), shows them to each client that joins, and the match's checkpoint
 * carries them, so a match taken over by another process still has them.
 */
import {
  CHAT_BURST, CHAT_TAIL_LINES, CHAT_WINDOW_S, ClientMessage, ServerMessage, cleanChat,
  type ChatOut, type ChatTailOut, type NoticeOut, type TypingOut,
} from "@arena/shared";
import { ClientMessages, describeIssue } from "./messages.ts";
import type { ArenaRoom } from "./ArenaRoom.ts";
import type { ArenaClient } from "./settings.ts";

/** Disconnects a client that broke the protocol (the room's single policy for it). */
export type ProtocolError = (client: ArenaClient, kind: string, reason: string) => void;

export class RoomChat {
  /** The last lines said, oldest first. */
  private lines: ChatOut[] = [];
  /** Counts changes of the tail (the checkpoint's header is written again when it moves). */
  revision = 0;

  /** `relayed` hears each line sent to the room (the match's recording keeps them). */
  constructor(private readonly room: Pick<ArenaRoom, "state" | "broadcast" | "onMessage">, private readonly protocolError: ProtocolError, private readonly relayed?: (out: ChatOut) => void) {}

  /** Registers the chat and typing handlers on the room. */
  listen(): void {
    this.room.onMessage(ClientMessage.Chat, (client: ArenaClient, raw: unknown) => this.onChat(client, raw));
    this.room.onMessage(ClientMessage.Typing, (client: ArenaClient, raw: unknown) => this.onTyping(client, raw));
  }

  /** The room's last chat lines, oldest first (the checkpoint carries them). */
  get tail(): readonly ChatOut[] {
    return this.lines;
  }

  /** The tail of a match taken over (from its checkpoint). */
  restore(lines: readonly ChatOut[]): void {
    this.lines = lines.slice(-CHAT_TAIL_LINES);
    this.revision++;
  }

  /** Shows the tail to a client that just joined (or is back in a seat restored here); nothing while there is none. */
  showTail(client: ArenaClient): void {
    if (this.lines.length > 0) client.send(ServerMessage.ChatTail, { lines: this.lines } satisfies ChatTailOut);
  }

  /** Tells the others when a client starts or stops typing (only on change). */
  setTyping(client: ArenaClient, typing: boolean): void {
    const data = client.userData;
    if (data === undefined || data.typing === typing) return;
    data.typing = typing;
    const out: TypingOut = { from: client.sessionId, typing };
    this.room.broadcast(ServerMessage.Typing, out, { except: client });
  }

  private onChat(client: ArenaClient, raw: unknown): void {
    const parsed = ClientMessages.chat.safeParse(raw);
    if (!parsed.success) return this.protocolError(client, ClientMessage.Chat, `chat: ${describeIssue(parsed.error)}`);
    const data = client.userData;
    if (data === undefined) return;
    if (data.spectator) return notice(client, { code: "spectator_read_only", message: "spectators cannot chat" });
    const player = this.room.state.players.get(client.sessionId);
    if (player === undefined) return;
    const text = cleanChat(parsed.data.text);
    if (text === "") return notice(client, { code: "chat_empty", message: "message is empty" });
    if (!data.chat.take(Date.now())) {
      return notice(client, { code: "chat_rate_limited", message: `at most ${CHAT_BURST} messages per ${CHAT_WINDOW_S} s` });
    }
    this.setTyping(client, false);
    const out: ChatOut = { from: client.sessionId, name: player.name, text, at: Date.now() };
    this.room.broadcast(ServerMessage.Chat, out);
    this.lines.push(out);
    if (this.lines.length > CHAT_TAIL_LINES) this.lines.shift();
    this.revision++;
    this.relayed?.(out);
  }

  private onTyping(client: ArenaClient, raw: unknown): void {
    const parsed = ClientMessages.typing.safeParse(raw);
    if (!parsed.success) return this.protocolError(client, ClientMessage.Typing, `typing: ${describeIssue(parsed.error)}`);
    if (client.userData?.spectator !== false) return; // spectators' typing is not relayed
    this.setTyping(client, parsed.data.typing);
  }
}

function notice(client: ArenaClient, out: NoticeOut): void {
  client.send(ServerMessage.Notice, out);
}
