/**
 * The lobby's room list a page at a time, on a real server with the real SDK: a visitor gets the
 * LOBBY_ROOMS_PAGE fullest rooms and the page info, not every public room; asks for the next page; a change
 * of a room on their page arrives at once, a room of another page does not reach them; a room that ends leaves
 * their page at once; garbage page requests are ignored and a flood of them is cut to
 * LOBBY_PAGE_REQUESTS_PER_S, while another visitor's list goes on.
 */
import type { Room } from "@colyseus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOBBY_PAGE_REQUESTS_PER_S, LOBBY_ROOMS_PAGE, LobbyRoomsMessage, ROOM_ARENA, ROOM_LOBBY, type RoomsPageOut } from "@arena/shared";
import { Arrivals, signIn, startTestServer, waitForState, type ArenaRoomClient, type RunningServer } from "@arena/testkit";

const ROOMS = LOBBY_ROOMS_PAGE + 5;
let server: RunningServer;
const seats: Room[] = [];

interface Listing {
  roomId: string;
  metadata: { players: number };
}

/** A lobby visitor that records every message of the room list. */
class Visitor {
  readonly arrivals = new Arrivals("visitor");
  rooms = new Map<string, Listing>();
  page: RoomsPageOut | undefined;
  /** Every message, in order: [type, payload]. */
  readonly log: [string, unknown][] = [];

  private constructor(readonly room: Room) {
    room.onMessage("rooms", (list: Listing[]) => {
      this.rooms = new Map(list.map((r) => [r.roomId, r]));
      this.record("rooms", list);
    });
    room.onMessage("+", ([id, r]: [string, Listing]) => {
      this.rooms.set(id, r);
      this.record("+", id);
    });
    room.onMessage("-", (id: string) => {
      this.rooms.delete(id);
      this.record("-", id);
    });
    room.onMessage(LobbyRoomsMessage.Page, (page: RoomsPageOut) => {
      this.page = page;
      this.record(LobbyRoomsMessage.Page, page);
    });
    room.onMessage("*", () => {});
    room.onLeave(() => this.arrivals.poke());
  }

  private record(type: string, payload: unknown): void {
    this.log.push([type, payload]);
    this.arrivals.poke();
  }

  static async open(name: string): Promise<Visitor> {
    const { client } = await signIn(server.url, name);
    return new Visitor(await client.create(ROOM_LOBBY, {}));
  }

  until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return this.arrivals.until(predicate, what, timeoutMs);
  }
}

/** Opens a public arena room with `players` people in it (BOT_FILL=0: nobody else). */
async function openRoom(players: number, name: string): Promise<ArenaRoomClient> {
  const { client } = await signIn(server.url, `${name}-0`);
  const first = (await client.create(ROOM_ARENA, { name: `${name}-0` })) as ArenaRoomClient;
  seats.push(first);
  for (let i = 1; i < players; i++) {
    const other = await signIn(server.url, `${name}-${i}`);
    const seat = (await other.client.joinById(first.roomId, { name: `${name}-${i}` })) as ArenaRoomClient;
    seats.push(seat);
  }
  await waitForState(first, (s: ArenaRoomClient["state"]) => s.players.size === players);
  return first;
}

beforeAll(async () => {
  server = await startTestServer({ BOT_FILL: "0" });
}, 30_000);

afterAll(async () => {
  await Promise.all(seats.filter((s) => s.connection.isOpen).map((s) => s.leave().catch(() => undefined)));
  await server?.close();
});

