/**
 * Play again: on the results screen, every player of the room who presses it is sent the same next room,
 * opened on the first press with this room's kind (a public quick-play room, a private room with a new code,
 * or a practice room with the same bots, on the same map), so the group plays its next match together and the
 * bots there are set for the people who came. One next room per match at most, whoever sends how many
 * presses; a new match forgets it.
 */
import { matchMaker } from "@colyseus/core";
import { ClientMessage, ROOM_ARENA, ServerMessage, type GameMode, type MapRef, type NextRoomOut, type NoticeOut } from "@arena/shared";
import type { Logger } from "../../log.ts";
import type { ArenaRoom } from "./ArenaRoom.ts";
import type { BotPlan } from "./botFill.ts";
import type { ProtocolError } from "./chat.ts";
import { ClientMessages, describeIssue } from "./messages.ts";
import type { ArenaClient } from "./settings.ts";

/** What the next room is created like (the create options of this room's kind). */
export interface RoomKind {
  readonly mode: GameMode;
  readonly private: boolean;
  readonly plan: BotPlan;
  readonly map: MapRef | undefined;
}

/** The create options of a room of `kind` (the same options a player's create would send). */
export function nextRoomOptions(kind: RoomKind): Record<string, unknown> {
  return {
    mode: kind.mode,
    ...(kind.plan.kind === "practice" ? { bots: kind.plan.count, difficulty: kind.plan.difficulty } : kind.private ? { private: true } : {}),
    ...(kind.map !== undefined ? { map: kind.map } : {}),
  };
}

export class PlayAgain {
  /** The next room of the current match's group, once the first press asked for it. */
  private next: Promise<string> | undefined;

  constructor(
    private readonly room: Pick<ArenaRoom, "state" | "onMessage" | "roomId">,
    private readonly kind: () => RoomKind,
    private readonly protocolError: ProtocolError,
    private readonly log: Logger,
  ) {}

  listen(): void {
    this.room.onMessage(ClientMessage.PlayAgain, (client: ArenaClient, raw: unknown) => this.onPress(client, raw));
  }

  /** A new match started: its group will have its own next room. */
  forget(): void {
    this.next = undefined;
  }

  private onPress(client: ArenaClient, raw: unknown): void {
    const parsed = ClientMessages[ClientMessage.PlayAgain].safeParse(raw);
    if (!parsed.success) return this.protocolError(client, ClientMessage.PlayAgain, `playAgain: ${describeIssue(parsed.error)}`);
    if (client.userData?.spectator !== false) return notice(client, "spectators watch; Play again is for players");
    if (this.room.state.phase !== "results") return notice(client, "Play again opens when the match has ended");
    this.next ??= this.open();
    this.next.then((roomId) => client.send(ServerMessage.NextRoom, { roomId } satisfies NextRoomOut), () => {
      notice(client, "the next room could not be opened; try quick play from the lobby");
    });
  }

  private async open(): Promise<string> {
    const options = nextRoomOptions(this.kind());
    try {
      const created = await matchMaker.createRoom(ROOM_ARENA, options);
      this.log.info("next room opened for Play again", { next: created.roomId, options });
      return created.roomId;
    } catch (error) {
      this.log.warn("next room for Play again failed", { error, options });
      this.next = undefined; // a later press tries again
      throw error;
    }
  }
}

function notice(client: ArenaClient, message: string): void {
  client.send(ServerMessage.Notice, { code: "play_again_unavailable", message } satisfies NoticeOut);
}
