/**
 * A bot level between the named difficulties: 0 is `easy`, 0.5 `normal`, 1 `hard`, and each
 * {@link BotSkill} number is interpolated linearly between the two nearest names. Quick-play rooms
 * set their bots' level from the people in them (server/src/people/rating.ts); practice rooms
 * still name a difficulty.
 */
import { BOT_SKILLS, type BotDifficulty, type BotSkill } from "./skill.ts";

/** The level of each named difficulty. */
export const BOT_LEVEL_OF: Readonly<Record<BotDifficulty, number>> = { easy: 0, normal: 0.5, hard: 1 };

const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;

/** The skill of bots at `level` (clamped to [0, 1]; NaN counts as 0). */
export function skillAtLevel(level: number): BotSkill {
  const l = Number.isFinite(level) ? Math.min(1, Math.max(0, level)) : 0;
  const [from, to, t] = l <= 0.5 ? [BOT_SKILLS.easy, BOT_SKILLS.normal, l / 0.5] : [BOT_SKILLS.normal, BOT_SKILLS.hard, (l - 0.5) / 0.5];
  return {
    reactionS: lerp(from.reactionS, to.reactionS, t),
    aimErrorRad: lerp(from.aimErrorRad, to.aimErrorRad, t),
    decisionS: lerp(from.decisionS, to.decisionS, t),
  };
}
