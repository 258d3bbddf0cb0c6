/** SDK-side helpers for matchmaking tests: code joins, spectating, the lobby, and an SSE reader. */
import { Client, type Room } from "@colyseus/sdk";
import { ROOM_ARENA, ROOM_LOBBY, type CodeJoinRequest } from "@arena/shared";
import { guestToken, waitForState, type ArenaRoomClient } from "./helpers.ts";

export interface SignedIn {
  client: Client;
  token: string;
}

export async function signIn(url: string, name: string, clientUrl = url): Promise<SignedIn> {
  const token = await guestToken(url, name);
  const client = new Client(clientUrl);
  client.auth.token = token;
  return { client, token };
}

/** Quick play: the fullest open public room of the mode, or a new one. */
export async function quickPlay(url: string, name: string): Promise<ArenaRoomClient> {
  const { client } = await signIn(url, name);
  const room = (await client.joinOrCreate(ROOM_ARENA, { name, mode: "ffa" })) as ArenaRoomClient;
  await waitForState(room, (s) => s.players?.get(room.sessionId) !== undefined);
  return room;
}

export async function createPrivate(url: string, name: string): Promise<ArenaRoomClient> {
  const { client } = await signIn(url, name);
  const room = (await client.create(ROOM_ARENA, { name, private: true })) as ArenaRoomClient;
  await waitForState(room, (s) => s.players?.get(room.sessionId) !== undefined);
  return room;
}

export class HttpError extends Error {
  constructor(readonly status: number, readonly body: { error?: string; message?: string }) {
    super(`${status} ${body.error}: ${body.message}`);
  }
}

async function reserve(url: string, token: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: string; message?: string };
  if (!res.ok) throw new HttpError(res.status, json);
  return json;
}

/** Joins a private room by its code (or watches it with `spectate`) through the process at `url`. */
export async function joinByCode(url: string, name: string, req: Omit<CodeJoinRequest, "name">): Promise<ArenaRoomClient> {
  const { client, token } = await signIn(url, name);
  const reservation = await reserve(url, token, "/api/matchmake/code", { ...req, name });
  return (await client.consumeSeatReservation(reservation as never)) as ArenaRoomClient;
}

export async function spectate(url: string, name: string, roomId: string): Promise<ArenaRoomClient> {
  const { client, token } = await signIn(url, name);
  const reservation = await reserve(url, token, "/api/matchmake/spectate", { roomId, name });
  return (await client.consumeSeatReservation(reservation as never)) as ArenaRoomClient;
}

export interface LobbyListing {
  roomId: string;
  processId: string;
  clients: number;
  metadata?: { players?: number; phase?: string; mode?: string; code?: string };
}

/** Predicates waiting for something to arrive: `poke()` after each arrival re-checks them. */
class Arrivals {
  private waiters: Array<() => void> = [];

  constructor(private readonly source: string) {}

  poke(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `predicate` holds (now or after some arrival); rejects after `timeoutMs`. */
  until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.source}: timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
}

/** A lobby client that mirrors the listing, the online count and the leaderboard as they arrive. */
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

  /** Creates the lobby room on the process at `url` (create: the room lives where the request went). */
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

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** Reads a text/event-stream response: events and comment lines, as they arrive. */
export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  private readonly arrivals = new Arrivals("sse");
  private readonly abort = new AbortController();
  response!: Response;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = new SseReader();
    r.response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: r.abort.signal });
    void r.pump();
    return r;
  }

  private async pump(): Promise<void> {
    const reader = this.response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let sep: number;
        while ((sep = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, sep);
          buffer = buffer.slice(sep + 2);
          const ev: SseEvent = { data: "" };
          let isEvent = false;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) this.comments.push(line.slice(1).trim());
            else if (line.startsWith("id: ")) { ev.id = line.slice(4); isEvent = true; }
            else if (line.startsWith("event: ")) { ev.event = line.slice(7); isEvent = true; }
            else if (line.startsWith("data: ")) { ev.data += line.slice(6); isEvent = true; }
          }
          if (isEvent) this.events.push(ev);
          this.arrivals.poke();
        }
      }
    } catch {
      // aborted
    }
  }

  until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return this.arrivals.until(predicate, what, timeoutMs);
  }

  close(): void {
    this.abort.abort();
  }
}
