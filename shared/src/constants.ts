/**
 * Every number that is a rule of the game. Durations are in seconds; the
 * simulation turns them into whole steps with {@link createRules} so the
 * server and every predicting client count the same steps at any tick rate.
 */

/** Simulation steps per second on the server (and on predicting clients). */
export const TICK_RATE = 30;
/** State patches per second sent to clients. */
export const PATCH_RATE = 20;

/** Player circle radius, world units. */
export const PLAYER_RADIUS = 18;
/** Top speed, world units per second (diagonals are normalized to this). */
export const PLAYER_SPEED = 220;
/** Health at spawn. */
export const MAX_HP = 100;

/** Minimum time between two shots of one player (5 shots/s). */
export const FIRE_INTERVAL_S = 0.2;
/** Projectile speed, world units per second. */
export const PROJECTILE_SPEED = 900;
/** Projectile radius, world units (for hit tests against walls and players). */
export const PROJECTILE_RADIUS = 4;
/** Damage of one projectile hit. */
export const PROJECTILE_DAMAGE = 25;
/** Lifetime of a projectile; with its speed this bounds its range (720 units). */
export const PROJECTILE_LIFETIME_S = 0.8;

/** Time a dead player waits before respawning. */
export const RESPAWN_DELAY_S = 2;
/** Time after a spawn during which a player takes no damage. */
export const SPAWN_PROTECTION_S = 1.5;

/** A match ends when a player reaches this many kills... */
export const KILL_LIMIT = 20;
/** ...or when this much time has passed. */
export const MATCH_DURATION_S = 300;
/** Countdown between enough players being present and the match starting. */
export const WARMUP_S = 5;
/** How long the results are shown before the next warm-up begins. */
export const RESULTS_S = 10;
/** A match needs this many players to start. */
export const MIN_PLAYERS = 2;
/** Seats in one arena room. */
export const MAX_PLAYERS = 16;

/**
 * The furthest back in time the server rewinds other players for a hit test.
 * An honest shooter sees others in the past by its interpolation delay plus
 * the round trip plus, on a lossy link, the stall a retransmission causes
 * (≥ 200 ms; 375 ms at 250 ms RTT). Each shooter is further bounded by the
 * round trip the server measures for it (server/src/rooms/arena/roundTrips.ts),
 * so only a client that needs this much gets it. Chosen from the netcode
 * bench's hits-registered and behind-cover columns: see docs/ARCHITECTURE.md.
 */
export const MAX_REWIND_MS = 1000;

/**
 * The longest interpolation delay a client uses (the jitter and loss it
 * measures raise it up to here). The server allows each shooter its measured
 * round trip plus this plus REWIND_MARGIN_MS of rewind, never more.
 */
export const MAX_INTERP_DELAY_MS = 200;

/** Slack in each shooter's rewind bound for the inputs waiting in the server's buffer and frame timing, ms. */
export const REWIND_MARGIN_MS = 100;

/**
 * How far (radians, 3°) the input's aim turns before the player's replicated
 * display aim follows it. Other players' aim is drawn at most this far off;
 * shots always fly along the input's exact angle.
 */
export const AIM_DISPLAY_TOLERANCE = (3 * Math.PI) / 180;

/** Position grid: positions are multiples of 1/POSITION_SCALE, exact in float32. */
export const POSITION_SCALE = 32;
/**
 * Positions travel as 16 bits over [0, POSITION_RANGE): with 65 536 steps of
 * exactly 1/32 unit, every grid position is sent without loss in 2 bytes.
 * Maps must fit inside it.
 */
export const POSITION_RANGE = 65536 / POSITION_SCALE;

/** Longest player name, in characters, after cleaning. */
export const NAME_MAX_LENGTH = 16;
/** Longest chat message, in characters, after cleaning. */
export const CHAT_MAX_LENGTH = 200;
/** Chat messages allowed per {@link CHAT_WINDOW_S} per player. */
export const CHAT_BURST = 5;
/** Window of the chat rate limit. */
export const CHAT_WINDOW_S = 10;
/** Chat lines a room keeps and shows a player who joins (its chat tail); a match taken over keeps them too. */
export const CHAT_TAIL_LINES = 8;

/** Seconds a dropped player's seat, position and score are kept. */
export const RECONNECT_GRACE_S = 20;

/** Match settings a server may change for a room (tests, short modes); the defaults are the constants above. */
export interface MatchSettings {
  killLimit: number;
  matchSeconds: number;
  warmupSeconds: number;
  resultsSeconds: number;
}

/** Step counts derived from the rules for one tick rate. */
export interface Rules {
  readonly tickRate: number;
  readonly killLimit: number;
  /** Fixed step, seconds. */
  readonly dt: number;
  readonly fireCooldownSteps: number;
  readonly projectileLifetimeTicks: number;
  readonly respawnTicks: number;
  readonly protectionTicks: number;
  readonly matchTicks: number;
  readonly warmupTicks: number;
  readonly resultsTicks: number;
}

/** Turns the rules above into whole step counts for `tickRate`. */
export function createRules(tickRate: number = TICK_RATE, match: Partial<MatchSettings> = {}): Rules {
  if (!Number.isInteger(tickRate) || tickRate < 1 || tickRate > 240) {
    throw new RangeError(`tick rate must be an integer in 1..240, got ${tickRate}`);
  }
  const steps = (seconds: number): number => Math.max(1, Math.round(seconds * tickRate));
  return {
    tickRate,
    killLimit: match.killLimit ?? KILL_LIMIT,
    dt: 1 / tickRate,
    fireCooldownSteps: steps(FIRE_INTERVAL_S),
    projectileLifetimeTicks: steps(PROJECTILE_LIFETIME_S),
    respawnTicks: steps(RESPAWN_DELAY_S),
    protectionTicks: steps(SPAWN_PROTECTION_S),
    matchTicks: steps(match.matchSeconds ?? MATCH_DURATION_S),
    warmupTicks: steps(match.warmupSeconds ?? WARMUP_S),
    resultsTicks: steps(match.resultsSeconds ?? RESULTS_S),
  };
}

/** Watchers a room admits on top of its players (they hold no player seat). */
export const MAX_SPECTATORS = 8;
/** Length of a private room's invite code. */
export const ROOM_CODE_LENGTH = 6;
/** Characters of invite codes: digits and capitals without the look-alikes 0/O, 1/I/L. */
export const ROOM_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/** Seconds a released invite code is not issued again, so an old invite never lands in a stranger's room. */
export const ROOM_CODE_REISSUE_WINDOW_S = 24 * 60 * 60;

/** Leaderboard points for one kill. */
export const KILL_POINTS = 1;
/** Leaderboard points for winning a match (on top of its kills). */
export const WIN_POINTS = 5;
/** Entries in a leaderboard snapshot. */
export const LEADERBOARD_SIZE = 20;

/** Largest websocket frame a client may send, in bytes; a bigger one closes its connection (1009). */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Frames per second a client may send over time: 30 inputs, chat, typing and pings, with room to spare. */
export const MESSAGES_PER_SECOND = 60;
/** Frames a client may send at once: about eight seconds of a player's traffic, queued through a stall. */
export const MESSAGE_BURST = 240;
