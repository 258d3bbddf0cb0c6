/** Configuration from the environment (all optional), checked once at start against one zod schema. */
import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import proxyaddr from "proxy-addr";
import { z } from "zod";
import { MAP_VERSION_MAX, MAX_PLAYERS, PATCH_RATE, TICK_RATE, WARMUP_S, type IceServer } from "@arena/shared";
import { parseRedisNodes, type RedisTarget } from "./scale/redisTarget.ts";

/** Players (people and bots) a public room is topped up to with bots by default. */
export const DEFAULT_BOT_FILL = 4;
/** 32 full practice rooms: at about 0.6 ms of CPU per bot-second (docs/BOTS.md#cost), some 30 % of a core. */
export const DEFAULT_BOT_MAX = 480;

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  /** host:port clients use to reach this process; needed when several processes share matchmaking. */
  readonly publicAddress: string | undefined;
  readonly authSecret: Uint8Array;
  /** True when AUTH_SECRET was not set and a random one was made (tokens die with the process). */
  readonly authSecretGenerated: boolean;
  readonly tickRate: number;
  readonly patchRate: number;
  readonly maxPlayers: number;
  /** Public rooms are topped up with bots to this many players while fewer people are present; 0: no bots. */
  readonly botFill: number;
  /** Bots this process runs at once across its rooms: filling stops and practice rooms are refused beyond it. */
  readonly botMax: number;
  readonly logLevel: LogLevel;
  /** Origins allowed to call the HTTP API from a browser; empty means any. */
  readonly corsOrigins: readonly string[];
  /**
   * Redis for presence, room listings and the leaderboard across processes: one server (REDIS_URL), a
   * Redis Cluster (REDIS_CLUSTER_NODES) or a Sentinel-watched primary (REDIS_SENTINELS); unset: in memory, one process.
   */
  readonly redis: RedisTarget | undefined;
  /** Seconds between keep-alive comments on the leaderboard event stream. */
  readonly sseKeepAliveSeconds: number;
  /** Basic-auth user and password of the monitor panel at /colyseus; no password, no panel. */
  readonly monitorUser: string;
  readonly monitorPassword: string | undefined;
  /** Per-address request limits of each route (undefined: that route is unlimited). */
  readonly rateLimits: Readonly<Record<LimitedRoute, RateLimit | undefined>>;
  readonly trustProxy: TrustProxy;
  /** Quick play's matchmaker: ours (matchmaking/quickPlay.ts) or Colyseus' stock joinOrCreate. */
  readonly quickPlay: "arena" | "colyseus";
  /** Open leaderboard streams allowed per client address, and per process. */
  readonly sseMaxPerAddress: number;
  readonly sseMaxStreams: number;
  /** Seconds a stream may go without its reader taking data before it is dropped. */
  readonly sseStallSeconds: number;
  /** Seconds an unanswered room invite stays valid. */
  readonly inviteTtlSeconds: number;
  /** STUN/TURN servers handed to players for voice; none by default (enough on one machine or a LAN). */
  readonly iceServers: readonly IceServer[];
  /** Where editor maps are kept when REDIS_URL is unset. */
  readonly dataDir: string;
  /** Seconds a "Play this map" room stays open while nobody has joined it yet. */
  readonly mapRoomWaitSeconds: number;
  /** Seconds of warm-up before a match counts (WARMUP_S by default): shorter for a quick test or a short mode. */
  readonly warmupSeconds: number;
  /** Per-person editor quotas (docs/OPERATIONS.md, "Editor quotas"). */
  readonly editor: EditorQuotaConfig;
  /** Match recordings (docs/REPLAYS.md): retention and caps. */
  readonly replays: ReplayConfig;
  /** Players are asked to send their inputs two to a frame (INPUT_PAIRS; docs/PROTOCOL.md, "Input pairs"). */
  readonly inputPairs: boolean;
}

