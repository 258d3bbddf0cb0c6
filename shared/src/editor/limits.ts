/** The editor's rules: how big a map may be and what may be in it. */

export const EDITOR_MAP_WIDTH = 2000;
export const EDITOR_MAP_HEIGHT = 1400;
export const EDITOR_MAX_WALLS = 200;
export const EDITOR_MIN_SPAWNS = 16;
export const EDITOR_MAX_SPAWNS = 32;
/** A wall thinner than this cannot be seen or hit reliably. */
export const EDITOR_MIN_WALL_SIZE = 10;
export const EDITOR_MAX_WALL_SIZE = 1000;
export const EDITOR_MAX_NAME_LENGTH = 64;
export const EDITOR_MAX_NOTES_LENGTH = 4000;
/**
 * Text limits are checked where an edit is made; concurrent edits can push a field past it, so the
 * server refuses only beyond this multiple (a bound on what a hostile client can store).
 */
export const EDITOR_TEXT_HARD_FACTOR = 2;
/** Ids are made by clients ("<client>-<n>"); this bounds their length. */
export const EDITOR_MAX_ID_LENGTH = 40;
