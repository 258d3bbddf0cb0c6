/** A lobby client that mirrors the listing, the online count and the leaderboard as they arrive. */
import type { Room } from "@colyseus/sdk";
import { ROOM_LOBBY } from "@arena/shared";
import { signIn } from "./auth.ts";
import { Arrivals } from "./waits.ts";

export interface LobbyListing {
  roomId: string;
  processId: string;
  clients: number;
  metadata?: { players?: number; phase?: string; mode?: string; code?: string };
}

export class LobbyWatcher {
  readonly rooms = new Map<string, LobbyListing>();
  online = { players: -1, processes: -1 };
  board: { version: number; allTime: { userId: string; score: number }[] } | undefined;
  private readonly arrivals = new Arrivals("lobby");

  private constructor(readonly room: Room) {
    room.onMessage("rooms", (list: LobbyListing[]) => {
      this.rooms.clear();
      for (const r of list) this.rooms.set(r.roomId, r);
      this.arrivals.poke();
    });
    room.onMessage("+", ([id, r]: [string, LobbyListing]) => {
      this.rooms.set(id, r);
      this.arrivals.poke();
    });
    room.onMessage("-", (id: string) => {
      this.rooms.delete(id);
      this.arrivals.poke();
    });
    room.onMessage("online", (o: { players: number; processes: number }) => {
      this.online = o;
      this.arrivals.poke();
    });
    room.onMessage("leaderboard", (b: LobbyWatcher["board"]) => {
      this.board = b;
      this.arrivals.poke();
    });
  }

  /** Signs in and opens the lobby room on the process at `url` (create: the room lives where the request went). */
  static async open(url: string, how: "create" | "joinOrCreate" = "joinOrCreate"): Promise<LobbyWatcher> {
    const { client } = await signIn(url, "lobby-watcher");
    const room = how === "create" ? await client.create(ROOM_LOBBY, {}) : await client.joinOrCreate(ROOM_LOBBY, {});
    return new LobbyWatcher(room);
  }

  /** Resolves when `predicate` holds after some lobby message; rejects after `timeoutMs`. */
  until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return this.arrivals.until(predicate, what, timeoutMs);
  }
}
