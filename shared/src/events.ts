/** What a world step reports besides state changes: the room turns these into messages. */

export interface Standing {
  sessionId: string;
  name: string;
  kills: number;
  deaths: number;
  damage: number;
}

export type MatchEndReason = "kills" | "time" | "players";

export type GameEvent =
  | { type: "shot"; shooter: string; projectile: string }
  | { type: "hit"; shooter: string; target: string; projectile: string; firedAt: number; damage: number; x: number; y: number }
  | { type: "kill"; killer: string; victim: string; tick: number }
  | { type: "spawn"; sessionId: string; x: number; y: number }
  | { type: "matchStart"; tick: number; endsAt: number }
  | { type: "matchEnd"; reason: MatchEndReason; winner: string; standings: Standing[] };
