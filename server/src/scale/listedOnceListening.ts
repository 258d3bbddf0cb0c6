/**
 * A new arena room is listed locked, and opened once it answers remote calls.
 *
 * Colyseus 0.18's `handleCreateRoom` records a room's listing (`recordRoom`)
 * and only afterwards subscribes the room to its IPC channel
 * (`createRoomReferences`). A process that reads the listing in between sends
 * its seat reservation to a channel nobody listens to yet: the reply never
 * comes, `reserveSeatFor` waits out REMOTE_ROOM_SHORT_TIMEOUT (2 s), health-
 * checks the process and gives up on the room. In a rush over two processes
 * that is the 2 s step in the join tail (docs/BENCHMARKS.md, "Where a join's
 * time goes"). The handler's "create" event is emitted after the subscription,
 * so the room opens there.
 *
 * Relies on (pinned by server/test/listed-once-listening.test.ts and
 * server/test/colyseus-internals.test.ts): the listing object (`_listing`) is
 * what `recordRoom` writes; `lock(true)` (an internal lock) sets the room
 * locked without writing the listing (which is not recorded yet) and without
 * marking the lock explicit (both in colyseusInternals.ts); "create" follows
 * the IPC subscription.
 */
import type { Room } from "@colyseus/core";
import { listLockedBeforeRecorded } from "../colyseusInternals.ts";
import type { Logger } from "../log.ts";

/** Called in onCreate: the listing Colyseus is about to record says locked. */
export function listLocked(room: Room): void {
  listLockedBeforeRecorded(room);
}

/** Opens each room of `handler` once Colyseus has it listening on its IPC channel. */
export function openOnceListening(handler: { on(event: "create", listener: (room: Room) => void): unknown }, log: Logger): void {
  handler.on("create", (room) => {
    room.unlock().catch((error: unknown) => log.warn("opening a new room's listing failed", { room: room.roomId, error }));
  });
}
