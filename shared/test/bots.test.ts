import { describe, expect, it } from "vitest";
import {
  ARENA_MAP, ArenaState, BOT_DIFFICULTIES, BOT_PLANS_PER_STEP, BOT_RETREAT_HP, BOT_SKILLS, BotRoster, KILL_LIMIT, MAX_HP,
  MOVE_SCALE, PLAYER_SPEED, PROJECTILE_SPEED, Player, TICK_RATE, createRules, isBotDifficulty, segmentRectTime, spawnPlayer,
  startMatch, stepWorld, type BotDifficulty, type GameEvent, type InputCommand,
} from "../src/index.ts";
import { runBotMatch, type BotMatchResult } from "./botMatch.ts";

const MIX = ["easy", "normal", "hard", "normal"] as const;
const SEED = 20261129;
const totalKills = (r: BotMatchResult): number => Object.values(r.kills).reduce((a, b) => a + b, 0);

// The reference match, run once and read by several tests.
let reference: BotMatchResult | undefined;
const match = (): BotMatchResult => (reference ??= runBotMatch(SEED, MIX));

describe("a match of 4 bots in the shared simulation", () => {
  it("ends by the kill limit or the timer, with kills on the board", () => {
    const r = match();
    expect(["kills", "time"]).toContain(r.reason);
    expect(totalKills(r)).toBeGreaterThan(0);
    if (r.reason === "kills") expect(Math.max(...Object.values(r.kills))).toBe(KILL_LIMIT);
  });

  it("has no bot fire at a target out of its line of sight, nor far off its target", () => {
    const r = match();
    expect(r.shots).toBeGreaterThan(100); // there is shooting to judge
    expect(r.blindShots).toBe(0);
    expect(r.wildShots).toBe(0);
  });

  it("has no bot stay stuck (asking to move, not leaving a player radius) for 3 s", () => {
    expect(match().longestStuck).toBeLessThan(3 * TICK_RATE);
  });

  it("has no bot stay stuck for 3 s even without any route (every bot walks straight into walls)", () => {
    const r = runBotMatch(SEED, MIX, { plansPerStep: 0, match: { matchSeconds: 90 } });
    expect(r.routeRequests).toBe(0);
    expect(r.stuckSpells).toBeGreaterThan(10); // the walls did get in the way
    expect(r.longestStuck).toBeLessThan(3 * TICK_RATE);
  });

  it("does not ask for routes every step: at most 2 per bot per second (a step is 1/30 s)", () => {
    const r = match();
    const botSeconds = (MIX.length * r.steps) / TICK_RATE;
    expect(r.routeRequests).toBeGreaterThan(0);
    expect(r.routeRequests / botSeconds).toBeLessThan(2);
  });

  it("holds in a full room too: 15 bots for a minute, no blind shot, no one stuck 3 s, routes within budget", () => {
    const fifteen = Array.from({ length: 15 }, (_, i) => BOT_DIFFICULTIES[i % 3]!);
    const r = runBotMatch(SEED, fifteen, { match: { matchSeconds: 60 } });
    expect(r.shots).toBeGreaterThan(300);
    expect(r.blindShots).toBe(0);
    expect(r.wildShots).toBe(0);
    expect(r.longestStuck).toBeLessThan(3 * TICK_RATE);
    expect(r.routeRequests).toBeLessThanOrEqual(BOT_PLANS_PER_STEP * r.steps);
    expect(r.routeRequests / ((15 * r.steps) / TICK_RATE)).toBeLessThan(2);
  });

  it("replays to the identical result from the same seed, and plays differently from another", () => {
    const again = runBotMatch(SEED, MIX);
    expect(again).toEqual(match());
    expect(runBotMatch(SEED + 1, MIX).digest).not.toBe(match().digest);
  });
});

describe("bot difficulties", () => {
  it("set only reaction, aim error and decision rate, each harder level quicker and sharper", () => {
    for (const d of BOT_DIFFICULTIES) expect(Object.keys(BOT_SKILLS[d]).sort()).toEqual(["aimErrorRad", "decisionS", "reactionS"]);
    const [easy, normal, hard] = BOT_DIFFICULTIES.map((d) => BOT_SKILLS[d]);
    for (const key of ["aimErrorRad", "decisionS", "reactionS"] as const) {
      expect(easy![key]).toBeGreaterThan(normal![key]);
      expect(normal![key]).toBeGreaterThan(hard![key]);
    }
  });

  it("change nothing but those parameters: a bot given the same numbers as a difficulty plays the same match", () => {
    const asNumbers = MIX.map((d) => ({ ...BOT_SKILLS[d] }));
    expect(runBotMatch(SEED, asNumbers).digest).toBe(match().digest);
  });

  it("make a difference: over three matches the hard bot outscores the easy one", () => {
    const runs = [match(), runBotMatch(SEED + 2, MIX), runBotMatch(SEED + 3, MIX)];
    const kills = (id: string): number => runs.reduce((sum, r) => sum + r.kills[id]!, 0);
    expect(kills("bot2")).toBeGreaterThan(kills("bot0")); // bot2 is hard, bot0 easy
  });

  it("are validated by name", () => {
    expect(BOT_DIFFICULTIES.every(isBotDifficulty)).toBe(true);
    for (const bad of ["", "HARD", "insane", 1, null, undefined, { hard: true }]) expect(isBotDifficulty(bad)).toBe(false);
  });
});

