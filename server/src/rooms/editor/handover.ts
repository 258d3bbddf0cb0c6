/**
 * Editor rooms hand their maps over on SIGTERM, as arena rooms hand over their matches (docs/OPERATIONS.md,
 * "Editor rooms on a deploy"). An editor room's state is already in Redis (snapshot + op stream, store.ts), so
 * there is no checkpoint to pass on, only a room to open elsewhere before the editors are told to move:
 *
 * 1. The stopping process's room stops taking ops (an editor keeps an unconfirmed op and sends it again after
 *    its reconnection, so nothing sent is lost or applied twice), waits for every op it took to be stored and
 *    acknowledged, and saves a snapshot.
 * 2. It announces the map on `editor:handed-over`. Each other process hears it; the one that takes the lease
 *    `arena:chore:editor-reopen:<mapId>` (exactly one) opens the map's room from Redis, unless another process
 *    already lists one. Rooms of a map are otherwise only created through matchmaking's joinOrCreate, which
 *    Colyseus serialises per map; the lease keeps this second path to one room too.
 * 3. Once that room is listed, the stopping room closes its editors with 4010 (CloseCode.MAY_TRY_RECONNECT):
 *    the client (client/src/editor/connection.ts) joins the map again at once, lands in the new room (the only
 *    one listed), catches up from its last version and sends what was unconfirmed.
 *
 * If no other process opens it within REOPEN_WAIT_MS, nothing is handed over: the shutdown ends the room as
 * before (4001), and the editors join again after their usual pause.
 */
import { ROOM_EDITOR } from "@arena/shared/editor";
import { matchMaker, type Presence } from "@colyseus/core";
import type { Logger } from "../../log.ts";
import { livenessOf } from "../../scale/Liveness.ts";
import type { EditorRoom } from "./EditorRoom.ts";

const CHANNEL = "editor:handed-over";
/** How long a stopping process waits for another to list the map's room before it gives up handing it over. */
export const REOPEN_WAIT_MS = 3000;
const POLL_MS = 25;
/** The reopening lease outlasts one reopening (a load from Redis), so two processes never open the same map. */
const REOPEN_LEASE_MS = 10_000;

interface Announcement {
  readonly mapId: string;
  readonly from: string;
}

/** Whether another process than `except` lists a room for `mapId`. */
async function listedElsewhere(mapId: string, except: string): Promise<boolean> {
  const listed = await matchMaker.query({ name: ROOM_EDITOR, mapId } as Record<string, unknown>);
  return listed.some((l) => l.processId !== except);
}

export class EditorHandover {
  private listening = false;

  constructor(private readonly presence: Presence, private readonly log: Logger) {}

  /** Starts taking maps other processes hand over. */
  start(): void {
    this.listening = true;
    void this.presence.subscribe(CHANNEL, this.heard);
  }

  /** A stopping process takes nothing over. */
  stop(): void {
    this.listening = false;
    this.presence.unsubscribe(CHANNEL, this.heard);
  }

  private readonly heard = (message: unknown): void => {
    const m = message as Partial<Announcement> | undefined;
    if (!this.listening || typeof m?.mapId !== "string" || typeof m.from !== "string" || m.from === matchMaker.processId) return;
    void this.reopen({ mapId: m.mapId, from: m.from }).catch((error: unknown) => this.log.warn("reopening a map handed over failed", { mapId: m.mapId, error }));
  };

  /** Opens the map's room here, if this process is the one to do it and nobody else lists one. */
  private async reopen(a: Announcement): Promise<void> {
    const liveness = livenessOf(this.presence);
    if (!(await liveness.lease(`editor-reopen:${a.mapId}`, matchMaker.processId, REOPEN_LEASE_MS))) return;
    if (await listedElsewhere(a.mapId, a.from)) return;
    // As a join would create it (filterBy mapId): the room loads the map from Redis. clientId is not used at creation.
    await matchMaker.createRoom(ROOM_EDITOR, { mapId: a.mapId, clientId: "handover" });
    this.log.info("reopened a map handed over", { mapId: a.mapId, from: a.from });
  }

  /**
   * Hands every editor room of this process over (SIGTERM with other processes up); resolves with how many
   * went. A room not handed over stays for the shutdown to end.
   */
  async handOverAll(): Promise<number> {
    const listed = await matchMaker.query({ processId: matchMaker.processId, name: ROOM_EDITOR }).catch(() => []);
    const results = await Promise.all(listed.map(async (l) => {
      const room = matchMaker.getLocalRoomById(l.roomId) as EditorRoom | undefined;
      return room === undefined ? false : room.handOver((mapId) => this.announce(mapId)).catch((error: unknown) => {
        this.log.warn("handing an editor room over failed", { room: l.roomId, error });
        return false;
      });
    }));
    const handedOver = results.filter(Boolean).length;
    this.log.info("editor rooms handed over", { rooms: listed.length, handedOver });
    return handedOver;
  }

  /** Tells the others `mapId` is to be opened, and resolves once another process lists its room (false after REOPEN_WAIT_MS). */
  private async announce(mapId: string): Promise<boolean> {
    const self = matchMaker.processId;
    await this.presence.publish(CHANNEL, { mapId, from: self } satisfies Announcement);
    for (const until = Date.now() + REOPEN_WAIT_MS; Date.now() < until;) {
      if (await listedElsewhere(mapId, self)) return true;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return false;
  }
}
