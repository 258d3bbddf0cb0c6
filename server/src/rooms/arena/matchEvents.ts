/** Turns the simulation's events into messages, logs and leaderboard credits. */
import { ServerMessage, type GameEvent, type ResultsOut } from "@arena/shared";
import type { Logger } from "../../log.ts";
import type { ArenaRoom } from "./ArenaRoom.ts";
import type { RoomCredits } from "./credits.ts";

export function dispatchEvents(room: Pick<ArenaRoom, "state" | "broadcast" | "roomId">, events: readonly GameEvent[], credits: RoomCredits, log: Logger): void {
  const state = room.state;
  for (const e of events) {
    switch (e.type) {
      case "hit":
        // Hit markers and the kill feed ride in the state (`landedShot`, `hp`, `killedBy`, `deaths`): no message per event.
        log.debug("hit", { shooter: e.shooter, target: e.target, damage: e.damage, tick: state.tick });
        break;
      case "kill":
        credits.kill(e.killer, e.victim);
        break;
      case "matchStart":
        // Credits are named within a match (see credits.ts); the room id alone is reused by private codes.
        credits.startMatch(`${room.roomId}:${Date.now()}`);
        room.broadcast(ServerMessage.MatchStart, { tick: e.tick, endsAt: e.endsAt });
        log.info("match started", { players: state.players.size });
        break;
      case "matchEnd": {
        const out: ResultsOut = { reason: e.reason, winner: e.winner, standings: e.standings, nextAt: state.phaseEndsAt };
        room.broadcast(ServerMessage.Results, out);
        log.info("match ended", { reason: e.reason, winner: e.winner, players: e.standings.length });
        credits.win(e.winner);
        break;
      }
      case "shot":
        break;
    }
  }
}
