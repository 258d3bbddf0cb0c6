/**
 * The rooms of one name that live on this process, kept from the handler's
 * `create` and `dispose` events (public Colyseus API): the status feed counts
 * its rooms, matches and bots from them each second without reading the
 * shared listing, whose size grows with every room of the cluster.
 */
import { matchMaker, type Room } from "@colyseus/core";

export class LocalRooms {
  private readonly rooms = new Set<Room>();
  private unwatch: (() => void) | undefined;

  /** Starts following `roomName` (defined by now); rooms created earlier are not seen. */
  watch(roomName: string): void {
    const handler = matchMaker.getAllHandlers()[roomName];
    if (this.unwatch !== undefined || handler === undefined) return;
    const created = (room: Room): void => void this.rooms.add(room);
    const disposed = (room: Room): void => void this.rooms.delete(room);
    handler.on("create", created);
    handler.on("dispose", disposed);
    this.unwatch = () => {
      handler.off("create", created);
      handler.off("dispose", disposed);
    };
  }

  all(): Iterable<Room> {
    return this.rooms;
  }

  get size(): number {
    return this.rooms.size;
  }

  stop(): void {
    this.unwatch?.();
    this.rooms.clear();
  }
}
