/** Leaderboard points for what happens in a match (the point values are rules, in shared constants). */
import { KILL_POINTS, WIN_POINTS } from "@arena/shared";
import type { GuestIdentity } from "../auth.ts";
import type { Credit } from "../leaderboard/Leaderboard.ts";

/** Points for the killer; none for a kill of oneself or by a player who already left. */
export function creditsForKill(identities: ReadonlyMap<string, GuestIdentity>, killer: string, victim: string): Credit[] {
  const who = identities.get(killer);
  if (who === undefined || killer === victim) return [];
  return [{ userId: who.userId, name: who.name, points: KILL_POINTS }];
}

/** Points for the match winner (empty when nobody won, e.g. everyone left). */
export function creditsForMatch(identities: ReadonlyMap<string, GuestIdentity>, winner: string): Credit[] {
  const who = identities.get(winner);
  return who === undefined ? [] : [{ userId: who.userId, name: who.name, points: WIN_POINTS }];
}
