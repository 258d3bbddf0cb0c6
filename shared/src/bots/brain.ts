/**
 * One bot's brain: each step it turns what a player could see (positions,
 * health and spawn protection of the players in its line of sight) into an
 * {@link InputCommand}, the same command a person's input decodes into, for the
 * same step function. It remembers only what it saw; time is counted in ticks
 * and every choice comes from its own seeded {@link Random}.
 */
import { PLAYER_RADIUS, PLAYER_SPEED, PROJECTILE_LIFETIME_S, PROJECTILE_RADIUS, PROJECTILE_SPEED, type Rules } from "../constants.ts";
import type { ArenaMap, Point } from "../sim/map.ts";
import { MOVE_SCALE, type ArenaState, type InputCommand, type Player } from "../wire/schema.ts";
import { wrapAngle } from "../sim/movement.ts";
import type { NavGrid, Route } from "./navGrid.ts";
import type { RoutePlanner } from "./planner.ts";
import { Random } from "./random.ts";
import { clearLine, clearWalk } from "./sight.ts";
import {
  BOT_FIGHT_FAR, BOT_FIGHT_NEAR, BOT_LEAD_ERROR, BOT_MEMORY_S, BOT_REPLAN_S, BOT_RETREAT_HP, BOT_SIGHT_RANGE,
  BOT_STRAFE_MAX_S, BOT_STRAFE_MIN_S, BOT_STUCK_S, BOT_UNSTICK_S, type BotSkill,
} from "./skill.ts";

/** What a brain shares with the other bots of its room. */
export interface BotContext {
  readonly map: ArenaMap;
  readonly rules: Rules;
  readonly nav: NavGrid;
  readonly planner: RoutePlanner;
}

/** What the bot is doing: "idle" while dead or absent. */
export type BotMode = "idle" | "roam" | "chase" | "fight" | "retreat" | "unstick";

/** Farthest a shot flies; a bot does not fire at targets beyond it. */
const FIRE_RANGE = PROJECTILE_SPEED * PROJECTILE_LIFETIME_S;
/** A waypoint counts as reached within this distance. */
const WAYPOINT_REACH = PLAYER_RADIUS;
/** Roaming goals are at least this far away. */
const ROAM_MIN_DISTANCE = 300;
/** Cover is looked for among this many random cells... */
const COVER_SAMPLES = 24;
/** ...this near (in each axis). */
const COVER_RADIUS = 400;
/** How far ahead a way out is probed when stuck, and a strafe direction before taking it. */
const PROBE = 60;
/** After this many stuck spells on the way to one goal, the bot gives the goal up. */
const STUCK_GIVE_UP = 3;

const steps = (seconds: number, rules: Rules): number => Math.max(1, Math.round(seconds * rules.tickRate));

/** What a brain shows of itself (to the room, tests and measurements). */
export interface BotView {
  readonly sessionId: string;
  readonly skill: BotSkill;
  /** Session id of its target: the player it shoots at, or chases from memory. */
  readonly targetId: string | undefined;
  readonly mode: BotMode;
  /** Times it found itself stuck. */
  readonly stuckCount: number;
}

/**
 * What a brain remembers between steps, as plain data (a match checkpoint carries it to another
 * process). The planned route is left out: it is recomputed from the goal at the next step.
 */
export interface BrainMemory {
  readonly random: number;
  readonly targetId: string | null;
  readonly mode: BotMode;
  readonly goal: Point | null;
  /** The numeric and boolean fields below, by name (-Infinity is kept as null). */
  readonly fields: Readonly<Record<string, number | boolean | null>>;
}

/** The brain's plain fields a checkpoint carries (everything but the route, the goal, the target and the random state). */
const REMEMBERED = [
  "stuckCount", "nextDecisionAt", "visibleSince", "lastSeenX", "lastSeenY", "lastSeenTick", "prevTargetX", "prevTargetY",
  "hasPrevTarget", "aimOffset", "leadFactor", "aim", "strafeDir", "strafeUntil", "stuckOnGoal", "lastMoved", "anchorX",
  "anchorY", "anchorTick", "unstickUntil", "unstickX", "unstickY",
] as const;

