/**
 * The bots of one arena room, and how many it keeps. A public room is topped
 * up to `BOT_FILL` players while fewer people are present; a practice room
 * keeps the bots it was created with. People always come first: bots take no
 * seat (they are not clients), and the room never keeps more bots than the
 * player seats people leave free.
 *
 * A person who joins takes a bot's place at once (not at the bot's next
 * death): the room reaches its count in the same tick, so nobody ever sees
 * more players than seats, and what players see does not depend on when a bot
 * happens to die. A bot that leaves takes its kills out of the standings.
 */
import {
  BOT_ID_PREFIX, BOT_LEVEL_OF, BotRoster, Player, cleanName, freeColor, skillAtLevel, spawnPlayer,
  type ArenaState, type BotDifficulty, type BotSkill, type BrainMemory, type InputCommand, type World,
} from "@arena/shared";
import type { Logger } from "../../log.ts";
import type { BotBudget } from "./botBudget.ts";

/** How many bots a room wants. */
export type BotPlan =
  /** Top up to `fill` players (people and bots) while fewer people are present; 0: no bots. */
  | { readonly kind: "fill"; readonly fill: number; readonly difficulty: BotDifficulty }
  /** Practice: always `count` bots (as many as the free player seats allow). */
  | { readonly kind: "practice"; readonly count: number; readonly difficulty: BotDifficulty };

/** Names bots play under (the client shows a bot tag beside them). */
const BOT_NAMES = [
  "Ada", "Brick", "Cobalt", "Dot", "Echo", "Fizz", "Gear", "Hex", "Ion", "Jolt",
  "Knob", "Lux", "Mote", "Nib", "Orbit", "Pixel", "Quark", "Rivet", "Sprocket", "Tock",
];

/** Bots wanted with `people` people in the room (seated or holding a seat for reconnection). */
export function botsWanted(plan: BotPlan, people: number, maxPlayers: number): number {
  const free = Math.max(0, maxPlayers - people);
  const want = plan.kind === "fill" ? plan.fill - people : plan.count;
  return Math.max(0, Math.min(want, free));
}

/** A seed for a room's bots from its id (FNV-1a), so a room's bots differ from another's. */
export function seedOf(roomId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < roomId.length; i++) h = Math.imul(h ^ roomId.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A level change smaller than this leaves the bots as they are (no churn of brains for a rounding). */
const LEVEL_STEP = 0.02;

export class RoomBots {
  private readonly roster: BotRoster;
  private added = 0;
  /** The bots' level (0..1) when the room sets it from its people (quick play); undefined: the plan's difficulty. */
  private botLevel: number | undefined;

  constructor(
    private readonly world: World & { readonly state: ArenaState },
    private readonly plan: BotPlan,
    private readonly maxPlayers: number,
    seed: number,
    private readonly log: Logger,
    /** The process's cap: a bot that would pass it is not added (filling is best effort). */
    private readonly budget?: BotBudget,
  ) {
    this.roster = new BotRoster(world.map, world.rules, seed);
  }

  get count(): number {
    return this.roster.size;
  }

  isBot(sessionId: string): boolean {
    return this.roster.has(sessionId);
  }

  /**
   * The level the bots play at, 0 (easy) to 1 (hard), on shared/src/bots/level.ts's scale: the plan's named
   * difficulty until {@link setLevel} is called.
   */
  get level(): number {
    return this.botLevel ?? BOT_LEVEL_OF[this.plan.difficulty];
  }

  /**
   * Bots play at `level` from now on: each bot's brain is replaced by one of that skill (its player stays
   * where it is). The room calls it between matches, so the bots of a match keep one level throughout.
   */
  setLevel(level: number): void {
    if (this.botLevel !== undefined && Math.abs(level - this.botLevel) < LEVEL_STEP) return;
    this.botLevel = level;
    for (const id of this.roster.ids()) {
      this.roster.remove(id);
      this.roster.add(id, this.skill());
    }
    this.log.debug("bot level set", { level });
  }

  private skill(): BotDifficulty | BotSkill {
    return this.botLevel === undefined ? this.plan.difficulty : skillAtLevel(this.botLevel);
  }

  /** Each bot decides its command for the coming step (call once per step, before `stepWorld`). */
  think(): void {
    if (this.roster.size > 0) this.roster.think(this.world.state);
  }

  /** A bot's command for this step; undefined for a person. */
  commandOf(sessionId: string): InputCommand | undefined {
    return this.roster.commandOf(sessionId);
  }

  /** Adds or removes bots until the room has as many as it wants for the people in it now. */
  sync(): void {
    const state = this.world.state;
    let people = 0;
    state.players.forEach((p, id) => {
      if (!this.roster.has(id)) people++;
    });
    const want = botsWanted(this.plan, people, this.maxPlayers);
    while (this.roster.size < want && this.addOne());
    while (this.roster.size > want) this.removeOne();
  }

  /** The bots' brains and the roster's seed counter, for a checkpoint. */
  snapshot(): { added: number; brains: { sessionId: string; memory: BrainMemory }[]; level?: number } {
    return { added: this.added, brains: this.roster.memories(), ...(this.botLevel !== undefined ? { level: this.botLevel } : {}) };
  }

  /**
   * Goes on with the bots of a checkpoint (their players are already in the restored state):
   * each takes a place in the process's budget and gets back its brain's memory.
   */
  restore(bots: readonly { sessionId: string; memory: BrainMemory }[], added: number, level?: number): void {
    const state = this.world.state;
    const kept = bots.filter((b) => state.players.get(b.sessionId)?.bot === true);
    for (const b of kept) this.budget?.takeEvenIfFull();
    this.botLevel = level;
    this.roster.restore(kept, this.skill(), added);
    this.added = Math.max(this.added, added);
  }

  /** The room is closing: its bots' places go back to the process. */
  dispose(): void {
    this.budget?.give(this.roster.size);
  }

  private addOne(): boolean {
    if (this.budget !== undefined && !this.budget.take()) {
      this.log.warn("bot cap reached, room not topped up", { cap: this.budget.max });
      return false;
    }
    const state = this.world.state;
    const id = `${BOT_ID_PREFIX}${++this.added}`;
    const player = new Player();
    player.bot = true;
    player.name = this.freeName();
    player.color = freeColor(state);
    state.players.set(id, player);
    spawnPlayer(state, id, player, this.world.map, this.world.rules);
    this.roster.add(id, this.skill());
    this.log.debug("bot added", { session: id, name: player.name });
    return true;
  }

  /** The bot to give way: a dead one if any (it is off the field anyway), else the newest. */
  private removeOne(): void {
    const ids = this.roster.ids();
    const state = this.world.state;
    const id = ids.find((b) => state.players.get(b)?.alive === false) ?? ids[ids.length - 1];
    if (id === undefined) return;
    this.roster.remove(id);
    state.players.delete(id);
    this.budget?.give();
    this.log.debug("bot removed", { session: id });
  }

  private freeName(): string {
    const taken = new Set<string>();
    this.world.state.players.forEach((p) => taken.add(p.name));
    const name = BOT_NAMES.find((n) => !taken.has(n)) ?? `Bot ${this.added}`;
    return cleanName(name);
  }
}
