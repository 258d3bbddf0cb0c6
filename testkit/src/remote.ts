/**
 * @arena/testkit/remote: the harness without the in-process server, for what
 * drives servers from outside (the load tester, benchmarks, worker processes):
 * importing it loads no server code.
 */
export { TEST_SECRET } from "./secret.ts";
export { guestToken, signIn, type SignedIn } from "./auth.ts";
export {
  answerPings, createArenaOverHttp, createPrivate, dropSocket, holdInput, HttpError, joinArena, joinByCode, quickPlay, sendRaw, spectate, waitForOwnPlayer,
  type ArenaRoomClient,
} from "./rooms.ts";
export { FACE_OFF_SHOOTER, faceOff, firingRight } from "./faceOff.ts";
export { Arrivals, countPatches, roomKeepsStepping, waitForLeave, waitForMessage, waitForState, waitForStateWithinTicks } from "./waits.ts";
export { LobbyWatcher, type LobbyListing } from "./lobby.ts";
export { SseReader, type SseEvent } from "./sse.ts";
export { sendFrom, type Reply, type SendOptions } from "./httpFrom.ts";
export { frameCode, tapFrames, type FrameTap } from "./frames.ts";
export { parseMetrics, readMetrics, type MetricsSnapshot } from "./metrics.ts";
export {
  INSTALL_HINT, REPO_ROOT, SERVER_MAIN, exited, freePort, nodeArgs, requireBinary, serverEntry, sampleProcess, spawnServer, spawnTracked, startProcess, waitForLine,
  type GameServerProcess, type ProcessSample, type ServerProcess, type StartProcessOptions,
} from "./processes.ts";
export { RestartableRedis, startRedis, type RedisProcess } from "./redis.ts";
export { startRedisCluster, type ClusterNodeProcess, type RedisClusterOptions, type RedisClusterProcess } from "./redisCluster.ts";
export { startRedisSentinel, type RedisSentinelProcess } from "./redisSentinel.ts";
export { nginxPrefix, startNginx, type NginxProcess } from "./nginx.ts";
export { mean, quantile } from "./stats.ts";
export { inFlight } from "./inFlight.ts";
export { BENCHMARKS_MD, machineLine, writeSection } from "./report.ts";
export { seededBytes, seededRandom } from "./random.ts";
export { CacheEvictor, COLD_BYTES } from "./coldCaches.ts";
export { joinEditor, newMapId, type Editor } from "./editor.ts";
