/**
 * Invite codes of private rooms. A private room's roomId *is* its code, so a
 * code resolves on any process through the shared room listing. Codes live in
 * presence (Redis when several processes share it):
 * - a hash of codes in use, claimed with HINCRBY (atomic: exactly one
 *   claimant sees 1), so two processes never hand out the same one;
 * - one key per released code, with a TTL of ROOM_CODE_REISSUE_WINDOW_S, so
 *   an invite to a room that ended does not lead into a new stranger's room
 *   for that long.
 */
import { randomInt } from "node:crypto";
import { ServerError, type Presence } from "@colyseus/core";
import { JoinErrorCodes, ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH, ROOM_CODE_REISSUE_WINDOW_S } from "@arena/shared";

export const CODES_KEY = "arena:codes";
/** Key marking a released code as not yet reissuable. */
export const releasedKey = (code: string): string => `arena:code-released:${code}`;
/** Candidates tried before giving up; with 31^6 codes, 20 misses in a row means the space (or presence) is in trouble. */
export const MAX_CODE_ATTEMPTS = 20;

/** A random code of ROOM_CODE_LENGTH characters from ROOM_CODE_ALPHABET. */
export function randomCode(): string {
  let code = "";
  for (let i = 0; i < ROOM_CODE_LENGTH; i++) code += ROOM_CODE_ALPHABET[randomInt(ROOM_CODE_ALPHABET.length)];
  return code;
}

/**
 * Claims a code neither in use nor released within the reissue window.
 * Throws a matchmaking error (NO_FREE_CODE) the player sees as a clear
 * refusal when every candidate is taken.
 */
export async function claimCode(presence: Presence, candidate: () => string = randomCode): Promise<string> {
  for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) {
    const code = candidate();
    if (await presence.exists(releasedKey(code))) continue;
    if ((await presence.hincrby(CODES_KEY, code, 1)) !== 1) continue;
    // Released between the check and the claim: releaseCode marks before it frees, so this sees it.
    if (await presence.exists(releasedKey(code))) {
      await presence.hdel(CODES_KEY, code);
      continue;
    }
    return code;
  }
  throw new ServerError(JoinErrorCodes.NO_FREE_CODE, "no free invite code right now; try again in a moment");
}

/** Frees a code for reuse after ROOM_CODE_REISSUE_WINDOW_S. */
export async function releaseCode(presence: Presence, code: string): Promise<void> {
  await presence.setex(releasedKey(code), "1", ROOM_CODE_REISSUE_WINDOW_S);
  await presence.hdel(CODES_KEY, code);
}