describe("the lobby's room list", () => {
  let busiest: ArenaRoomClient;
  let lonely: ArenaRoomClient[] = [];

  it(`is sent ${LOBBY_ROOMS_PAGE} rooms at a time, the fullest first, with the page, the pages and the total`, async () => {
    busiest = await openRoom(3, "busy");
    const second = await openRoom(2, "second");
    lonely = [];
    for (let i = 0; i < ROOMS - 2; i++) lonely.push(await openRoom(1, `lone${i}`));
    const visitor = await Visitor.open("v1");
    await visitor.until(() => visitor.page?.total === ROOMS, `${ROOMS} rooms listed`);
    expect(visitor.page).toEqual({ page: 0, pages: 2, total: ROOMS, pageSize: LOBBY_ROOMS_PAGE });
    expect(visitor.rooms.size).toBe(LOBBY_ROOMS_PAGE);
    const first = visitor.log.filter(([t]) => t === "rooms").at(-1)![1] as Listing[];
    expect(first[0]!.roomId).toBe(busiest.roomId);
    expect(first[1]!.roomId).toBe(second.roomId);
    // The page holds the fullest: everything left off it has no more players than anything on it.
    const onPage = new Set(first.map((r) => r.roomId));
    expect(lonely.filter((r) => !onPage.has(r.roomId))).toHaveLength(ROOMS - LOBBY_ROOMS_PAGE);

    visitor.room.send(LobbyRoomsMessage.Page, { page: 1 });
    await visitor.until(() => visitor.page?.page === 1, "page 2");
    expect(visitor.rooms.size).toBe(ROOMS - LOBBY_ROOMS_PAGE);
    for (const id of visitor.rooms.keys()) expect(onPage.has(id)).toBe(false);
    // Past the last page: the last.
    visitor.room.send(LobbyRoomsMessage.Page, { page: 99 });
    visitor.room.send(LobbyRoomsMessage.Page, { page: 0 });
    await visitor.until(() => visitor.page?.page === 0, "back to page 1");
    await visitor.room.leave();
  }, 120_000);

  it("sends a change or the end of a room on one's page at once, and nothing of rooms on other pages", async () => {
    const onFirst = await Visitor.open("v-first");
    const onSecond = await Visitor.open("v-second");
    await onFirst.until(() => onFirst.page?.total === ROOMS, "the first page");
    onSecond.room.send(LobbyRoomsMessage.Page, { page: 1 });
    await onSecond.until(() => onSecond.page?.page === 1, "the second page");
    const secondIds = new Set(onSecond.rooms.keys());
    // A player leaves the busiest room (on page 1 only): its visitors hear "+" with 2 players; the others nothing.
    const secondLogAt = onSecond.log.length;
    const firstLogAt = onFirst.log.length;
    const leaver = seats.find((s) => s.roomId === busiest.roomId && s !== busiest)!;
    await leaver.leave();
    await onFirst.until(() => onFirst.rooms.get(busiest.roomId)?.metadata.players === 2, "the busiest room down to 2");
    expect(onFirst.log.slice(firstLogAt).some(([t, id]) => t === "+" && id === busiest.roomId)).toBe(true);
    // A room of the second page ends: gone from that page at once ("-"), and the first page never hears of it.
    const ending = lonely.find((r) => secondIds.has(r.roomId))!;
    await ending.leave();
    await onSecond.until(() => !onSecond.rooms.has(ending.roomId), "the ended room gone");
    expect(onSecond.log.slice(secondLogAt).some(([t, id]) => t === "-" && id === ending.roomId)).toBe(true);
    await onFirst.until(() => onFirst.page?.total === ROOMS - 1, "the total down by one");
    for (const [type, payload] of onFirst.log.slice(firstLogAt)) {
      if (type === "+" || type === "-") expect(secondIds.has(payload as string), `${type} ${String(payload)}`).toBe(false);
    }
    for (const [, payload] of onSecond.log.slice(secondLogAt).filter(([t]) => t === "+")) expect(payload).not.toBe(busiest.roomId);
    await Promise.all([onFirst.room.leave(), onSecond.room.leave()]);
  }, 60_000);

  it(`ignores garbage page requests and cuts a flood to ${LOBBY_PAGE_REQUESTS_PER_S} a second, while another visitor's list goes on`, async () => {
    const hostile = await Visitor.open("hostile");
    const bystander = await Visitor.open("bystander");
    await hostile.until(() => hostile.page !== undefined, "a page");
    await bystander.until(() => bystander.page !== undefined, "a page");
    const pages = (): number[] => hostile.log.filter(([t]) => t === LobbyRoomsMessage.Page).map(([, p]) => (p as RoomsPageOut).page);
    // Garbage that a careless reading would take for page 1, then a valid request for page 0: only page 0 answers.
    const before = pages().length;
    for (const garbage of [{ page: 1.5 }, { page: "1" }, { page: [1] }, { page: 1e12 }, { page: -1 }, { page: null }, {}, null, "1", 1, [1], { page: { $gt: 0 } }]) {
      hostile.room.send(LobbyRoomsMessage.Page, garbage);
    }
    hostile.room.send(LobbyRoomsMessage.Page, { page: 0 });
    await hostile.until(() => pages().length > before, "the answer to page 0");
    expect(pages().slice(before)).toEqual([0]);
    // A flood alternating between the pages (200: under the transport's own frame burst, MESSAGE_BURST, past which
    // the socket is closed): at most the lobby's burst of them is answered (the one above took one).
    const flooded = pages().length;
    for (let i = 0; i < 200; i++) hostile.room.send(LobbyRoomsMessage.Page, { page: 1 - (i % 2) });
    // Meanwhile a room of the bystander's page ends: their list goes on.
    const bystanderAt = bystander.log.length;
    const changed = lonely.find((r) => r.connection.isOpen && bystander.rooms.has(r.roomId))!;
    await changed.leave();
    await bystander.until(() => bystander.log.slice(bystanderAt).some(([t, id]) => t === "-" && id === changed.roomId), "the bystander's list goes on");
    expect(hostile.room.connection.isOpen).toBe(true);
    const answered = pages().length - flooded;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThanOrEqual(LOBBY_PAGE_REQUESTS_PER_S + 1);
    await Promise.all([hostile.room.leave(), bystander.room.leave()]);
  }, 60_000);
});
