/**
 * The lobby's part in people: each visitor counts as online "in lobby" and
 * gets their kept notifications on join; the room sends the online list on
 * join and again whenever it changes (re-read every PUBLISH_MS).
 */
import type { Client, Room } from "@colyseus/core";
import { PeopleMessage, type PersonOnline } from "@arena/shared";
import type { GuestIdentity } from "../auth.ts";
import type { Logger } from "../log.ts";
import type { People } from "./People.ts";
import { PUBLISH_MS } from "./PeopleDirectory.ts";

/**
 * Most people the lobby sends (first by name): the list goes to every lobby
 * visitor on each change, so its size is bounded. GET /api/people has everyone, a page at a time.
 */
export const LOBBY_PEOPLE_MAX = 100;

export class LobbyPeople {
  private list: PersonOnline[] = [];
  private text = "[]";

  constructor(private readonly room: Room, private readonly people: People, log: Logger) {
    room.clock.setInterval(() => {
      people.directory.online().then((list) => {
        const shown = list.slice(0, LOBBY_PEOPLE_MAX);
        const text = JSON.stringify(shown);
        if (text === this.text) return;
        this.list = shown;
        this.text = text;
        room.broadcast(PeopleMessage.People, shown);
      }, (error: unknown) => {
        if (people.directory.up()) log.warn("people list read failed", { error });
      });
    }, PUBLISH_MS);
  }

  joined(client: Client): void {
    const who = client.auth as GuestIdentity | undefined;
    if (who === undefined) return;
    this.people.connected(this.room.roomId, client, who, () => ({ status: "lobby" }), true);
    client.send(PeopleMessage.People, this.list);
  }

  left(client: Client): void {
    this.people.disconnected(this.room.roomId, client);
  }
}