type RememberedFields = Record<(typeof REMEMBERED)[number], number | boolean | null>;

/** -Infinity ("never") and other non-finite numbers as null: a checkpoint's JSON has no Infinity. */
function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export class BotBrain implements BotView {
  targetId: string | undefined;
  mode: BotMode = "idle";
  stuckCount = 0;

  private random: Random;
  private readonly reactionSteps: number;
  private readonly decisionSteps: number;
  private readonly memorySteps: number;
  private readonly stuckSteps: number;
  private readonly unstickSteps: number;
  private readonly replanSteps: number;
  private readonly strafeMinSteps: number;
  private readonly strafeMaxSteps: number;

  private nextDecisionAt = -1;
  private visibleSince = -1;
  private lastSeenX = 0;
  private lastSeenY = 0;
  private lastSeenTick = -Infinity;
  private prevTargetX = 0;
  private prevTargetY = 0;
  private hasPrevTarget = false;
  private aimOffset = 0;
  private leadFactor = 1;
  private aim = 0;
  private strafeDir = 1;
  private strafeUntil = 0;

  private goal: Point | undefined;
  private route: Route | undefined;
  private routeIndex = 0;
  private routeGoalCell = -1;
  /** The mode the route was planned for: a new mode (roam, chase, retreat) plans at once. */
  private routeMode: BotMode = "idle";
  private lastPlanAt = -Infinity;
  private replanNow = true;
  private stuckOnGoal = 0;

  private lastMoved = false;
  private anchorX = 0;
  private anchorY = 0;
  private anchorTick = 0;
  private unstickUntil = 0;
  private unstickX = 0;
  private unstickY = 0;

  constructor(readonly sessionId: string, readonly skill: BotSkill, seed: number, private readonly ctx: BotContext) {
    const { rules } = ctx;
    this.random = new Random(seed);
    this.reactionSteps = steps(skill.reactionS, rules);
    this.decisionSteps = steps(skill.decisionS, rules);
    this.memorySteps = steps(BOT_MEMORY_S, rules);
    this.stuckSteps = steps(BOT_STUCK_S, rules);
    this.unstickSteps = steps(BOT_UNSTICK_S, rules);
    this.replanSteps = steps(BOT_REPLAN_S, rules);
    this.strafeMinSteps = steps(BOT_STRAFE_MIN_S, rules);
    this.strafeMaxSteps = steps(BOT_STRAFE_MAX_S, rules);
  }

  /**
   * What this brain remembers, to be given to a brain built with the same skill on another process ({@link recall}).
   * Written out field by field (one object shape, no keyed loop): a room takes this four times a second per bot.
   */
  memory(): BrainMemory {
    const f = finiteOrNull;
    const fields: RememberedFields = {
      stuckCount: f(this.stuckCount), nextDecisionAt: f(this.nextDecisionAt), visibleSince: f(this.visibleSince), lastSeenX: f(this.lastSeenX),
      lastSeenY: f(this.lastSeenY), lastSeenTick: f(this.lastSeenTick), prevTargetX: f(this.prevTargetX), prevTargetY: f(this.prevTargetY),
      hasPrevTarget: this.hasPrevTarget, aimOffset: f(this.aimOffset), leadFactor: f(this.leadFactor), aim: f(this.aim), strafeDir: f(this.strafeDir),
      strafeUntil: f(this.strafeUntil), stuckOnGoal: f(this.stuckOnGoal), lastMoved: this.lastMoved, anchorX: f(this.anchorX), anchorY: f(this.anchorY),
      anchorTick: f(this.anchorTick), unstickUntil: f(this.unstickUntil), unstickX: f(this.unstickX), unstickY: f(this.unstickY),
    };
    return { random: this.random.state, targetId: this.targetId ?? null, mode: this.mode, goal: this.goal ? { x: this.goal.x, y: this.goal.y } : null, fields };
  }

  /** Takes up where the brain that wrote `m` left off (its route is planned again at once). */
  recall(m: BrainMemory): void {
    const self = this as unknown as Record<string, number | boolean>;
    for (const k of REMEMBERED) {
      const v = m.fields[k];
      if (v === undefined) continue;
      self[k] = v === null ? -Infinity : v;
    }
    this.random = new Random(m.random);
    this.targetId = m.targetId ?? undefined;
    this.mode = m.mode;
    this.goal = m.goal ?? undefined;
    this.route = undefined;
    this.replanNow = true;
  }

  /** True when this bot sees `target` well enough to shoot it: in range and no wall on the shot's path. */
  sees(me: Player, target: Player): boolean {
    const dx = target.x - me.x;
    const dy = target.y - me.y;
    if (dx * dx + dy * dy > BOT_SIGHT_RANGE * BOT_SIGHT_RANGE) return false;
    return clearLine(this.ctx.map, me.x, me.y, target.x, target.y, PROJECTILE_RADIUS);
  }

  /** This step's command, from the state as the previous step left it. Call once per step, before the step. */
  think(state: ArenaState): InputCommand {
    const me = state.players.get(this.sessionId);
    if (me === undefined || !me.alive) {
      this.forget();
      return this.command(0, 0, false);
    }
    const tick = state.tick;
    if (this.nextDecisionAt < 0) this.nextDecisionAt = tick + this.random.int(this.decisionSteps); // staggered
    const decide = tick >= this.nextDecisionAt;
    if (decide) this.nextDecisionAt = tick + this.decisionSteps;

    this.checkStuck(me, tick);

    // Sight: the current target every step (a shot needs it now), a new choice only at a decision.
    let target = this.targetId === undefined ? undefined : state.players.get(this.targetId);
    if (target !== undefined && !target.alive) target = undefined;
    if (target === undefined) this.dropTarget();
    let visible = target !== undefined && this.sees(me, target);
    if (decide) {
      const best = this.pickTarget(state, me, visible ? target : undefined);
      if (best !== undefined && best.id !== this.targetId) {
        this.dropTarget();
        this.targetId = best.id;
        target = best.player;
        visible = true;
      }
      this.aimOffset = this.random.centered() * this.skill.aimErrorRad;
      this.leadFactor = 1 + this.random.centered() * BOT_LEAD_ERROR;
    }
    let vx = 0;
    let vy = 0;
    if (target !== undefined && visible) {
      if (this.visibleSince < 0) this.visibleSince = tick;
      if (this.hasPrevTarget) {
        // Per step: a room's bot saw the target last step (1), a brain reading patches may have missed steps between.
        const steps = Math.max(1, tick - this.lastSeenTick);
        vx = (target.x - this.prevTargetX) / steps;
        vy = (target.y - this.prevTargetY) / steps;
      }
      this.prevTargetX = this.lastSeenX = target.x;
      this.prevTargetY = this.lastSeenY = target.y;
      this.hasPrevTarget = true;
      this.lastSeenTick = tick;
    } else {
      this.visibleSince = -1;
      this.hasPrevTarget = false;
      if (tick - this.lastSeenTick > this.memorySteps) this.dropTarget();
    }

    let fire = false;
    let move: readonly [number, number];
    if (target !== undefined && visible) {
      const dx = target.x - me.x;
      const dy = target.y - me.y;
      const dist = Math.sqrt(dx * dx + dy * dy);
      if (tick < this.unstickUntil) move = this.unstick();
      else if (me.hp <= BOT_RETREAT_HP) move = this.retreat(me, target, tick, decide);
      else move = this.fight(me, dx / (dist || 1), dy / (dist || 1), dist, tick);
      // The shot leaves from where this step's move takes the bot (as a person aims from their predicted self),
      // toward where the target will be when it gets there if it keeps going (judged imperfectly).
      const stride = PLAYER_SPEED * this.ctx.rules.dt;
      const fromX = me.x + move[0] * stride;
      const fromY = me.y + move[1] * stride;
      const flight = dist / (PROJECTILE_SPEED * this.ctx.rules.dt);
      this.aim = Math.atan2(
        target.y + vy * flight * this.leadFactor - fromY,
        target.x + vx * flight * this.leadFactor - fromX,
      ) + this.aimOffset;
      fire = state.phase === "playing" && tick - this.visibleSince >= this.reactionSteps && dist <= FIRE_RANGE &&
        tick >= target.protectedUntil;
    } else if (tick < this.unstickUntil) {
      move = this.unstick();
    } else if (this.targetId !== undefined && me.hp <= BOT_RETREAT_HP && this.mode === "retreat" && this.goal !== undefined) {
      // Out of sight at low health: no chasing; reach the cover first.
      move = this.travel(me, tick, decide, this.goal);
      if (move[0] === 0 && move[1] === 0) {
        this.goal = undefined;
        this.dropTarget();
      }
    } else if (this.targetId !== undefined && me.hp > BOT_RETREAT_HP) {
      this.mode = "chase";
      move = this.travel(me, tick, decide, { x: this.lastSeenX, y: this.lastSeenY });
      if (move[0] === 0 && move[1] === 0) this.dropTarget(); // got there: nobody
    } else {
      this.mode = "roam";
      const goal = this.goal ?? this.setGoal(this.roamGoal(me));
      move = this.travel(me, tick, decide, goal);
      if (move[0] === 0 && move[1] === 0) this.goal = undefined;
    }
    if (!visible && (move[0] !== 0 || move[1] !== 0)) this.aim = Math.atan2(move[1], move[0]);
    return this.command(move[0], move[1], fire);
  }

  /** Clears what a dead bot knew; it starts afresh at its next spawn. */
  private forget(): void {
    this.mode = "idle";
    this.dropTarget();
    this.goal = undefined;
    this.route = undefined;
    this.replanNow = true;
    this.lastMoved = false;
    this.unstickUntil = 0;
  }

  private dropTarget(): void {
    this.targetId = undefined;
    this.visibleSince = -1;
    this.hasPrevTarget = false;
    this.lastSeenTick = -Infinity;
  }

  /** The nearest living enemy in sight; the current one is kept unless another is much nearer. */
  private pickTarget(state: ArenaState, me: Player, current: Player | undefined): { id: string; player: Player } | undefined {
    let best: { id: string; player: Player } | undefined;
    let bestD = Infinity;
    state.players.forEach((p, id) => {
      if (id === this.sessionId || !p.alive || !this.sees(me, p)) return;
      let d = (p.x - me.x) ** 2 + (p.y - me.y) ** 2;
      if (p === current) d /= 2.25; // 1.5x in distance: no flapping between two targets
      if (d < bestD) {
        bestD = d;
        best = { id, player: p };
      }
    });
    return best;
  }

  /** Strafes across the line to the target, closing in or backing off to a middle distance. */
  private fight(me: Player, ux: number, uy: number, dist: number, tick: number): readonly [number, number] {
    this.mode = "fight";
    if (tick >= this.strafeUntil) {
      this.strafeDir = this.random.next() < 0.7 ? -this.strafeDir : this.strafeDir;
      this.strafeUntil = tick + this.strafeMinSteps + this.random.int(this.strafeMaxSteps - this.strafeMinSteps + 1);
      // A strafe straight into a wall is no strafe: take the other side.
      if (!clearWalk(this.ctx.map, me.x, me.y, me.x - uy * this.strafeDir * PROBE, me.y + ux * this.strafeDir * PROBE, PLAYER_RADIUS)) {
        this.strafeDir = -this.strafeDir;
      }
    }
    const radial = dist > BOT_FIGHT_FAR ? 0.8 : dist < BOT_FIGHT_NEAR ? -0.8 : 0;
    return unit(-uy * this.strafeDir + ux * radial, ux * this.strafeDir + uy * radial);
  }

  /** Low on health with an enemy in sight: run for a cell that enemy cannot see. */
  private retreat(me: Player, threat: Player, tick: number, decide: boolean): readonly [number, number] {
    const entering = this.mode !== "retreat";
    this.mode = "retreat";
    let goal = entering ? undefined : this.goal;
    if (goal === undefined || (decide && !this.hiddenFrom(threat, goal))) {
      // A hidden cell replaces the goal; failing one, the goal stays, or the farthest cell from the threat is taken.
      const cover = this.coverFrom(me, threat);
      if (cover.hidden || goal === undefined) {
        goal = this.setGoal(cover.at);
        this.replanNow = true;
      }
    }
    const move = this.travel(me, tick, decide, goal);
    if (move[0] === 0 && move[1] === 0) this.goal = undefined; // arrived: look again at the next decision
    return move;
  }

  /**
   * Among random open cells nearby, a hidden one (the whole body, not just its
   * center) that is near and away from `threat`; else the farthest from it.
   */
  private coverFrom(me: Player, threat: Player): { at: Point; hidden: boolean } {
    const { nav } = this.ctx;
    let hidden: Point | undefined;
    let hiddenScore = Infinity;
    let away: Point = { x: me.x, y: me.y };
    let awayD = -1;
    for (let i = 0; i < COVER_SAMPLES; i++) {
      const cell = this.randomCellNear(me, COVER_RADIUS);
      if (cell < 0) continue;
      const p = nav.center(cell);
      const dMe = Math.hypot(p.x - me.x, p.y - me.y);
      const dThreat = Math.hypot(p.x - threat.x, p.y - threat.y);
      if (dThreat > awayD) {
        awayD = dThreat;
        away = p;
      }
      const score = dMe - dThreat / 2;
      if (score < hiddenScore && this.hiddenFrom(threat, p)) {
        hiddenScore = score;
        hidden = p;
      }
    }
    return hidden !== undefined ? { at: hidden, hidden: true } : { at: away, hidden: false };
  }

  /** True when walls block every line from `threat` to a player at `p` (its center and both sides). */
  private hiddenFrom(threat: Player, p: Point): boolean {
    const { map } = this.ctx;
    const dx = p.x - threat.x;
    const dy = p.y - threat.y;
    const len = Math.hypot(dx, dy) || 1;
    const sx = (-dy / len) * PLAYER_RADIUS;
    const sy = (dx / len) * PLAYER_RADIUS;
    return !clearLine(map, threat.x, threat.y, p.x, p.y, 0) &&
      !clearLine(map, threat.x, threat.y, p.x + sx, p.y + sy, 0) &&
      !clearLine(map, threat.x, threat.y, p.x - sx, p.y - sy, 0);
  }

  private roamGoal(me: Player): Point {
    for (let i = 0; i < 8; i++) {
      const p = this.ctx.nav.center(this.randomOpenCell());
      if (Math.hypot(p.x - me.x, p.y - me.y) >= ROAM_MIN_DISTANCE) return p;
    }
    return this.ctx.nav.center(this.randomOpenCell());
  }

  /** A random open cell in the square of half-side `radius` around `at`, or -1 if the draw fell on a closed one. */
  private randomCellNear(at: Point, radius: number): number {
    const { nav } = this.ctx;
    const x = at.x + this.random.range(-radius, radius);
    const y = at.y + this.random.range(-radius, radius);
    if (x < 0 || y < 0 || x >= this.ctx.map.width || y >= this.ctx.map.height) return -1;
    const cell = nav.cellAt(x, y);
    return nav.isOpen(cell) ? cell : -1;
  }

  private randomOpenCell(): number {
    const { nav } = this.ctx;
    const n = nav.cols * nav.rows;
    for (;;) {
      const i = this.random.int(n);
      if (nav.isOpen(i)) return i;
    }
  }

  private setGoal(goal: Point): Point {
    this.goal = goal;
    this.stuckOnGoal = 0;
    return goal;
  }

  /**
   * The direction along a route to `goal`, or (0, 0) once there. A route is asked
   * for when the bot has none, after being stuck, when its goal changes with its
   * mode, or when the goal's cell changes within a mode (at most once per
   * BOT_REPLAN_S); until one comes, the bot heads straight for the goal.
   */
  private travel(me: Player, tick: number, decide: boolean, goal: Point): readonly [number, number] {
    const { nav, planner, map } = this.ctx;
    if (Math.hypot(goal.x - me.x, goal.y - me.y) <= nav.cell / 2) return [0, 0];
    const goalCell = nav.cellAt(goal.x, goal.y);
    const stale = goalCell !== this.routeGoalCell;
    const now = this.replanNow || this.route === undefined || (stale && this.mode !== this.routeMode);
    if (now || (stale && tick - this.lastPlanAt >= this.replanSteps)) {
      const route = planner.route(me.x, me.y, goal.x, goal.y);
      if (route !== undefined) {
        this.lastPlanAt = tick;
        this.replanNow = false;
        this.routeGoalCell = goalCell;
        this.routeMode = this.mode;
        this.routeIndex = 0;
        this.route = route ?? undefined;
        if (route === null) {
          this.goal = undefined; // unreachable: choose again
          return [0, 0];
        }
      }
    }
    const route = this.route;
    if (route === undefined) return unit(goal.x - me.x, goal.y - me.y);
    let wp = route[this.routeIndex];
    while (wp !== undefined && Math.hypot(wp.x - me.x, wp.y - me.y) <= WAYPOINT_REACH) {
      this.stuckOnGoal = 0;
      wp = route[++this.routeIndex];
    }
    // Cut a corner when the next waypoint is already in a straight walk.
    const after = route[this.routeIndex + 1];
    if (after !== undefined && decide &&
      clearLine(map, me.x, me.y, after.x, after.y, PLAYER_RADIUS + 1)) {
      wp = after;
      this.routeIndex++;
    }
    // Past the route's end (the goal's cell center) the goal is in the same cell: straight there.
    if (wp === undefined) return unit(goal.x - me.x, goal.y - me.y);
    return unit(wp.x - me.x, wp.y - me.y);
  }

  /** Detects a bot that meant to move but has not left a player radius for BOT_STUCK_S, and sets it free. */
  private checkStuck(me: Player, tick: number): void {
    const moved = Math.hypot(me.x - this.anchorX, me.y - this.anchorY) > PLAYER_RADIUS;
    if (!this.lastMoved || moved) {
      this.anchorX = me.x;
      this.anchorY = me.y;
      this.anchorTick = tick;
      return;
    }
    if (tick - this.anchorTick < this.stuckSteps) return;
    this.stuckCount++;
    this.anchorTick = tick;
    this.unstickUntil = tick + this.unstickSteps;
    this.replanNow = true;
    this.strafeDir = -this.strafeDir;
    if (++this.stuckOnGoal >= STUCK_GIVE_UP) this.goal = undefined;
    // A way out: the first of eight directions, from a random one, with room to walk.
    const start = this.random.int(8);
    for (let k = 0; k < 8; k++) {
      const a = ((start + k) % 8) * (Math.PI / 4);
      const x = Math.cos(a);
      const y = Math.sin(a);
      if (clearWalk(this.ctx.map, me.x, me.y, me.x + x * PROBE, me.y + y * PROBE, PLAYER_RADIUS)) {
        this.unstickX = x;
        this.unstickY = y;
        return;
      }
    }
    const a = this.random.range(-Math.PI, Math.PI);
    this.unstickX = Math.cos(a);
    this.unstickY = Math.sin(a);
  }

  private unstick(): readonly [number, number] {
    this.mode = "unstick";
    return [this.unstickX, this.unstickY];
  }

  /** A command exactly as the network would deliver it: int8 move components, a float32 aim. */
  private command(dx: number, dy: number, fire: boolean): InputCommand {
    const mx = Math.round(dx * MOVE_SCALE);
    const my = Math.round(dy * MOVE_SCALE);
    this.lastMoved = mx !== 0 || my !== 0;
    return { mx, my, aim: Math.fround(wrapAngle(this.aim)), fire };
  }
}

/** (x, y) scaled to length 1, or (0, 0). */
function unit(x: number, y: number): readonly [number, number] {
  const len = Math.sqrt(x * x + y * y);
  return len > 0 ? [x / len, y / len] : [0, 0];
}
