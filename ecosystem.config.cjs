/**
 * PM2: N game processes on one Redis (`npm run start:cluster`).
 *
 * Environment (all optional):
 *   ARENA_PROCESSES  number of game processes (default: number of cores)
 *   BASE_PORT        port of the first process; the others follow (default 2567)
 *   PUBLIC_HOST      host (and port) clients reach through nginx, e.g. game.example.com;
 *                    each process then announces PUBLIC_ADDRESS=<PUBLIC_HOST>/<its port>,
 *                    which deploy/nginx routes to it. Unset: 127.0.0.1:<port> (direct, local).
 *   REDIS_URL        default redis://127.0.0.1:6379, unless REDIS_CLUSTER_NODES or REDIS_SENTINELS
 *                    is set (a Redis Cluster or Sentinel instead: docs/OPERATIONS.md; they pass through)
 *   AUTH_SECRET      shared by all processes (a token signed by one is checked by another);
 *                    if unset, one random secret is made for this start and given to all.
 * Run `npm run build` first: it makes client/dist and server/dist/main.js, the compiled server
 * every process runs. Every game process also serves the built browser client, so the page,
 * the API and the websockets share one origin behind nginx.
 * Other settings (TICK_RATE, MAX_PLAYERS, LOG_LEVEL, ...) pass through from the environment.
 */
const { availableParallelism, cpus } = require("node:os");
const { randomBytes } = require("node:crypto");

const count = Number(process.env.ARENA_PROCESSES || (availableParallelism ? availableParallelism() : cpus().length));
const basePort = Number(process.env.BASE_PORT || 2567);
const publicHost = process.env.PUBLIC_HOST || "";
// Only one Redis setting may be given: the default URL would clash with a cluster's or sentinels' list.
const otherRedis = Boolean(process.env.REDIS_CLUSTER_NODES || process.env.REDIS_SENTINELS);
const redisUrl = process.env.REDIS_URL || (otherRedis ? undefined : "redis://127.0.0.1:6379");
const authSecret = process.env.AUTH_SECRET || randomBytes(32).toString("hex");
if (!process.env.AUTH_SECRET) console.warn("ecosystem: AUTH_SECRET not set; using a random one for this start (tokens end with it)");

const apps = Array.from({ length: count }, (_, i) => {
  const port = basePort + i;
  return {
    name: `arena-${port}`,
    cwd: __dirname,
    script: "server/dist/main.js",
    node_args: "--enable-source-maps",
    env: {
      NODE_ENV: "production",
      PORT: String(port),
      PUBLIC_ADDRESS: publicHost ? `${publicHost}/${port}` : `127.0.0.1:${port}`,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      AUTH_SECRET: authSecret,
    },
    // SIGTERM first: the process locks its rooms, tells players and exits; SIGKILL only after this.
    kill_timeout: 10_000,
    autorestart: true,
    exp_backoff_restart_delay: 200,
    max_memory_restart: "1G",
    merge_logs: true,
    time: false,
  };
});

module.exports = { apps };
