/** How a bot is marked wherever a player's name is shown: in the arena, the scoreboard, the kill feed and the results. */
import { isBotId } from "@arena/shared";

export const BOT_TAG = "[BOT]";

/** `name` with the bot tag when `sessionId` is a bot's (a bot that already left is still known by its id). */
export function taggedName(name: string, sessionId: string, bot = false): string {
  return bot || isBotId(sessionId) ? `${name} ${BOT_TAG}` : name;
}
