/**
 * The lobby feed: a connection to the `lobby` room that keeps the live list of
 * public rooms, a page at a time (Colyseus' LobbyRoom protocol: "rooms" is the
 * page, "+" and "-" its rooms' changes; `rooms_page` says which page of how
 * many), the number of players online on every process, and the leaderboard.
 */
import { type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import {
  LobbyMessage, LobbyRoomsMessage, ROOM_LOBBY, type ArenaRoomMetadata, type LeaderboardSnapshot, type OnlineOut, type RoomsPageOut,
} from "@arena/shared";

/** One public room as the lobby lists it. */
export interface RoomListing {
  roomId: string;
  processId: string;
  clients: number;
  maxClients: number;
  locked: boolean;
  metadata: ArenaRoomMetadata;
}

export interface LobbyView {
  rooms: RoomListing[];
  /** Which page of the public rooms `rooms` is. */
  roomsPage: RoomsPageOut | undefined;
  online: OnlineOut | undefined;
  leaderboard: LeaderboardSnapshot | undefined;
}

export class LobbyFeed {
  private readonly rooms = new Map<string, RoomListing>();
  private online: OnlineOut | undefined;
  private roomsPage: RoomsPageOut | undefined;
  private leaderboard: LeaderboardSnapshot | undefined;
  private room: Room | undefined;
  private closed = false;

  /** `onRoom` sees the lobby connection once joined, for messages beyond the listing (people, notifications). */
  constructor(private readonly onChange: (view: LobbyView) => void, private readonly onRoom: (room: Room) => void = () => {}) {}

  /** Joins the lobby room; the feed updates until close(). */
  async open(serverUrl: string, token: string): Promise<void> {
    const client = new JoinClient(serverUrl);
    client.auth.token = token;
    const room = await client.joinOrCreate(ROOM_LOBBY);
    if (this.closed) {
      void room.leave();
      return;
    }
    this.room = room;
    this.onRoom(room);
    room.onMessage("rooms", (list: RoomListing[]) => {
      this.rooms.clear();
      for (const r of list) this.rooms.set(r.roomId, r);
      this.emit();
    });
    room.onMessage("+", ([roomId, listing]: [string, RoomListing]) => {
      this.rooms.set(roomId, { ...listing, roomId });
      this.emit();
    });
    room.onMessage("-", (roomId: string) => {
      this.rooms.delete(roomId);
      this.emit();
    });
    room.onMessage(LobbyRoomsMessage.Page, (page: RoomsPageOut) => {
      this.roomsPage = page;
      this.emit();
    });
    room.onMessage(LobbyMessage.Online, (online: OnlineOut) => {
      this.online = online;
      this.emit();
    });
    room.onMessage(LobbyMessage.Leaderboard, (board: LeaderboardSnapshot) => {
      if (this.leaderboard !== undefined && board.version < this.leaderboard.version) return;
      this.leaderboard = board;
      this.emit();
    });
  }

  /** Asks for page `page` of the public rooms (from 0). */
  page(page: number): void {
    if (this.room?.connection.isOpen) this.room.send(LobbyRoomsMessage.Page, { page });
  }

  close(): void {
    this.closed = true;
    if (this.room?.connection.isOpen) void this.room.leave();
    this.room = undefined;
  }

  private emit(): void {
    const rooms = [...this.rooms.values()].sort((a, b) => b.metadata.players - a.metadata.players || a.roomId.localeCompare(b.roomId));
    this.onChange({ rooms, roomsPage: this.roomsPage, online: this.online, leaderboard: this.leaderboard });
  }
}
