/** A person for the people tests: a guest token, lobby or arena connections that record what arrives, and the HTTP routes. */
import { Client, type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { PeopleMessage, ROOM_ARENA, ROOM_LOBBY, type Inbox, type Notification, type PeopleCounts, type PersonOnline } from "@arena/shared";
import { Arrivals, guestToken, waitForState, type ArenaRoomClient } from "@arena/testkit";

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** Calls a JSON route; `token` undefined sends no Authorization header. */
export async function call<T = Record<string, unknown>>(url: string, method: string, path: string, token: string | undefined, body?: unknown): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
}

/** Decodes a token's user id (the payload's `sub`) without checking it. */
export function userIdOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string }).sub;
}

export class Person {
  readonly notes: Notification[] = [];
  /** When each notification arrived (performance.now()), by id. */
  readonly arrivedAt = new Map<number, number>();
  people: PersonOnline[] = [];
  /** Every scoped list received, in order. */
  readonly lists: PersonOnline[][] = [];
  counts: PeopleCounts | undefined;
  inbox: Inbox | undefined;
  readonly rooms: Room[] = [];
  readonly arrivals: Arrivals;

  private constructor(readonly url: string, readonly name: string, readonly token: string) {
    this.arrivals = new Arrivals(name);
  }

  get userId(): string {
    return userIdOf(this.token);
  }

  static async signIn(url: string, name: string): Promise<Person> {
    return new Person(url, name, await guestToken(url, name));
  }

  /** The same person (same token) through another process or tab. */
  at(url: string): Person {
    return new Person(url, this.name, this.token);
  }

  private client(): Client {
    const c = new JoinClient(this.url);
    c.auth.token = this.token;
    return c;
  }

  private record(room: Room): void {
    room.onMessage(PeopleMessage.People, (list: PersonOnline[]) => {
      this.people = list;
      this.lists.push(list);
      this.arrivals.poke();
    });
    room.onMessage(PeopleMessage.Counts, (counts: PeopleCounts) => {
      this.counts = counts;
      this.arrivals.poke();
    });
    room.onMessage(PeopleMessage.Notification, (note: Notification) => {
      this.notes.push(note);
      this.arrivedAt.set(note.id, performance.now());
      this.arrivals.poke();
    });
    room.onMessage(PeopleMessage.Inbox, (box: Inbox) => {
      this.inbox = box;
      this.arrivals.poke();
    });
    room.onMessage("*", () => {});
    this.rooms.push(room);
  }

  /** Opens a lobby connection (create: the lobby room of the process at `url`). */
  async lobby(how: "create" | "joinOrCreate" = "joinOrCreate"): Promise<Room> {
    const c = this.client();
    const room = how === "create" ? await c.create(ROOM_LOBBY, {}) : await c.joinOrCreate(ROOM_LOBBY, {});
    this.record(room);
    return room;
  }

  /** Joins a new public arena room (create) or the room `roomId`. */
  async play(roomId?: string): Promise<ArenaRoomClient> {
    const c = this.client();
    const room = (roomId === undefined ? await c.create(ROOM_ARENA, { name: this.name }) : await c.joinById(roomId, { name: this.name })) as ArenaRoomClient;
    this.record(room);
    await waitForState(room, (s: ArenaRoomClient["state"]) => s.players?.get(room.sessionId) !== undefined);
    return room;
  }

  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
    return call<T>(this.url, method, path, this.token, body);
  }

  invite(to: Person, roomId: string): Promise<Reply<{ inviteId?: string; error?: string; message?: string }>> {
    return this.call("POST", "/api/invites", { to: to.userId, roomId });
  }

  answer(inviteId: string, accept: boolean): Promise<Reply<{ roomId?: string; error?: string; message?: string }>> {
    return this.call("POST", `/api/invites/${inviteId}/answer`, { accept });
  }

  until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return this.arrivals.until(predicate, `${this.name}: ${what}`, timeoutMs);
  }

  /** Who `userId` is in this person's last online list. */
  seen(userId: string): PersonOnline | undefined {
    return this.people.find((p) => p.userId === userId);
  }

  async leaveAll(): Promise<void> {
    await Promise.all(this.rooms.filter((r) => r.connection.isOpen).map((r) => r.leave().catch(() => undefined)));
  }
}