describe("a bot's command", () => {
  it("is what a person's input decodes into: int8 moves, a float32 aim, and nothing while dead", () => {
    const rules = createRules(30);
    const state = new ArenaState();
    const roster = new BotRoster(ARENA_MAP, rules, 7);
    for (const id of ["a", "b"]) {
      const p = new Player();
      p.bot = true;
      state.players.set(id, p);
      roster.add(id, "hard");
      spawnPlayer(state, id, p, ARENA_MAP, rules);
    }
    for (let i = 0; i < 60; i++) {
      roster.think(state);
      const cmd = roster.commandOf("a")!;
      expect(Number.isInteger(cmd.mx) && Math.abs(cmd.mx) <= MOVE_SCALE).toBe(true);
      expect(Number.isInteger(cmd.my) && Math.abs(cmd.my) <= MOVE_SCALE).toBe(true);
      expect(Math.fround(cmd.aim)).toBe(cmd.aim);
      expect(Math.abs(cmd.aim)).toBeLessThanOrEqual(Math.PI);
      state.tick++;
    }
    state.players.get("a")!.alive = false;
    roster.think(state);
    expect(roster.commandOf("a")).toMatchObject({ mx: 0, my: 0, fire: false });
    expect(roster.commandOf("nobody")).toBeUndefined();
    roster.remove("a");
    expect(roster.has("a")).toBe(false);
    expect(() => roster.add("b", "easy")).toThrow(/already/);
    expect(() => roster.add("c", "insane" as BotDifficulty)).toThrow(/unknown bot difficulty "insane"/);
    expect(() => roster.add("c", { reactionS: Number.NaN, aimErrorRad: 0, decisionS: 0.1 })).toThrow(/reactionS/);
    expect(() => roster.add("c", { reactionS: 0, aimErrorRad: -1, decisionS: 0.1 })).toThrow(/aimErrorRad/);
    expect(roster.has("c")).toBe(false);
  });
});

/**
 * A bot facing a person who stands still in open ground, 300 units away, kept
 * alive: when does the bot start shooting, and how far off are its shots?
 */
interface Duel {
  firstShotAfter: number;
  /** Angle between each shot and the line to the person. */
  errors: number[];
  /** The same, signed: positive when the shot points ahead of a person moving down (the bot is to its left). */
  signed: number[];
  /** Angle between each shot and the perfect lead on the person (the line that meets it if it keeps its input). */
  offLead: number[];
  /** Per step: the bot's mode, its move, the direction to the person, and whether the person could see it. */
  trace: Array<{ mode: string; mx: number; my: number; toX: number; toY: number; inSight: boolean }>;
}

interface DuelOptions {
  botHp?: number;
  seconds?: number;
  /** The person's input each step (none: it stands still), and where it starts. */
  personInput?: InputCommand;
  personAt?: { x: number; y: number };
}

function duel(difficulty: BotDifficulty, seed: number, options: DuelOptions = {}): Duel {
  const { botHp = MAX_HP, seconds = 3, personInput, personAt = { x: 450, y: 700 } } = options;
  const rules = createRules(30);
  const state = new ArenaState();
  const world = { state, map: ARENA_MAP, rules };
  const roster = new BotRoster(ARENA_MAP, rules, seed);
  for (const id of ["bot", "person"]) state.players.set(id, new Player());
  state.players.get("bot")!.bot = true;
  roster.add("bot", difficulty);
  startMatch(state, ARENA_MAP, rules, []);
  const bot = state.players.get("bot")!;
  const person = state.players.get("person")!;
  bot.x = 150; bot.y = 700; person.x = personAt.x; person.y = personAt.y;
  person.protectedUntil = 0;
  const start = state.tick;
  let firstShotAfter = -1;
  bot.hp = botHp;
  const errors: number[] = [];
  const signed: number[] = [];
  const offLead: number[] = [];
  const trace: Duel["trace"] = [];
  const events: GameEvent[] = [];
  for (let i = 0; i < seconds * TICK_RATE; i++) {
    person.hp = MAX_HP;
    roster.think(state);
    const cmd = roster.commandOf("bot")!;
    const inSight = ARENA_MAP.walls.every((w) => segmentRectTime(person.x, person.y, bot.x - person.x, bot.y - person.y, w, 0) < 0);
    trace.push({ mode: roster.brain("bot")!.mode, mx: cmd.mx, my: cmd.my, toX: person.x - bot.x, toY: person.y - bot.y, inSight });
    // The bot's input is applied first (it joined first): the person is where it is now when the shot leaves.
    const at = { x: person.x, y: person.y };
    stepWorld(world, { inputOf: (id) => (id === "bot" ? roster.commandOf(id) : personInput) }, events);
    for (const e of events) {
      if (e.type !== "shot") continue;
      const p = state.projectiles.get(e.projectile)!;
      if (firstShotAfter < 0) firstShotAfter = state.tick - start - 1; // the command was decided on the step before
      const truth = Math.atan2(at.y - p.y, at.x - p.x);
      const diff = Math.atan2(Math.sin(p.angle - truth), Math.cos(p.angle - truth));
      errors.push(Math.abs(diff));
      signed.push(diff);
      const v = { x: ((personInput?.mx ?? 0) / MOVE_SCALE) * PLAYER_SPEED, y: ((personInput?.my ?? 0) / MOVE_SCALE) * PLAYER_SPEED };
      const d = { x: at.x - p.x, y: at.y - p.y };
      // Where a shot at PROJECTILE_SPEED meets a target moving at v from d: |d + v t| = speed t.
      const a = v.x * v.x + v.y * v.y - PROJECTILE_SPEED ** 2;
      const b = 2 * (d.x * v.x + d.y * v.y);
      const c = d.x * d.x + d.y * d.y;
      const t = (-b - Math.sqrt(b * b - 4 * a * c)) / (2 * a);
      const ideal = Math.atan2(d.y + v.y * t, d.x + v.x * t);
      offLead.push(Math.abs(Math.atan2(Math.sin(p.angle - ideal), Math.cos(p.angle - ideal))));
    }
    events.length = 0;
  }
  return { firstShotAfter, errors, signed, offLead, trace };
}

