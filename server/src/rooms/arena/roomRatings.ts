/**
 * The ratings of a room's people (people/rating.ts): read when a person takes a seat, used to set a quick-play
 * room's bot level between matches, and updated once per match result, each person told their change.
 */
import { isBotId, type Standing } from "@arena/shared";
import type { Logger } from "../../log.ts";
import { RATING_MAX, RATING_START, performance, roomBotLevel, weightOf, type RatingRecord } from "../../people/rating.ts";
import type { RatingChange, RatingStore } from "../../people/Ratings.ts";

interface Seated {
  readonly userId: string;
  /** Tick the person took the seat (they are rated for the time since, within the match). */
  readonly since: number;
  record: RatingRecord | undefined;
}

export interface RoomRatingsHooks {
  /** A seated person's rating arrived (the room may set its bots' level). */
  readonly loaded: () => void;
  /** Tells a session its rating change. */
  readonly tell: (sessionId: string, change: RatingChange) => void;
  /** Whether this process still holds the match (a process that lost it rates nobody). */
  readonly live: () => boolean;
  /** Whether the room's matches count toward its people's first matches (rating.ts: not a practice room's). */
  readonly counted: () => boolean;
}

export class RoomRatings {
  private readonly seated = new Map<string, Seated>();
  private matchStart = 0;

  constructor(private readonly store: RatingStore | undefined, private readonly log: Logger, private readonly hooks: RoomRatingsHooks) {}

  /** A person took a seat at `tick`: their rating is read (until it arrives they count as a newcomer). */
  seat(sessionId: string, userId: string, tick: number): void {
    const seat: Seated = { userId, since: tick, record: undefined };
    this.seated.set(sessionId, seat);
    this.store?.get([userId]).then(([record]) => {
      if (this.seated.get(sessionId) !== seat) return;
      seat.record = record;
      this.hooks.loaded();
    }, (error: unknown) => this.log.warn("rating read failed", { error, userId }));
  }

  unseat(sessionId: string): void {
    this.seated.delete(sessionId);
  }

  /** The level (0..1) quick-play bots should play at for the people seated now. */
  botLevel(): number {
    return roomBotLevel([...this.seated.values()].map((s) => s.record));
  }

  matchStarted(tick: number): void {
    this.matchStart = tick;
  }

  /**
   * Rates every person seated at the end from their line of `standings`, against the mean level of the others
   * (bots at `botLevel`, people at their rating), and tells each their change. Applied once per `matchId`.
   */
  matchEnded(matchId: string, standings: readonly Standing[], tick: number, tickRate: number, botLevel: number): void {
    if (this.store === undefined || matchId === "" || !this.hooks.live()) return;
    const levelOf = (sessionId: string): number => isBotId(sessionId)
      ? botLevel * RATING_MAX
      : this.seated.get(sessionId)?.record?.rating ?? RATING_START;
    const counted = this.hooks.counted();
    const updates = [];
    const sessionsOf = new Map<string, string[]>();
    for (const line of standings) {
      const seat = this.seated.get(line.sessionId);
      if (seat === undefined) continue;
      const others = standings.filter((o) => o.sessionId !== line.sessionId);
      if (others.length === 0) continue;
      const minutes = Math.max(0, tick - Math.max(this.matchStart, seat.since)) / tickRate / 60;
      const opponents = others.reduce((sum, o) => sum + levelOf(o.sessionId), 0) / others.length;
      updates.push({ userId: seat.userId, perf: performance({ ...line, minutes, opponents }), weight: weightOf(minutes), counted });
      sessionsOf.set(seat.userId, [...(sessionsOf.get(seat.userId) ?? []), line.sessionId]);
    }
    if (updates.length === 0) return;
    this.store.apply(matchId, updates).then((changes) => {
      for (const change of changes) {
        for (const sessionId of sessionsOf.get(change.userId) ?? []) {
          const seat = this.seated.get(sessionId);
          if (seat !== undefined) seat.record = { rating: change.after, matches: change.matches };
          this.hooks.tell(sessionId, change);
        }
      }
      this.hooks.loaded();
    }, (error: unknown) => this.log.warn("rating update failed", { error, matchId }));
  }
}
