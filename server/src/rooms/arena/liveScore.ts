/**
 * The live score in a room's listing: the top scorer, their kills and when
 * the match ends, for the lobby's "Live matches" (Colyseus' LobbyRoom pushes
 * every listing change to the lobby's clients, on any process).
 *
 * A listing write is a driver write (Redis with several processes) and a
 * message to every lobby visitor, so it is bounded: checked a few times a
 * second, written only when what it shows changed, and at most once per
 * LIVE_SCORE_MIN_INTERVAL_MS per room. Only the room writes it, from its own
 * state: no client message reaches the listing.
 */
import { isBotId, phaseOf, standings, type ArenaRoomMetadata, type ArenaState } from "@arena/shared";
import type { Logger } from "../../log.ts";

/** Fewest milliseconds between two score writes of one room's listing. */
export const LIVE_SCORE_MIN_INTERVAL_MS = 1000;
/** How often the room looks for a change (a change is written at most this much after the bound allows). */
export const LIVE_SCORE_CHECK_MS = 250;

/** The fields of the listing this file owns. */
export type LiveScoreFields = Pick<ArenaRoomMetadata, "leader" | "leaderKills" | "leaderBot" | "endsAt">;

/** The room as the live score sees it. */
interface ScoredRoom {
  readonly state: ArenaState;
  readonly metadata: ArenaRoomMetadata;
  setMetadata(meta: ArenaRoomMetadata): Promise<unknown>;
}

/**
 * What the listing should show now; `endsAt` is the Unix ms at which the phase being played ends, taken
 * once per phase end tick (see LiveScore), so the ticking clock alone never counts as a change.
 */
export function liveScoreOf(state: ArenaState, endsAt: number): LiveScoreFields {
  const phase = phaseOf(state);
  const fields: LiveScoreFields = {};
  if (phase !== "warmup") {
    const top = standings(state)[0];
    if (top !== undefined && top.kills > 0) {
      fields.leader = top.name;
      fields.leaderKills = top.kills;
      fields.leaderBot = isBotId(top.sessionId);
    }
  }
  if (phase === "playing") fields.endsAt = endsAt;
  return fields;
}

function sameFields(a: ArenaRoomMetadata, b: LiveScoreFields): boolean {
  return a.leader === b.leader && a.leaderKills === b.leaderKills && a.leaderBot === b.leaderBot && a.endsAt === b.endsAt;
}

export class LiveScore {
  private lastWriteAt = -Infinity;
  private phaseEndsAt = -1;
  private endsAt = 0;
  /** The last write failed (Redis out): written again once the bound allows, changed or not. */
  private unwritten = false;
  /** Writes made and checks run (tests read them). */
  readonly stats = { writes: 0, checks: 0 };

  constructor(private readonly room: ScoredRoom, private readonly log: Logger) {}

  /** Writes the listing's score fields if they changed and the last write is old enough; `nowMs` is Unix ms. */
  check(nowMs: number): void {
    const state = this.room.state;
    if (state?.players === undefined) return;
    this.stats.checks++;
    if (state.phaseEndsAt !== this.phaseEndsAt) {
      this.phaseEndsAt = state.phaseEndsAt;
      this.endsAt = Math.round(nowMs + ((state.phaseEndsAt - state.tick) * 1000) / state.tickRate);
    }
    const meta = this.room.metadata;
    const fields = liveScoreOf(state, this.endsAt);
    if ((sameFields(meta, fields) && !this.unwritten) || nowMs - this.lastWriteAt < LIVE_SCORE_MIN_INTERVAL_MS) return;
    this.lastWriteAt = nowMs;
    this.unwritten = false;
    this.stats.writes++;
    const { leader: _l, leaderKills: _k, leaderBot: _b, endsAt: _e, ...rest } = meta;
    // Colyseus sets the room's metadata before persisting it: after a failed write it already reads as written.
    void this.room.setMetadata({ ...rest, ...fields }).catch((error: unknown) => {
      this.unwritten = true;
      this.log.warn("live score update failed", { error });
    });
  }
}
