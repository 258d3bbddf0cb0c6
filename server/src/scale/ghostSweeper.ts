/**
 * Removes the rooms of dead processes from the shared listing.
 *
 * Colyseus only health-checks other processes when one starts, or when an
 * IPC call to a process times out; a process that is SIGKILLed while nobody
 * talks to it would stay listed. So every process here also:
 * - beats every HEARTBEAT_INTERVAL_MS: one ZADD of its deadline (now +
 *   HEARTBEAT_TTL_S) in the heartbeats' sorted set (Liveness.ts), and
 * - every SWEEP_INTERVAL_MS, reads the processes past their deadline (one
 *   ZRANGEBYSCORE, empty at rest); for each, the process that takes its
 *   `sweep:<processId>` lease asks Colyseus to health-check it, and one that
 *   does not answer within COLYSEUS_PRESENCE_SHORT_TIMEOUT (2 s) is excluded
 *   and its rooms removed. The lobby is told about each removed room, and
 *   private codes are released, except for a room another process has taken
 *   over meanwhile (it lists the room and keeps its code).
 * Two commands a second per process at rest, whatever the number of
 * processes (it used to read every process's stats, IPC channel and
 * heartbeat key each second: 3 + processes commands).
 *
 * Bound, for SIGKILL, a crash, a hung process or a lost host alike:
 * HEARTBEAT_TTL_S (its last beat's deadline) + SWEEP + 2 s (the health
 * check) ~ 5 s. Documented as GHOST_TIMEOUT_S (6 s, with a second to spare).
 *
 * While Redis is unreachable, and for HEARTBEAT_TTL_S after it is back, it
 * neither beats nor judges: every process lost its IPC subscription and its
 * heartbeat at once, and each needs a moment to re-subscribe and beat again
 * before the others may take silence for death.
 */
import { matchMaker } from "@colyseus/core";
import type { Presence } from "@colyseus/core";
import { announceRoomGone, matchMakerReady } from "../colyseusInternals.ts";
import type { Logger } from "../log.ts";
import { releaseCode } from "../matchmaking/roomCodes.ts";
import { livenessOf } from "./Liveness.ts";
import type { RedisHealth } from "./redisHealth.ts";

export const HEARTBEAT_INTERVAL_MS = 1000;
/** A beat promises the next one within this long; a process past it is a suspect. */
export const HEARTBEAT_TTL_S = 2;
export const SWEEP_INTERVAL_MS = 1000;
/** Longest time a dead process's rooms stay listed (docs/OPERATIONS.md). */
export const GHOST_TIMEOUT_S = 6;
/** One process sweeps a given dead one; this bounds its health check (2 s) and clean-up, after which another may. */
const SWEEP_LEASE_MS = 10_000;

export interface GhostSweeper {
  stop(): void;
}

export function startGhostSweeper(presence: Presence, log: Logger, redis?: RedisHealth): GhostSweeper {
  const liveness = livenessOf(presence);
  let sweeping = false;
  let recoveredAt = 0;
  const stopWatching = redis?.onRecovered(() => (recoveredAt = Date.now()));
  const judging = (): boolean => (redis?.up ?? true) && Date.now() - recoveredAt >= HEARTBEAT_TTL_S * 1000;
  const beat = (): void => {
    if (redis !== undefined && !redis.up) return;
    liveness.beat(matchMaker.processId, Date.now() + HEARTBEAT_TTL_S * 1000)
      .catch((error: unknown) => log.warn("heartbeat failed", { error }));
  };

  const sweepOne = async (processId: string): Promise<void> => {
    const lease = `sweep:${processId}`;
    if (!(await liveness.lease(lease, matchMaker.processId, SWEEP_LEASE_MS))) return; // another process is on it
    try {
      const rooms = await matchMaker.query({ processId });
      const alive: boolean = await matchMaker.healthCheckProcessId(processId);
      if (alive) return; // late, not dead: its next beat clears it
      for (const room of rooms) {
        // Taken over meanwhile (its match restored from a checkpoint by another process, rooms/arena/keeper.ts): listed
        // by its new holder, which told the lobbies itself and keeps its code. Announcing it gone would hide a live match.
        if ((await matchMaker.query({ roomId: room.roomId })).some((r) => r.processId !== processId)) continue;
        await announceRoomGone(presence, room.roomId);
        const code = (room.metadata as { code?: unknown } | undefined)?.code;
        if (typeof code === "string") await releaseCode(presence, code);
      }
      await liveness.forget(processId);
      log.warn("removed dead process", { deadProcess: processId, rooms: rooms.map((r) => r.roomId) });
    } finally {
      await liveness.release(lease, matchMaker.processId);
    }
  };

  const sweep = async (): Promise<void> => {
    if (sweeping || !matchMakerReady() || !judging()) return;
    sweeping = true;
    try {
      const suspects = (await liveness.expired(Date.now())).filter((id) => id !== matchMaker.processId);
      await Promise.all(suspects.map((id) => sweepOne(id)));
    } catch (error) {
      // Redis going away mid-sweep is reported once, by RedisHealth.
      if (redis === undefined || redis.up) log.warn("ghost sweep failed", { error });
    } finally {
      sweeping = false;
    }
  };

  beat();
  const heartbeat = setInterval(beat, HEARTBEAT_INTERVAL_MS);
  const sweeper = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);
  heartbeat.unref();
  sweeper.unref();
  return {
    stop: () => {
      stopWatching?.();
      clearInterval(heartbeat);
      clearInterval(sweeper);
      liveness.forget(matchMaker.processId).catch(() => undefined);
    },
  };
}
