/** Cleaning of player-supplied text: names and chat. */
import { CHAT_MAX_LENGTH, NAME_MAX_LENGTH } from "../constants.ts";

// Control characters, zero-width and bidi-override characters are never shown to others.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g;

/** Removes invisible characters, collapses whitespace and cuts to `max` characters. */
export function cleanText(raw: string, max: number): string {
  const chars = Array.from(raw.replace(INVISIBLE, "").replace(/\s+/g, " ").trim());
  return chars.slice(0, max).join("").trim();
}

/** A displayable player name, or "" when nothing printable is left. */
export function cleanName(raw: string): string {
  return cleanText(raw, NAME_MAX_LENGTH);
}

/** A chat line as plain text, or "" when nothing printable is left. */
export function cleanChat(raw: string): string {
  return cleanText(raw, CHAT_MAX_LENGTH);
}
