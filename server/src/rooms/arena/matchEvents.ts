/** Turns the simulation's events into messages, logs, leaderboard credits, best moments and ratings. */
import { ServerMessage, type GameEvent, type ResultsOut } from "@arena/shared";
import type { Logger } from "../../log.ts";
import type { ArenaRoom } from "./ArenaRoom.ts";
import type { RoomCredits } from "./credits.ts";
import type { MatchMoments } from "./moments.ts";
import type { RoomRatings } from "./roomRatings.ts";

/** What follows a room's matches besides its state. */
export interface MatchFollowers {
  readonly credits: RoomCredits;
  readonly moments: MatchMoments;
  readonly ratings: RoomRatings;
  /** The bots' level (0..1) in the match now. */
  readonly botLevel: () => number;
  /** A match started (the room sets its bots for it). */
  readonly started: () => void;
}

export function dispatchEvents(room: Pick<ArenaRoom, "state" | "broadcast" | "roomId">, events: readonly GameEvent[], f: MatchFollowers, log: Logger): void {
  const state = room.state;
  for (const e of events) {
    f.moments.observe(e);
    switch (e.type) {
      case "hit":
        // Hit markers and the kill feed ride in the state (`landedShot`, `hp`, `killedBy`, `deaths`): no message per event.
        log.debug("hit", { shooter: e.shooter, target: e.target, damage: e.damage, tick: state.tick });
        break;
      case "kill":
        f.credits.kill(e.killer, e.victim);
        break;
      case "matchStart":
        // Credits are named within a match (see credits.ts); the room id alone is reused by private codes.
        f.credits.startMatch(`${room.roomId}:${Date.now()}`);
        f.ratings.matchStarted(e.tick);
        f.started();
        room.broadcast(ServerMessage.MatchStart, { tick: e.tick, endsAt: e.endsAt });
        log.info("match started", { players: state.players.size });
        break;
      case "matchEnd": {
        const standings = f.moments.fill(e.standings);
        const out: ResultsOut = { reason: e.reason, winner: e.winner, standings, nextAt: state.phaseEndsAt };
        room.broadcast(ServerMessage.Results, out);
        log.info("match ended", { reason: e.reason, winner: e.winner, players: e.standings.length });
        f.credits.win(e.winner);
        // Named like the credits: a match replayed after a takeover rates nobody twice.
        f.ratings.matchEnded(f.credits.progress().matchId, standings, state.tick, state.tickRate, f.botLevel());
        break;
      }
      case "shot":
        break;
    }
  }
}