/** How many replays are kept, for how long, and what recording may cost one process. */
export interface ReplayConfig {
  /** Ended replays kept (oldest deleted first); 0: matches are not recorded. */
  readonly keep: number;
  /** Seconds a replay is kept after its match ended. */
  readonly maxAgeSeconds: number;
  /** Matches this process records at once; a match beyond it is not recorded. */
  readonly maxActive: number;
  /** KB at which a recording stops (reason too_large). */
  readonly maxKb: number;
}

/** What one person may hold and do in the map editor. */
export interface EditorQuotaConfig {
  /** Maps a person may have at once (drafts that expired no longer count). */
  readonly mapsPerPerson: number;
  /** Publishes a person may make per minute, over all their maps. */
  readonly publishesPerMinute: number;
  /** Published versions one map may have: publishing past it is refused (the draft is kept). */
  readonly versionsPerMap: number;
  /** Seconds after which a map never published and not touched since is deleted. */
  readonly draftTtlSeconds: number;
}

/** Routes with a per-address request limit. */
/** Routes with a request limit; `invite` is counted per person (user id), the others per address. */
export type LimitedRoute = "signIn" | "codeJoin" | "spectate" | "leaderboard" | "sseConnect" | "matchmake" | "people" | "invite" | "maps" | "replays" | "monitorLogin";

/** At most `points` requests per `seconds` from one client address. */
export interface RateLimit {
  readonly points: number;
  readonly seconds: number;
}

/**
 * Which peers may name the client address in X-Forwarded-For: none (the
 * socket address is the client), the first `hops` proxies, or proxies at
 * these addresses/subnets (proxy-addr syntax, e.g. "loopback" or "10.0.0.0/8").
 */
export type TrustProxy = { readonly kind: "none" } | { readonly kind: "hops"; readonly hops: number } | { readonly kind: "addresses"; readonly addresses: readonly string[] };

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Secrets are never echoed back in an error (ICE_SERVERS may hold a TURN credential, the node lists a
 * password: their messages name the bad entry without it).
 */
const SECRETS = new Set(["AUTH_SECRET", "MONITOR_PASSWORD", "ICE_SERVERS", "REDIS_CLUSTER_NODES", "REDIS_SENTINELS"]);

/** A variable that is unset or blank counts as unset; otherwise its value, trimmed. */
const trimmed = z.string().optional().transform((s) => s?.trim() || undefined);

/** An integer in [min, max], `fallback` when unset. */
function integer(fallback: number, min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return trimmed
    .transform((s) => (s === undefined ? fallback : Number(s)))
    .pipe(z.number(message).int(message).min(min, message).max(max, message));
}

/** A secret of at least `length` characters, or unset. Not trimmed: spaces may be part of it. */
function secret(length: number) {
  return z.string().optional()
    .transform((s) => s || undefined)
    .pipe(z.string().min(length, `must be at least ${length} characters long`).optional());
}

/** A route's limit: "N/S" is N requests per S seconds from one address, "off" none; `fallback` when unset. */
function rateLimit(fallback: string) {
  const message = 'must be "N/S" (N requests per S seconds from one address, N 1-1000000, S 1-86400) or "off"';
  return trimmed.transform((s, ctx): RateLimit | undefined => {
    const raw = s ?? fallback;
    if (raw.toLowerCase() === "off") return undefined;
    const m = /^(\d+)\s*\/\s*(\d+)$/.exec(raw);
    const points = Number(m?.[1]);
    const seconds = Number(m?.[2]);
    if (m === null || points < 1 || points > 1_000_000 || seconds < 1 || seconds > 86_400) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return { points, seconds };
  });
}

/** A comma-separated node list (redisTarget.ts), or unset. */
const redisNodes = trimmed.transform((raw, ctx) => {
  if (raw === undefined) return undefined;
  try {
    return parseRedisNodes(raw);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
    return z.NEVER;
  }
});

