/** Runs a match of bots in the shared simulation (no network) and watches it for unfair or stuck bots. */
import { createHash } from "node:crypto";
import {
  ARENA_MAP, ArenaState, PLAYER_RADIUS, Player, BotRoster, createRules, segmentRectTime, stepWorld,
  type BotDifficulty, type BotSkill, type GameEvent, type MatchEndReason, type MatchSettings, type Point,
} from "../src/index.ts";

export interface BotMatchResult {
  /** Hash of the final state, projectiles and every event: equal results replay equal. */
  digest: string;
  reason: MatchEndReason | undefined;
  /** Kills of each bot at the end, by id. */
  kills: Record<string, number>;
  shots: number;
  /** Shots fired at a target that was not in the shooter's line of sight (or at no target). */
  blindShots: number;
  /** Shots fired more than `aimSlack` radians away from the shooter's target. */
  wildShots: number;
  /** Longest time (steps) a living bot asked to move but stayed within a player radius. */
  longestStuck: number;
  steps: number;
  /** Route requests handed out, and stuck spells, over the match. */
  routeRequests: number;
  stuckSpells: number;
}

/** No wall between a and b: an independent check (not the brain's own function). */
function inSight(a: Point, b: Point): boolean {
  return ARENA_MAP.walls.every((w) => segmentRectTime(a.x, a.y, b.x - a.x, b.y - a.y, w, 0) < 0);
}

export interface BotMatchOptions {
  match?: Partial<MatchSettings>;
  /** The room's route budget per step (default: BOT_PLANS_PER_STEP). */
  plansPerStep?: number;
  /** How far (radians) a shot may fly from the line to its target before it counts as wild. */
  aimSlack?: number;
}

export function runBotMatch(seed: number, bots: ReadonlyArray<BotDifficulty | BotSkill>, options: BotMatchOptions = {}): BotMatchResult {
  const { match = {}, plansPerStep, aimSlack = 0.6 } = options;
  const rules = createRules(30, match);
  const state = new ArenaState();
  const world = { state, map: ARENA_MAP, rules };
  const roster = new BotRoster(ARENA_MAP, rules, seed, plansPerStep);
  const ids = bots.map((_, i) => `bot${i}`);
  bots.forEach((skill, i) => {
    const p = new Player();
    p.name = ids[i]!;
    p.bot = true;
    state.players.set(ids[i]!, p);
    roster.add(ids[i]!, skill);
  });
  const events: GameEvent[] = [];
  const all: GameEvent[] = [];
  const anchor = new Map<string, { x: number; y: number; tick: number }>();
  let reason: MatchEndReason | undefined;
  let shots = 0;
  let blindShots = 0;
  let wildShots = 0;
  let longestStuck = 0;
  let started = false;
  const limit = rules.warmupTicks + rules.matchTicks + 10;
  let n = 0;
  for (; n < limit && reason === undefined; n++) {
    roster.think(state);
    // What each bot saw when it decided: its position and its target's.
    const before = new Map<string, { me: Point; target: Point | undefined; moving: boolean }>();
    for (const id of ids) {
      const me = state.players.get(id)!;
      const targetId = roster.brain(id)!.targetId;
      const t = targetId === undefined ? undefined : state.players.get(targetId);
      const cmd = roster.commandOf(id)!;
      before.set(id, {
        me: { x: me.x, y: me.y },
        target: t !== undefined && t.alive ? { x: t.x, y: t.y } : undefined,
        moving: me.alive && (cmd.mx !== 0 || cmd.my !== 0),
      });
    }
    stepWorld(world, { inputOf: (id) => roster.commandOf(id) }, events);
    for (const e of events) {
      if (e.type === "matchStart") started = true;
      if (e.type === "matchEnd" && started) reason = e.reason;
      if (e.type !== "shot") continue;
      shots++;
      const seen = before.get(e.shooter)!;
      if (seen.target === undefined || !inSight(seen.me, seen.target)) {
        blindShots++;
        continue;
      }
      const toTarget = Math.atan2(seen.target.y - seen.me.y, seen.target.x - seen.me.x);
      const aim = state.projectiles.get(e.projectile)?.angle ?? toTarget;
      if (Math.abs(Math.atan2(Math.sin(aim - toTarget), Math.cos(aim - toTarget))) > aimSlack) wildShots++;
    }
    all.push(...events);
    events.length = 0;
    for (const id of ids) {
      const p = state.players.get(id)!;
      const a = anchor.get(id);
      if (!before.get(id)!.moving || a === undefined || Math.hypot(p.x - a.x, p.y - a.y) > PLAYER_RADIUS) {
        anchor.set(id, { x: p.x, y: p.y, tick: state.tick });
      } else {
        longestStuck = Math.max(longestStuck, state.tick - a.tick);
      }
    }
  }
  const kills: Record<string, number> = {};
  for (const id of ids) kills[id] = state.players.get(id)!.kills;
  const digest = createHash("sha256")
    .update(JSON.stringify({ state: state.toJSON(), projectiles: [...state.projectiles], events: all }))
    .digest("hex");
  const stuckSpells = ids.reduce((sum, id) => sum + roster.brain(id)!.stuckCount, 0);
  return {
    digest, reason, kills, shots, blindShots, wildShots, longestStuck, steps: n,
    routeRequests: roster.planStats.requests, stuckSpells,
  };
}
