/** What a world step reports besides state changes: the room turns these into messages. */
import type { MatchEndReason, Standing } from "../wire/protocol.ts";

/** One thing that happened during a step. */
export type GameEvent =
  | { type: "shot"; shooter: string; projectile: string }
  | { type: "hit"; shooter: string; target: string; projectile: string; firedAt: number; damage: number; x: number; y: number }
  | { type: "kill"; killer: string; victim: string; tick: number }
  | { type: "matchStart"; tick: number; endsAt: number }
  | { type: "matchEnd"; reason: MatchEndReason; winner: string; standings: Standing[] };