/** Unset or "false": no proxy; a hop count; or the proxies' addresses and subnets. */
const trustProxy = trimmed.transform((raw, ctx): TrustProxy => {
  if (raw === undefined || raw === "false") return { kind: "none" };
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops >= 1 && hops <= 10) return { kind: "hops", hops };
    ctx.addIssue({ code: "custom", message: "as a hop count must be 1 to 10" });
    return z.NEVER;
  }
  if (raw === "true" || raw === "*") {
    // Trusting every peer would let any client pick its own address with the header.
    ctx.addIssue({ code: "custom", message: 'must name the proxies (addresses, subnets, "loopback") or a hop count' });
    return z.NEVER;
  }
  const addresses = raw.split(",").map((a) => a.trim()).filter(Boolean);
  try {
    proxyaddr.compile(addresses);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `must be a hop count or a comma-separated list of addresses, subnets or loopback/linklocal/uniquelocal (${(e as Error).message})` });
    return z.NEVER;
  }
  return { kind: "addresses", addresses };
});

const ICE_URL = /^(stun|stuns|turn|turns):\S+$/;
const IceServerSchema = z.object({
  urls: z.union([z.string().regex(ICE_URL), z.array(z.string().regex(ICE_URL)).min(1)]),
  username: z.string().min(1).optional(),
  credential: z.string().min(1).optional(),
}).strict().refine(
  (s) => !(Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => u.startsWith("turn")) || (s.username !== undefined && s.credential !== undefined),
  "a TURN server needs a username and a credential",
);

/** A JSON list of RTCIceServer objects (STUN/TURN for voice); none when unset. */
const iceServers = trimmed.transform((raw, ctx): IceServer[] => {
  if (raw === undefined) return [];
  const message = (why: string): string =>
    `must be a JSON list like [{"urls":"stun:stun.example.com:3478"},{"urls":"turn:turn.example.com:3478","username":"u","credential":"p"}]: ${why}`;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    ctx.addIssue({ code: "custom", message: message("not JSON") });
    return z.NEVER;
  }
  const parsed = z.array(IceServerSchema).max(8).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    ctx.addIssue({ code: "custom", message: message(`${issue?.path.join(".") || "list"}: ${issue?.message ?? "invalid"}`) });
    return z.NEVER;
  }
  return parsed.data.map((server) => ({ ...server }));
});

