/**
 * A bot level between the named difficulties, on a 0..1 scale: 0 is {@link BOT_BEGINNER} (below `easy`, for people
 * whom easy bots still beat), 0.25 `easy`, 0.6 `normal`, 1 `hard`; each {@link BotSkill} number is interpolated
 * linearly between the two nearest anchors. Quick-play rooms set their bots' level from the people in them
 * (server/src/people/rating.ts); practice rooms still name a difficulty.
 */
import { BOT_SKILLS, type BotDifficulty, type BotSkill } from "./skill.ts";

/** The level of each named difficulty. */
export const BOT_LEVEL_OF: Readonly<Record<BotDifficulty, number>> = { easy: 0.25, normal: 0.6, hard: 1 };

/** Level 0: slower to react, wider of the mark and slower to decide than `easy` (only quick play's levels reach it). */
export const BOT_BEGINNER: BotSkill = { reactionS: 1.1, aimErrorRad: 0.3, decisionS: 0.8 };

const ANCHORS: readonly (readonly [number, BotSkill])[] = [
  [0, BOT_BEGINNER],
  [BOT_LEVEL_OF.easy, BOT_SKILLS.easy],
  [BOT_LEVEL_OF.normal, BOT_SKILLS.normal],
  [BOT_LEVEL_OF.hard, BOT_SKILLS.hard],
];

const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;

/** The skill of bots at `level` (clamped to [0, 1]; NaN counts as 0). */
export function skillAtLevel(level: number): BotSkill {
  const l = Number.isFinite(level) ? Math.min(1, Math.max(0, level)) : 0;
  let i = 1;
  while (i < ANCHORS.length - 1 && l > ANCHORS[i]![0]) i++;
  const [l0, from] = ANCHORS[i - 1]!;
  const [l1, to] = ANCHORS[i]!;
  const t = (l - l0) / (l1 - l0);
  return {
    reactionS: lerp(from.reactionS, to.reactionS, t),
    aimErrorRad: lerp(from.aimErrorRad, to.aimErrorRad, t),
    decisionS: lerp(from.decisionS, to.decisionS, t),
  };
}
