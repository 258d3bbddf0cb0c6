/**
 * Bot behaviour in numbers. A difficulty changes only {@link BotSkill}: how fast a
 * bot reacts, how well it aims and how often it decides. Speed, damage and fire rate
 * are the players' own, since a bot's command goes through the same step as a person's.
 */

export const BOT_DIFFICULTIES = ["easy", "normal", "hard"] as const;
export type BotDifficulty = (typeof BOT_DIFFICULTIES)[number];
export const DEFAULT_BOT_DIFFICULTY: BotDifficulty = "normal";

/** What a difficulty sets, and nothing else. */
export interface BotSkill {
  /** Seconds a target must be in sight before the bot fires at it. */
  readonly reactionS: number;
  /** Largest aim error, radians, drawn afresh at each decision (triangular around 0). */
  readonly aimErrorRad: number;
  /** Seconds between two decisions: target choice, aim error, retreat, route. */
  readonly decisionS: number;
}

export const BOT_SKILLS: Readonly<Record<BotDifficulty, BotSkill>> = {
  easy: { reactionS: 0.6, aimErrorRad: 0.16, decisionS: 0.5 },
  normal: { reactionS: 0.35, aimErrorRad: 0.08, decisionS: 0.25 },
  hard: { reactionS: 0.18, aimErrorRad: 0.035, decisionS: 0.1 },
};

/** True for the names of {@link BOT_DIFFICULTIES} (for validating room options). */
export function isBotDifficulty(value: unknown): value is BotDifficulty {
  return typeof value === "string" && (BOT_DIFFICULTIES as readonly string[]).includes(value);
}

// Behaviour shared by every difficulty.

/** How far a bot sees (about half a 1920-pixel screen); walls block sight too. */
export const BOT_SIGHT_RANGE = 900;
/** Moving targets are led by their velocity times the shot's flight time, scaled by 1 ± this (drawn per decision). */
export const BOT_LEAD_ERROR = 0.35;
/** At or below this health a bot that sees an enemy runs for cover (firing back while it can). */
export const BOT_RETREAT_HP = 25;
/** In a fight a bot closes in beyond this distance... */
export const BOT_FIGHT_FAR = 500;
/** ...and backs off inside this one; in between it only strafes. */
export const BOT_FIGHT_NEAR = 200;
/** A strafe keeps its direction for a time drawn between these two. */
export const BOT_STRAFE_MIN_S = 0.45;
export const BOT_STRAFE_MAX_S = 1.3;
/** How long a bot keeps chasing where it last saw a target. */
export const BOT_MEMORY_S = 3;
/** A bot that meant to move but stayed within a player radius for this long is stuck... */
export const BOT_STUCK_S = 0.75;
/** ...and then walks a free direction for this long before planning its route again. */
export const BOT_UNSTICK_S = 0.4;
/** A bot plans its route at most this often, unless it is stuck or its route ran out. */
export const BOT_REPLAN_S = 1;
/** Route requests allowed per step for all the bots of a room together; the others ask again next step. */
export const BOT_PLANS_PER_STEP = 2;
/** Side of a cell of the path-search grid, world units. */
export const BOT_NAV_CELL = 40;
/** Routes remembered per map grid (by start and goal cell). */
export const BOT_ROUTE_CACHE = 512;
