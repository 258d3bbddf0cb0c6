/**
 * Leaderboard points for what happens in a match, keyed by the user behind
 * each seat (the point values are rules, in shared constants).
 */
import { KILL_POINTS, WIN_POINTS } from "@arena/shared";
import type { GuestIdentity } from "../../auth.ts";
import type { Credit, Leaderboard } from "../../leaderboard/Leaderboard.ts";
import type { Logger } from "../../log.ts";

/**
 * Points for the killer when both are people. None for a kill of oneself or of another seat
 * of the same user, and none when either side has no identity here: a player who already
 * left, or a bot (bots are never seated here, so they earn nothing and are worth nothing;
 * otherwise bot rooms would be a farm).
 */
export function creditsForKill(identities: ReadonlyMap<string, GuestIdentity>, killer: string, victim: string): Credit[] {
  const who = identities.get(killer);
  if (who === undefined || killer === victim) return [];
  const target = identities.get(victim);
  if (target === undefined || target.userId === who.userId) return [];
  return [{ userId: who.userId, name: who.name, points: KILL_POINTS }];
}

/**
 * Points for the match winner. None when nobody won (e.g. everyone left), when a bot won, or
 * when no other person (another user) is seated at the end: a win over bots alone, say in a
 * practice room against one easy bot, would be a farm.
 */
export function creditsForMatch(identities: ReadonlyMap<string, GuestIdentity>, winner: string): Credit[] {
  const who = identities.get(winner);
  if (who === undefined) return [];
  const rival = [...identities.values()].some((other) => other.userId !== who.userId);
  return rival ? [{ userId: who.userId, name: who.name, points: WIN_POINTS }] : [];
}

/**
 * The user and played name behind each player session, and the writes of their points.
 *
 * Each credit names itself within its match (`once`: the killer's n-th kill, or the win), and the
 * leaderboard applies a name once: a match restored from a checkpoint on another process replays
 * what happened after the checkpoint, and the kill that gives a killer its n-th kill again is not
 * credited twice. The counts travel in the checkpoint (see `progress`).
 */
export class RoomCredits {
  private readonly identities = new Map<string, GuestIdentity>();
  /** The match being credited ("" before the first one starts). */
  private matchId = "";
  /** Kills credited this match, by user. */
  private kills = new Map<string, number>();
  private won = false;
  /** Counts changes to what `progress` returns (a checkpoint serialises it again only when this moved). */
  revision = 0;

  /** `live` says whether this process still holds the match (a process that lost it credits nothing). */
  constructor(private readonly leaderboard: Leaderboard | undefined, private readonly log: Logger, private readonly live: () => boolean = () => true) {}

  /** A new match starts: its credits are counted from zero under `matchId`. */
  startMatch(matchId: string): void {
    this.matchId = matchId;
    this.kills = new Map();
    this.won = false;
    this.revision++;
  }

  /** What has been credited this match (for a checkpoint). */
  progress(): { matchId: string; kills: Record<string, number>; won: boolean } {
    return { matchId: this.matchId, kills: Object.fromEntries(this.kills), won: this.won };
  }

  /** Goes on from a checkpoint's `progress()`. */
  resume(p: { matchId: string; kills: Readonly<Record<string, number>>; won: boolean }): void {
    this.matchId = p.matchId;
    this.kills = new Map(Object.entries(p.kills));
    this.won = p.won;
    this.revision++;
  }

  seat(sessionId: string, who: GuestIdentity): void {
    this.identities.set(sessionId, who);
  }

  /** A session that left earns and gives no more points. */
  unseat(sessionId: string): void {
    this.identities.delete(sessionId);
  }

  kill(killer: string, victim: string): void {
    if (!this.live()) return;
    const credits = creditsForKill(this.identities, killer, victim);
    const who = credits[0]?.userId;
    if (who === undefined) return;
    const n = (this.kills.get(who) ?? 0) + 1;
    this.kills.set(who, n);
    this.revision++;
    this.write(credits.map((c) => ({ ...c, once: this.onceKey(`kill:${c.userId}:${n}`) })));
  }

  win(winner: string): void {
    if (!this.live() || this.won) return;
    this.won = true;
    this.revision++;
    this.write(creditsForMatch(this.identities, winner).map((c) => ({ ...c, once: this.onceKey("win") })));
  }

  private onceKey(what: string): string | undefined {
    return this.matchId === "" ? undefined : `${this.matchId}|${what}`;
  }

  /** Writes without holding up the tick; a failed write is logged. */
  private write(credits: readonly Credit[]): void {
    if (this.leaderboard === undefined || credits.length === 0) return;
    this.leaderboard.credit(credits).catch((error: unknown) => this.log.warn("leaderboard credit failed", { error }));
  }
}
