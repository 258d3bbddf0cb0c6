/**
 * Removes the rooms of dead processes from the shared listing.
 *
 * Colyseus only health-checks other processes when one starts, or when an
 * IPC call to a process times out; a process that is SIGKILLed while nobody
 * talks to it would stay listed. So every process here also:
 * - refreshes a heartbeat key (HEARTBEAT_TTL_S) every HEARTBEAT_INTERVAL_MS, and
 * - every SWEEP_INTERVAL_MS, looks at every process in the shared stats whose
 *   IPC channel is gone (Redis drops a dead connection's subscriptions at once)
 *   or whose heartbeat expired (a hung process or a lost host), and asks
 *   Colyseus to health-check it; one that does not answer within
 *   COLYSEUS_PRESENCE_SHORT_TIMEOUT (2 s) is excluded and its rooms removed.
 * The lobby is told about each removed room, and private codes are released.
 *
 * Bound: SIGKILL (socket closed) <= SWEEP + 2 s ~ 3 s; hung process or lost
 * host <= HEARTBEAT_TTL + SWEEP + 2 s ~ 6 s. Documented as GHOST_TIMEOUT_S.
 *
 * While Redis is unreachable, and for HEARTBEAT_TTL_S after it is back, it
 * neither beats nor judges: every process lost its IPC subscription and its
 * heartbeat at once, and each needs a moment to re-subscribe and beat again
 * before the others may take silence for death.
 */
import { matchMaker } from "@colyseus/core";
import type { Presence } from "@colyseus/core";
import { processesListening } from "../colyseusInternals.ts";
import type { Logger } from "../log.ts";
import { releaseCode } from "../matchmaking/roomCodes.ts";
import type { RedisHealth } from "./redisHealth.ts";

export const HEARTBEAT_INTERVAL_MS = 1000;
export const HEARTBEAT_TTL_S = 3;
export const SWEEP_INTERVAL_MS = 1000;
/** Longest time a dead process's rooms stay listed (docs/OPERATIONS.md). */
export const GHOST_TIMEOUT_S = 6;

const LOBBY_CHANNEL = "$lobby";
const aliveKey = (processId: string): string => `arena:alive:${processId}`;

export interface GhostSweeper {
  stop(): void;
}

export function startGhostSweeper(presence: Presence, log: Logger, redis?: RedisHealth): GhostSweeper {
  let sweeping = false;
  let recoveredAt = 0;
  const stopWatching = redis?.onRecovered(() => (recoveredAt = Date.now()));
  const judging = (): boolean => (redis?.up ?? true) && Date.now() - recoveredAt >= HEARTBEAT_TTL_S * 1000;
  const beat = (): void => {
    if (redis !== undefined && !redis.up) return;
    presence.setex(aliveKey(matchMaker.processId), "1", HEARTBEAT_TTL_S)
      .catch((error: unknown) => log.warn("heartbeat failed", { error }));
  };

  const sweepOne = async (processId: string): Promise<void> => {
    const rooms = await matchMaker.query({ processId });
    const alive: boolean = await matchMaker.healthCheckProcessId(processId);
    if (alive) return;
    for (const room of rooms) {
      await presence.publish(LOBBY_CHANNEL, `${room.roomId},1`);
      const code = (room.metadata as { code?: unknown } | undefined)?.code;
      if (typeof code === "string") await releaseCode(presence, code);
    }
    await presence.del(aliveKey(processId));
    log.warn("removed dead process", { deadProcess: processId, rooms: rooms.map((r) => r.roomId) });
  };

  const sweep = async (): Promise<void> => {
    if (sweeping || matchMaker.state !== matchMaker.MatchMakerState.READY || !judging()) return;
    sweeping = true;
    try {
      const stats = await matchMaker.stats.fetchAll();
      const channels = await processesListening(presence);
      const suspects: string[] = [];
      for (const { processId } of stats) {
        if (processId === matchMaker.processId) continue;
        if (!channels.has(processId) || !(await presence.exists(aliveKey(processId)))) suspects.push(processId);
      }
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
      Promise.resolve(presence.del(aliveKey(matchMaker.processId))).catch(() => undefined);
    },
  };
}
