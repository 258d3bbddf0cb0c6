/**
 * Invite codes of private rooms. A private room's roomId *is* its code, so a
 * code resolves on any process through the shared room listing; codes are
 * claimed in presence (a hash shared through Redis) so two processes never
 * hand out the same one.
 */
import { randomInt } from "node:crypto";
import type { Presence } from "@colyseus/core";
import { ROOM_CODE_ALPHABET, ROOM_CODE_LENGTH, normalizeRoomCode } from "@arena/shared";

export const CODES_KEY = "arena:codes";
const MAX_ATTEMPTS = 20;

/** A random code of ROOM_CODE_LENGTH characters from ROOM_CODE_ALPHABET. */
export function randomCode(): string {
  let code = "";
  for (let i = 0; i < ROOM_CODE_LENGTH; i++) code += ROOM_CODE_ALPHABET[randomInt(ROOM_CODE_ALPHABET.length)];
  return code;
}

/**
 * What a person typed or pasted, as a code: case, spaces and dashes do not
 * matter; undefined if it cannot be a code. Look-alike letters are not mapped
 * (O to 0 etc.) since neither is in the alphabet and guessing would mislead.
 */
export const normalizeCode = normalizeRoomCode;

/** Claims an unused code; HINCRBY is atomic, so exactly one claimant sees 1. */
export async function claimCode(presence: Presence): Promise<string> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const code = randomCode();
    if ((await presence.hincrby(CODES_KEY, code, 1)) === 1) return code;
  }
  throw new Error("could not find a free room code");
}

export async function releaseCode(presence: Presence, code: string): Promise<void> {
  await presence.hdel(CODES_KEY, code);
}