/** Each key is an environment variable; each message completes "<VARIABLE> ...". */
const Env = z.object({
  PORT: integer(2567, 0, 65535),
  // An address of this host (e.g. 10.0.0.2 with several hosts behind nginx) or a name that resolves to one.
  HOST: trimmed.transform((s) => s ?? "0.0.0.0")
    .refine((s) => isIP(s) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(s), "must be an IP address (e.g. 0.0.0.0, 10.0.0.2, ::) or a host name"),
  PUBLIC_ADDRESS: trimmed.pipe(z.string().regex(/^[\w.-]+(:\d+)?(\/[\w./-]*)?$/, "must look like host:port").optional()),
  AUTH_SECRET: secret(32),
  TICK_RATE: integer(TICK_RATE, 10, 120),
  PATCH_RATE: integer(PATCH_RATE, 1, 60),
  MAX_PLAYERS: integer(MAX_PLAYERS, 2, 64),
  BOT_FILL: integer(DEFAULT_BOT_FILL, 0, 64),
  BOT_MAX: integer(DEFAULT_BOT_MAX, 0, 100_000),
  LOG_LEVEL: z.string().default("info")
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(", ")}`)),
  CORS_ORIGINS: z.string().default("").transform((s) => s.split(",").map((o) => o.trim()).filter(Boolean)),
  REDIS_URL: trimmed.pipe(z.string().regex(/^rediss?:\/\/\S+$/, "must look like redis://host:port").optional()),
  REDIS_CLUSTER_NODES: redisNodes,
  REDIS_SENTINELS: redisNodes,
  REDIS_SENTINEL_MASTER: trimmed.transform((s) => s ?? "mymaster").pipe(z.string().regex(/^[\w.-]{1,128}$/, "must be the name of the primary the sentinels watch (letters, digits, . _ -)")),
  SSE_KEEPALIVE_S: integer(15, 1, 300),
  MONITOR_USER: trimmed.transform((s) => s ?? "admin"),
  MONITOR_PASSWORD: secret(12),
  QUICK_PLAY: trimmed.transform((s) => s?.toLowerCase() ?? "arena").pipe(z.enum(["arena", "colyseus"], 'must be "arena" or "colyseus"')),
  /** Master switch of the per-address limits below. */
  RATE_LIMITS: trimmed.transform((s) => s?.toLowerCase()).pipe(z.enum(["on", "off"], 'must be "on" or "off"').optional()),
  RATE_LIMIT_SIGNIN: rateLimit("20/60"),
  RATE_LIMIT_CODE_JOIN: rateLimit("20/60"),
  RATE_LIMIT_SPECTATE: rateLimit("30/60"),
  RATE_LIMIT_LEADERBOARD: rateLimit("120/60"),
  RATE_LIMIT_SSE_CONNECT: rateLimit("30/60"),
  RATE_LIMIT_MATCHMAKE: rateLimit("60/60"),
  RATE_LIMIT_PEOPLE: rateLimit("120/60"),
  RATE_LIMIT_MAPS: rateLimit("120/60"),
  RATE_LIMIT_REPLAYS: rateLimit("60/60"),
  /** Counted per person (user id), not per address. */
  RATE_LIMIT_INVITE: rateLimit("10/60"),
  /** Failed monitor logins per address; not lifted by RATE_LIMITS=off (a password guesser is no load test). */
  RATE_LIMIT_MONITOR_LOGIN: rateLimit("10/300"),
  INVITE_TTL_S: integer(120, 1, 3600),
  TRUST_PROXY: trustProxy,
  SSE_MAX_PER_ADDRESS: integer(8, 1, 10_000),
  SSE_MAX_STREAMS: integer(2000, 1, 1_000_000),
  SSE_STALL_S: integer(30, 1, 3600),
  ICE_SERVERS: iceServers,
  DATA_DIR: trimmed.transform((s) => s ?? "./data"),
  MAP_ROOM_WAIT_S: integer(60, 1, 3600),
  MATCH_WARMUP_S: integer(WARMUP_S, 1, 600),
  EDITOR_MAPS_PER_PERSON: integer(20, 1, 10_000),
  EDITOR_PUBLISHES_PER_MIN: integer(6, 1, 600),
  EDITOR_VERSIONS_PER_MAP: integer(50, 1, MAP_VERSION_MAX),
  EDITOR_DRAFT_TTL_S: integer(7 * 24 * 3600, 1, 365 * 24 * 3600),
  REPLAY_KEEP: integer(200, 0, 100_000),
  REPLAY_MAX_AGE_S: integer(7 * 24 * 3600, 60, 365 * 24 * 3600),
  REPLAY_MAX_ACTIVE: integer(64, 1, 10_000),
  REPLAY_MAX_KB: integer(8192, 1, 1_048_576),
  INPUT_PAIRS: trimmed.transform((s) => s?.toLowerCase() ?? "on").pipe(z.enum(["on", "off"], 'must be "on" or "off"')),
});

/** "<VARIABLE> <what it must be>, got "<value>"" for each bad variable, in schema order. */
function describeIssues(error: z.ZodError, env: NodeJS.ProcessEnv): string {
  return error.issues.map((issue) => {
    const key = String(issue.path[0]);
    return SECRETS.has(key) ? `${key} ${issue.message}` : `${key} ${issue.message}, got "${env[key]}"`;
  }).join("; ");
}

/** Reads the configuration; throws a ConfigError naming each invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, env));
  const e = parsed.data;
  const redisSettings = (["REDIS_URL", "REDIS_CLUSTER_NODES", "REDIS_SENTINELS"] as const).filter((k) => e[k] !== undefined);
  if (redisSettings.length > 1) {
    throw new ConfigError(`${redisSettings.join(" and ")} are set together: set only one of REDIS_URL (one server), REDIS_CLUSTER_NODES (a Redis Cluster) or REDIS_SENTINELS (a primary watched by Sentinel)`);
  }
  const redis: RedisTarget | undefined = e.REDIS_URL !== undefined ? { kind: "single", url: e.REDIS_URL }
    : e.REDIS_CLUSTER_NODES !== undefined ? { kind: "cluster", ...e.REDIS_CLUSTER_NODES }
    : e.REDIS_SENTINELS !== undefined ? { kind: "sentinel", sentinels: e.REDIS_SENTINELS.nodes, auth: e.REDIS_SENTINELS.auth, master: e.REDIS_SENTINEL_MASTER }
    : undefined;
  // A process that made up its own secret refuses every token and join ticket another process signed, so a
  // cluster on Redis would half-work: a start-up error, not a warning.
  if (redis !== undefined && e.AUTH_SECRET === undefined) {
    throw new ConfigError(`AUTH_SECRET must be set when ${redisSettings[0]} is: every process must check the tokens the others sign (e.g. AUTH_SECRET=$(openssl rand -hex 32), the same on every process)`);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicAddress: e.PUBLIC_ADDRESS,
    authSecret: e.AUTH_SECRET ? new TextEncoder().encode(e.AUTH_SECRET) : randomBytes(32),
    authSecretGenerated: !e.AUTH_SECRET,
    tickRate: e.TICK_RATE,
    patchRate: e.PATCH_RATE,
    maxPlayers: e.MAX_PLAYERS,
    botFill: e.BOT_FILL,
    botMax: e.BOT_MAX,
    logLevel: e.LOG_LEVEL,
    corsOrigins: e.CORS_ORIGINS,
    redis,
    sseKeepAliveSeconds: e.SSE_KEEPALIVE_S,
    monitorUser: e.MONITOR_USER,
    monitorPassword: e.MONITOR_PASSWORD,
    inputPairs: e.INPUT_PAIRS === "on",
    quickPlay: e.QUICK_PLAY,
    rateLimits: e.RATE_LIMITS === "off"
      ? { signIn: undefined, codeJoin: undefined, spectate: undefined, leaderboard: undefined, sseConnect: undefined, matchmake: undefined, people: undefined, invite: undefined, maps: undefined, replays: undefined, monitorLogin: e.RATE_LIMIT_MONITOR_LOGIN }
      : {
        signIn: e.RATE_LIMIT_SIGNIN,
        codeJoin: e.RATE_LIMIT_CODE_JOIN,
        spectate: e.RATE_LIMIT_SPECTATE,
        leaderboard: e.RATE_LIMIT_LEADERBOARD,
        sseConnect: e.RATE_LIMIT_SSE_CONNECT,
        matchmake: e.RATE_LIMIT_MATCHMAKE,
        people: e.RATE_LIMIT_PEOPLE,
        invite: e.RATE_LIMIT_INVITE,
        maps: e.RATE_LIMIT_MAPS,
        replays: e.RATE_LIMIT_REPLAYS,
        monitorLogin: e.RATE_LIMIT_MONITOR_LOGIN,
      },
    trustProxy: e.TRUST_PROXY,
    sseMaxPerAddress: e.SSE_MAX_PER_ADDRESS,
    sseMaxStreams: e.SSE_MAX_STREAMS,
    sseStallSeconds: e.SSE_STALL_S,
    inviteTtlSeconds: e.INVITE_TTL_S,
    iceServers: e.ICE_SERVERS,
    dataDir: e.DATA_DIR,
    mapRoomWaitSeconds: e.MAP_ROOM_WAIT_S,
    warmupSeconds: e.MATCH_WARMUP_S,
    editor: {
      mapsPerPerson: e.EDITOR_MAPS_PER_PERSON,
      publishesPerMinute: e.EDITOR_PUBLISHES_PER_MIN,
      versionsPerMap: e.EDITOR_VERSIONS_PER_MAP,
      draftTtlSeconds: e.EDITOR_DRAFT_TTL_S,
    },
    replays: { keep: e.REPLAY_KEEP, maxAgeSeconds: e.REPLAY_MAX_AGE_S, maxActive: e.REPLAY_MAX_ACTIVE, maxKb: e.REPLAY_MAX_KB },
  };
}
