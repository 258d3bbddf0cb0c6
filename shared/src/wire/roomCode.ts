/** Invite codes of private rooms (a private room's roomId is its code). */
import { ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH } from "../constants.ts";

/** The code in canonical form (case, spaces and dashes ignored), or undefined when it cannot be a code. */
export function normalizeRoomCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== ROOM_CODE_LENGTH) return undefined;
  for (const ch of code) if (!ROOM_CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}
