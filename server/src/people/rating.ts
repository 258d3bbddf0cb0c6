/**
 * A person's rating: how strong they play, on the bots' level scale times 100 (0 plays like beginner bots,
 * 25 like `easy`, 60 like `normal`, 100 like `hard`; shared/src/bots/level.ts). It is an average of their recent
 * matches' performances, each the level of the opponents they faced, moved up or down by how they did
 * against them: kill-equivalents (kills and damage, per minute) against deaths per minute. A person
 * who does exactly as well as they are beaten faces opponents at their rating, so quick-play bots set
 * from it (the room's bot level) tend to a kill ratio of about 1 against them (docs/BOTS.md has the band
 * measured with `npm run bench:bot-level`).
 */
import { BOT_LEVEL_OF, MAX_HP } from "@arena/shared";

/** What is kept per person. */
export interface RatingRecord {
  /** 0..RATING_MAX. */
  readonly rating: number;
  /** Rated matches so far that count toward newcomer status: quick-play and private ones, not practice (see `counted`). */
  readonly matches: number;
}

/** One match of one person, as it ended. */
export interface MatchLine {
  readonly kills: number;
  readonly deaths: number;
  readonly damage: number;
  /** Minutes this person played in the match (from the start or their join to the end). */
  readonly minutes: number;
  /** Mean level of everyone they played against, on the rating scale (0..RATING_MAX). */
  readonly opponents: number;
}

export const RATING_MAX = 100;
/** Where a person starts: easy bots' level. */
export const RATING_START = BOT_LEVEL_OF.easy * 100;
/**
 * A person's first quick-play matches are against easy bots, whatever the others in the room. A practice match
 * (bots of a difficulty the person chose) moves the rating but is not one of these: a newcomer who warmed up
 * against practice bots still gets easy quick-play bots twice.
 */
export const NEWCOMER_MATCHES = 2;
/** How far one performance moves the rating (for a match of at least FULL_WEIGHT_MINUTES). */
export const RATING_STEP = 0.5;
/** A shorter stint moves the rating in proportion (a 20 s stint barely counts). */
export const FULL_WEIGHT_MINUTES = 1;
/**
 * Rating points per e-fold of the kill ratio: doing e times better than being beaten (ratio 2.7) is worth
 * this much above the opponents' level. Chosen so that a hard-skilled player against easy bots rates near
 * hard after a few matches (calibrated on shared-simulation matches, docs/BOTS.md).
 */
export const RATING_SPREAD = 60;
/** Per-minute rates are smoothed by this much on both sides, so a short quiet match says little. */
const RATE_PRIOR = 0.5;

const clamp = (x: number): number => Math.min(RATING_MAX, Math.max(0, x));

/**
 * How well one match went, on the rating scale: the opponents' level plus RATING_SPREAD times the log of
 * (kill-equivalents per minute) / (deaths per minute). A kill-equivalent is the mean of kills and damage in
 * whole lives (MAX_HP), so damage that did not finish anyone still counts for half.
 */
export function performance(line: MatchLine): number {
  const minutes = Math.max(line.minutes, 1 / 60);
  const offense = (line.kills + line.damage / MAX_HP) / 2 / minutes;
  const deaths = line.deaths / minutes;
  return line.opponents + RATING_SPREAD * Math.log((offense + RATE_PRIOR) / (deaths + RATE_PRIOR));
}

/** How much this match moves the rating: RATING_STEP, less for a stint under FULL_WEIGHT_MINUTES. */
export function weightOf(minutes: number): number {
  return RATING_STEP * Math.min(1, Math.max(0, minutes) / FULL_WEIGHT_MINUTES);
}

/**
 * The record after one match with `perf` (from {@link performance}) at `weight` (from {@link weightOf}):
 * rating + weight × (perf − rating), within 0..RATING_MAX, and one more match if it is `counted` (not a
 * practice match). The Redis store runs the same arithmetic in Lua (Ratings.ts), where it is applied atomically.
 */
export function updateRating(before: RatingRecord | undefined, perf: number, weight: number, counted = true): RatingRecord {
  const r = before?.rating ?? RATING_START;
  const p = Number.isFinite(perf) ? perf : r;
  return { rating: clamp(r + weight * (p - r)), matches: (before?.matches ?? 0) + (counted ? 1 : 0) };
}

/** Whether this person's quick-play bots are still easy whoever else is there. */
export function isNewcomer(record: RatingRecord | undefined): boolean {
  return (record?.matches ?? 0) < NEWCOMER_MATCHES;
}

/**
 * The quick-play bots' level (0..1) for the people in a room: easy while any of them is a newcomer (their
 * first matches must not farm them), else their mean rating. With nobody, easy.
 */
export function roomBotLevel(people: readonly (RatingRecord | undefined)[]): number {
  if (people.length === 0 || people.some(isNewcomer)) return BOT_LEVEL_OF.easy;
  return people.reduce((sum, p) => sum + (p?.rating ?? RATING_START), 0) / people.length / RATING_MAX;
}
