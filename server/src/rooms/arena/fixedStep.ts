/**
 * The room's fixed step: one `stepWorld` per tick, fed one buffered input per
 * player, with hits tested against where the shooter saw the others
 * (`allowRewindState`) when lag compensation is on. Colyseus' fixed timestep
 * runs it, on the process's shared step beat (rooms/beats.ts) rather than a
 * timer of the room's own.
 */
import type { InputAccessor, Rewind, Room } from "@colyseus/core";
import {
  MAX_REWIND_MS, PLAYER_SPEED, stepWorld,
  type ArenaState, type GameEvent, type InputCommand, type Projectile, type Seen, type StepHooks, type World,
} from "@arena/shared";
import { takeInterval } from "../../colyseusInternals.ts";
import { beatOf } from "../beats.ts";

/** The parts of the room the step drives; the arena room is one. */
export interface SteppedRoom {
  readonly clock: Room["clock"];
  readonly inputs: { get(sessionId: string): InputAccessor<InputCommand & { renderTime?: number }> };
  allowRewindState: Room["allowRewindState"];
  setFixedTimestep: Room["setFixedTimestep"];
}

export interface FixedStepOptions {
  readonly tickRate: number;
  /** Patches a second: the rewind records the players' positions at each patch. */
  readonly patchRate: number;
  readonly lagCompensation: boolean;
  /** The most a player may be rewound, ms: what the server measured of its round trip (see roundTrips.ts). */
  readonly rewindBoundOf: (sessionId: string) => number;
  /** Told, each step, how many inputs each person had buffered as the step began (how late a stalled burst is). */
  readonly inputBuffered?: (sessionId: string, buffered: number) => void;
  /** False while the room may not act for its match (see keeper.ts): the step waits. */
  readonly live?: () => boolean;
  /** Called with the step's events (only when there are some); the array is reused. */
  readonly onEvents: (events: readonly GameEvent[]) => void;
  /** Called after every step with its duration in ms and its tick: Colyseus' count, from 0, of the steps its accumulator called for. */
  readonly afterStep: (ms: number, tick: number) => void;
  /** Server-side players: they decide before each step, and their commands go where a person's input does. */
  readonly bots?: StepBots;
}

/** The room's bots as the step sees them. */
export interface StepBots {
  think(): void;
  /** The bot's command for this step; undefined for a person. */
  commandOf(sessionId: string): InputCommand | undefined;
}

/**
 * Starts stepping `world` at `tickRate`; players' x and y are recorded for rewinding. Returns the function that
 * stops the steps (Colyseus' disposal cannot: it clears a timer the room does not have).
 */
export function startFixedStep(room: SteppedRoom, world: World & { state: ArenaState }, o: FixedStepOptions): () => void {
  const rewind = room.allowRewindState({ maxRewindMs: MAX_REWIND_MS });
  rewind.attachAll(world.state.players, { fields: ["x", "y"] });
  const seen = rewoundView(room, rewind, o.tickRate, 1000 / o.patchRate);
  const bots = o.bots;
  const personInput = (id: string): InputCommand | undefined => {
    const inputs = room.inputs.get(id);
    o.inputBuffered?.(id, inputs.size);
    return inputs.next();
  };
  // Built once: the step calls these for every player every tick.
  const hooks: StepHooks = {
    inputOf: bots === undefined ? personInput : (id) => bots.commandOf(id) ?? personInput(id),
    // How far back the shooter saw the others when firing, from the render time stamped on its input:
    // the client's word, so bounded by what the server measured of that client.
    rewindMsOf: o.lagCompensation
      ? (id) => {
          if (bots?.commandOf(id) !== undefined) return 0; // a bot sees the present
          const renderTime = room.inputs.get(id).renderTime ?? 0;
          return renderTime > 0 ? Math.min(o.rewindBoundOf(id), Math.max(0, room.clock.elapsedTime - renderTime)) : 0;
        }
      : undefined,
    seen: o.lagCompensation ? seen.seen : undefined,
  };
  const events: GameEvent[] = [];
  const steps = takeInterval(() => room.setFixedTimestep((ctx) => {
    if (o.live !== undefined && !o.live()) return;
    const startedAt = performance.now();
    seen.forget();
    bots?.think();
    stepWorld(world, hooks, events);
    if (events.length > 0) {
      o.onEvents(events);
      events.length = 0;
    }
    o.afterStep(performance.now() - startedAt, ctx.tick);
  }, o.tickRate));
  return beatOf(steps.periodMs).join(steps.run);
}

/**
 * Where each target was for a projectile's shooter: one rewound view per
 * projectile (its shooter's moment) and one reused result, so a hit test
 * allocates nothing.
 */
function rewoundView(room: SteppedRoom, rewind: Rewind, tickRate: number, recordMs: number): { seen: Seen; forget(): void } {
  let viewOf: Projectile | undefined;
  let view: ReturnType<Rewind["at"]> | undefined;
  const at = { x: 0, y: 0 };
  return {
    seen: {
      position: (projectile, target) => {
        if (viewOf !== projectile || view === undefined) {
          view = rewind.at(room.clock.elapsedTime - projectile.rewindMs);
          viewOf = projectile;
        }
        at.x = view.value(target, "x");
        at.y = view.value(target, "y");
        return at;
      },
      // How far anyone can run while this shooter is rewound, plus the age of the newest recorded position (the
      // rewind records at each patch, and a position read past it is the newest) and a step.
      reach: (projectile) => PLAYER_SPEED * ((Math.min(projectile.rewindMs, MAX_REWIND_MS) + recordMs) / 1000 + 1 / tickRate),
    },
    forget: () => {
      viewOf = undefined;
    },
  };
}