describe("a bot in a duel", () => {
  it("fires only after its reaction time (counted from its next decision), within its aim error of a still target", () => {
    const meanError: Record<string, number> = {};
    for (const d of BOT_DIFFICULTIES) {
      const { reactionS, decisionS, aimErrorRad } = BOT_SKILLS[d];
      const reaction = Math.round(reactionS * TICK_RATE);
      const decision = Math.round(decisionS * TICK_RATE);
      const all: number[] = [];
      for (const seed of [1, 2, 3, 4, 5]) {
        const { firstShotAfter, errors } = duel(d, seed);
        expect(firstShotAfter).toBeGreaterThanOrEqual(reaction);
        expect(firstShotAfter).toBeLessThan(reaction + decision);
        expect(errors.length).toBeGreaterThan(5);
        for (const e of errors) expect(e).toBeLessThanOrEqual(aimErrorRad + 1e-3); // + the 16-bit angle on the wire
        all.push(...errors);
      }
      meanError[d] = all.reduce((a, b) => a + b, 0) / all.length;
    }
    expect(meanError.easy).toBeGreaterThan(meanError.normal!);
    expect(meanError.normal).toBeGreaterThan(meanError.hard!);
  });
});

describe("a bot in a fight", () => {
  it("leads a crossing target imperfectly: its shots point ahead of it, off the perfect lead by more than its aim error", () => {
    const down: InputCommand = { mx: 0, my: MOVE_SCALE, aim: 0, fire: false };
    const runs = [1, 2, 3].map((seed) => duel("hard", seed, { seconds: 2, personInput: down, personAt: { x: 450, y: 450 } }));
    const leads = runs.flatMap((r) => r.signed);
    const offLead = runs.flatMap((r) => r.offLead);
    expect(leads.length).toBeGreaterThan(10);
    const mean = leads.reduce((a, b) => a + b, 0) / leads.length;
    // Crossing at 220 units/s against 900 units/s shots, a perfect lead is up to asin(220 / 900) = 0.25 rad.
    expect(mean).toBeGreaterThan(0.1);
    expect(mean).toBeLessThan(0.3);
    expect(Math.max(...offLead)).toBeGreaterThan(2 * BOT_SKILLS.hard.aimErrorRad);
  });

  it("strafes across the line to its target, changing side", () => {
    for (const seed of [1, 2, 3]) {
      const fighting = duel("normal", seed).trace.filter((t) => t.mode === "fight" && (t.mx !== 0 || t.my !== 0));
      expect(fighting.length).toBeGreaterThan(2 * TICK_RATE);
      const along = fighting.map((t) => Math.abs(t.mx * t.toX + t.my * t.toY) / (Math.hypot(t.mx, t.my) * Math.hypot(t.toX, t.toY)));
      expect(along.reduce((a, b) => a + b, 0) / along.length).toBeLessThan(0.2); // mostly sideways
      const side = fighting.map((t) => Math.sign(t.mx * t.toY - t.my * t.toX));
      expect(side.some((s, i) => i > 0 && s !== side[i - 1])).toBe(true);
    }
  });

  it("at low health runs out of its enemy's sight; at full health it stays and fights", () => {
    for (const seed of [1, 2, 3]) {
      const low = duel("normal", seed, { botHp: BOT_RETREAT_HP, seconds: 4 }).trace;
      expect(low.some((t) => t.mode === "retreat")).toBe(true);
      expect(low.some((t) => !t.inSight)).toBe(true);
      const full = duel("normal", seed, { seconds: 4 }).trace;
      expect(full.some((t) => t.mode === "retreat")).toBe(false);
      expect(full.filter((t) => t.inSight).length).toBeGreaterThan(0.9 * full.length);
    }
  });
});
