/**
 * The bots of one room: their brains, the room's route budget and the seed each
 * bot's choices come from. The room calls {@link BotRoster.think} once per step
 * before `stepWorld`, and hands each bot's command to the step through
 * `StepHooks.inputOf`, as it does a person's decoded input.
 */
import type { Rules } from "../constants.ts";
import type { ArenaMap } from "../sim/map.ts";
import type { ArenaState, InputCommand } from "../wire/schema.ts";
import { BotBrain, type BotContext, type BotView, type BrainMemory } from "./brain.ts";
import { navGridFor } from "./navGrid.ts";
import { RoutePlanner, type PlannerStats } from "./planner.ts";
import { deriveSeed } from "./random.ts";
import { BOT_PLANS_PER_STEP, BOT_SKILLS, type BotDifficulty, type BotSkill } from "./skill.ts";

export class BotRoster {
  private readonly ctx: BotContext;
  private readonly brains = new Map<string, BotBrain>();
  private readonly commands = new Map<string, InputCommand>();
  private added = 0;

  /**
   * `seed` fixes every choice of every bot added later (in the order they are added);
   * `plansPerStep` is the room's route budget (tests set 0 to make bots walk without routes).
   */
  constructor(map: ArenaMap, rules: Rules, private readonly seed: number, plansPerStep: number = BOT_PLANS_PER_STEP) {
    const nav = navGridFor(map);
    if (nav.openCount() === 0) throw new Error(`map ${map.name} has no room to walk for bots`);
    this.ctx = { map, rules, nav, planner: new RoutePlanner(nav, plansPerStep) };
  }

  /** Route requests and refusals of this room's bots so far. */
  get planStats(): Readonly<PlannerStats> {
    return this.ctx.planner.stats;
  }

  get size(): number {
    return this.brains.size;
  }

  /** Session ids of the bots, in the order they were added. */
  ids(): string[] {
    return [...this.brains.keys()];
  }

  has(sessionId: string): boolean {
    return this.brains.has(sessionId);
  }

  /** What a bot is doing (read-only). */
  brain(sessionId: string): BotView | undefined {
    return this.brains.get(sessionId);
  }

  /** Gives `sessionId` (a Player the room has put in the state, with `bot` set) a brain of this difficulty or skill. */
  add(sessionId: string, difficulty: BotDifficulty | BotSkill): BotView {
    if (this.brains.has(sessionId)) throw new Error(`bot ${sessionId} already has a brain`);
    const skill = typeof difficulty === "string" ? BOT_SKILLS[difficulty] : difficulty;
    if (skill === undefined) throw new RangeError(`unknown bot difficulty ${JSON.stringify(difficulty)}`);
    for (const [key, value] of Object.entries(skill)) {
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`bot skill ${key} must be a finite number >= 0, got ${value}`);
    }
    const brain = new BotBrain(sessionId, skill, deriveSeed(this.seed, this.added++), this.ctx);
    this.brains.set(sessionId, brain);
    return brain;
  }

  /** How many bots were ever added (the next bot's seed index), for a checkpoint. */
  get addedCount(): number {
    return this.added;
  }

  /** Every brain's memory, in the order the bots were added. */
  memories(): { sessionId: string; memory: BrainMemory }[] {
    return [...this.brains.values()].map((b) => ({ sessionId: b.sessionId, memory: b.memory() }));
  }

  /**
   * Rebuilds a checkpointed roster: each bot gets a brain of `difficulty` that recalls its memory,
   * and bots added later get the seeds they would have had.
   */
  restore(bots: readonly { sessionId: string; memory: BrainMemory }[], difficulty: BotDifficulty | BotSkill, added: number): void {
    for (const b of bots) this.add(b.sessionId, difficulty);
    for (const b of bots) this.brains.get(b.sessionId)!.recall(b.memory);
    this.added = Math.max(this.added, added);
  }

  /** Forgets a bot (the room removes its Player from the state itself). */
  remove(sessionId: string): void {
    this.brains.delete(sessionId);
    this.commands.delete(sessionId);
  }

  /**
   * Every bot decides its command for the coming step, from the state as it is.
   * The bot that thinks first (and so gets the route budget first) rotates each step.
   */
  think(state: ArenaState): void {
    this.ctx.planner.beginStep();
    const brains = [...this.brains.values()];
    const n = brains.length;
    for (let k = 0; k < n; k++) {
      const brain = brains[(state.tick + k) % n]!;
      this.commands.set(brain.sessionId, brain.think(state));
    }
  }

  /** The command a bot decided at the last {@link think}, or undefined for a person. */
  commandOf(sessionId: string): InputCommand | undefined {
    return this.commands.get(sessionId);
  }
}
