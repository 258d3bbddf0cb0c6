/**
 * After a Redis outage, puts back what this process keeps in Redis. A Redis
 * that restarted without persistence (the default for everything but the
 * leaderboard, see docs/OPERATIONS.md) has lost it all; one that only dropped
 * connections missed the writes made meanwhile. Either way, with data or not:
 * - this process's entry in the shared stats (online counts, process list);
 * - the listings of its rooms (Colyseus' restoreMissingRoomCaches), and the
 *   removal of listings of its rooms that ended during the outage;
 * - the private codes of its rooms, so no new room can be given one in use;
 * - the lobby notices that could not be published meanwhile.
 * The ghost sweeper's heartbeat comes back by itself within a second.
 */
import { matchMaker } from "@colyseus/core";
import { announceRoomGone, matchMakerReady, roomListing } from "../colyseusInternals.ts";
import type { Logger } from "../log.ts";
import { CODES_KEY } from "../matchmaking/roomCodes.ts";
import type { ResilientRedisPresence } from "./ResilientRedisPresence.ts";

export async function restoreAfterOutage(presence: ResilientRedisPresence, log: Logger): Promise<void> {
  if (!matchMakerReady()) return;
  const t0 = Date.now();
  await matchMaker.stats.persist(true);
  await matchMaker.restoreMissingRoomCaches();
  const listed = await matchMaker.query({ processId: matchMaker.processId });
  let removed = 0;
  let codes = 0;
  for (const listing of listed) {
    const room = matchMaker.getLocalRoomById(listing.roomId);
    if (room === undefined) {
      await matchMaker.driver.remove(listing.roomId);
      await announceRoomGone(presence, listing.roomId);
      removed++;
      continue;
    }
    // The room's own copy of its listing kept every change (players in and out) that could not be written.
    await matchMaker.driver.persist(roomListing(room));
    const code = (listing.metadata as { code?: unknown } | undefined)?.code;
    if (typeof code === "string") {
      await presence.hincrby(CODES_KEY, code, 1);
      codes++;
    }
  }
  const lobbyNotices = await presence.replayLobbyNotices();
  log.info("restored state in redis after outage", { rooms: listed.length - removed, removedListings: removed, codes, lobbyNotices, ms: Date.now() - t0 });
}
