/**
 * `npm run bench:step-layout`: what the step would cost if a room's players and projectiles were laid out in typed
 * arrays instead of schema objects and plain objects, warm and with cold caches. A measurement for a refactor the
 * game has not made (docs/BENCHMARKS.md, issue 23, sixth pass): in a loaded server the step and the encode are mostly
 * the first touch of each room's players, change trees and projectiles (`npm run bench:sim`, "caches cold").
 *
 * Three layouts run the same inputs (each player moves, aims and fires every step it may) in 25 rooms of 16:
 * - **schema** is the game's own `stepWorld` on `ArenaState`;
 * - **arrays, stored each step**: the players' fields the step reads and writes are loaded from the schema before
 *   each step and stored back after it; the step runs on typed arrays (the state is whole between steps);
 * - **arrays, stored at patch**: the step runs on typed arrays, and the schema is written only before each encode.
 * The array step is a reduced copy of the rules (the shared `applyMove`, `wrapAngle`, `firstWallAt` and `segmentCircleTime`, the
 * projectile flight and hit test of `stepProjectiles` without lag compensation); so that all three do the same work,
 * nobody takes damage (spawn protection for the whole run): projectiles fly until a wall, a player or their
 * lifetime ends them. Before each room's step and each encode, 16 MB of other memory is read and written (as in
 * `bench:sim`), or nothing (warm). Prints the figures and writes them to docs/BENCHMARKS.md (BENCH_NO_WRITE=1: not).
 *
 * Both array layouts were tried as the game's step in a server (docs/BENCHMARKS.md, issue 23, sixth pass): 1–2 % and
 * ~4 % of the whole server, well below what these figures suggest: they are the layouts' own cost in one process, not a
 * forecast of a server's.
 */
import {
  AIM_DISPLAY_TOLERANCE, ARENA_MAP, MAX_PLAYERS, PLAYER_RADIUS, PROJECTILE_RADIUS, PROJECTILE_SPEED, angleBetween,
  applyMove, createRules, firstWallAt, segmentCircleTime, stepWorld, wrapAngle, type ArenaState, type GameEvent, type InputCommand, type Player,
} from "@arena/shared";
import { CacheEvictor, COLD_BYTES, machineLine, mean, quantile, seededRandom, writeSection } from "@arena/testkit/remote";
import { matchRoom } from "./matchRoom.ts";

const ROOMS = 25;
const WARMUP_ROUNDS = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 600);
/** Projectiles a room's arrays hold (16 players firing every 6 steps for 24: at most 64 in flight). */
const MAX_PROJECTILES = 128;

const rules = createRules(30, { matchSeconds: 3600, killLimit: 10_000 });
const elsewhere = new CacheEvictor(COLD_BYTES);

/** A room's players and projectiles in typed arrays, one slot per player. */
class RoomArrays {
  readonly x = new Float64Array(MAX_PLAYERS);
  readonly y = new Float64Array(MAX_PLAYERS);
  readonly aim = new Float64Array(MAX_PLAYERS);
  readonly alive = new Uint8Array(MAX_PLAYERS);
  readonly cooldown = new Int32Array(MAX_PLAYERS);
  readonly shotTick = new Int32Array(MAX_PLAYERS);
  readonly shotX = new Float64Array(MAX_PLAYERS);
  readonly shotY = new Float64Array(MAX_PLAYERS);
  readonly shotAngle = new Float64Array(MAX_PLAYERS);
  readonly px = new Float64Array(MAX_PROJECTILES);
  readonly py = new Float64Array(MAX_PROJECTILES);
  readonly angle = new Float64Array(MAX_PROJECTILES);
  readonly firedAt = new Int32Array(MAX_PROJECTILES);
  readonly wallAt = new Float64Array(MAX_PROJECTILES);
  readonly owner = new Int32Array(MAX_PROJECTILES);
  projectiles = 0;
  tick = 0;

  load(players: readonly Player[], tick: number): void {
    this.tick = tick;
    for (let i = 0; i < players.length; i++) {
      const p = players[i]!;
      this.x[i] = p.x;
      this.y[i] = p.y;
      this.aim[i] = p.aim;
      this.alive[i] = p.alive ? 1 : 0;
      this.cooldown[i] = p.cooldown;
    }
  }

  store(players: readonly Player[], state: ArenaState): void {
    state.tick = this.tick;
    for (let i = 0; i < players.length; i++) {
      const p = players[i]!;
      p.x = this.x[i]!;
      p.y = this.y[i]!;
      p.aim = this.aim[i]!;
      p.cooldown = this.cooldown[i]!;
      p.shotTick = this.shotTick[i]!;
      p.shotX = this.shotX[i]!;
      p.shotY = this.shotY[i]!;
      p.shotAngle = this.shotAngle[i]!;
    }
  }

  /** One step: projectiles fly and end, then each player aims, moves and fires (stepWorld's order). */
  step(commands: readonly InputCommand[]): void {
    const tick = ++this.tick;
    const flight = PROJECTILE_SPEED * rules.dt;
    const radii = PLAYER_RADIUS + PROJECTILE_RADIUS;
    let kept = 0;
    for (let k = 0; k < this.projectiles; k++) {
      const age = tick - this.firedAt[k]!;
      if (age > rules.projectileLifetimeTicks) continue;
      const cos = Math.cos(this.angle[k]!);
      const sin = Math.sin(this.angle[k]!);
      const fromX = this.px[k]! + cos * (flight * (age - 1));
      const fromY = this.py[k]! + sin * (flight * (age - 1));
      const dx = this.px[k]! + cos * (flight * age) - fromX;
      const dy = this.py[k]! + sin * (flight * age) - fromY;
      const toX = fromX + dx;
      const toY = fromY + dy;
      const wallT = this.wallAt[k]! - (age - 1);
      let firstT = wallT <= 1 ? Math.max(0, wallT) : 2;
      if (toX < 0 || toY < 0 || toX > ARENA_MAP.width || toY > ARENA_MAP.height) firstT = Math.min(firstT, 1);
      const minX = Math.min(fromX, toX) - radii;
      const maxX = Math.max(fromX, toX) + radii;
      const minY = Math.min(fromY, toY) - radii;
      const maxY = Math.max(fromY, toY) + radii;
      for (let t = 0; t < MAX_PLAYERS; t++) {
        const x = this.x[t]!;
        const y = this.y[t]!;
        if (x < minX || x > maxX || y < minY || y > maxY || t === this.owner[k] || this.alive[t] === 0) continue;
        const hitT = segmentCircleTime(fromX, fromY, dx, dy, x, y, radii);
        if (hitT >= 0 && hitT < firstT) firstT = hitT;
      }
      if (firstT <= 1) continue; // ends here (nobody takes damage in this benchmark)
      this.px[kept] = this.px[k]!;
      this.py[kept] = this.py[k]!;
      this.angle[kept] = this.angle[k]!;
      this.firedAt[kept] = this.firedAt[k]!;
      this.wallAt[kept] = this.wallAt[k]!;
      this.owner[kept] = this.owner[k]!;
      kept++;
    }
    this.projectiles = kept;
    for (let i = 0; i < MAX_PLAYERS; i++) {
      const cmd = commands[i]!;
      const aim = wrapAngle(cmd.aim);
      if (Math.abs(angleBetween(aim, this.aim[i]!)) > AIM_DISPLAY_TOLERANCE) this.aim[i] = aim;
      if (this.cooldown[i]! > 0) this.cooldown[i] = this.cooldown[i]! - 1;
      if (this.alive[i] === 0) continue;
      moving.x = this.x[i]!;
      moving.y = this.y[i]!;
      applyMove(moving, cmd.mx, cmd.my, rules.dt, ARENA_MAP);
      this.x[i] = moving.x;
      this.y[i] = moving.y;
      if (!cmd.fire || this.cooldown[i]! > 0 || this.projectiles === MAX_PROJECTILES) continue;
      this.cooldown[i] = rules.fireCooldownSteps;
      this.shotTick[i] = tick;
      this.shotX[i] = moving.x;
      this.shotY[i] = moving.y;
      this.shotAngle[i] = aim;
      const k = this.projectiles++;
      this.px[k] = moving.x;
      this.py[k] = moving.y;
      this.angle[k] = aim;
      this.firedAt[k] = tick;
      this.owner[k] = i;
      shot.x = moving.x;
      shot.y = moving.y;
      shot.angle = aim;
      this.wallAt[k] = firstWallAt(shot, ARENA_MAP, rules);
    }
  }
}
const moving = { x: 0, y: 0 };
const shot = { x: 0, y: 0, angle: 0 };

function room(seed: number) {
  const { state, ids, players, encoder } = matchRoom(rules);
  for (const p of players) p.protectedUntil = 2 ** 31; // nobody takes damage: the three layouts do the same work
  encoder.discardChanges();
  const commands: InputCommand[] = players.map(() => ({ mx: 0, my: 0, aim: 0, fire: true }));
  const byId = new Map(ids.map((id, i) => [id, commands[i]!]));
  const rand = seededRandom(seed);
  const arrays = new RoomArrays();
  arrays.load(players, state.tick);
  return {
    state, players, commands, encoder, arrays,
    hooks: { inputOf: (id: string) => byId.get(id) },
    /** Each player turns a little every step and picks a new direction every 15 steps. */
    updateCommands(round: number): void {
      commands.forEach((c, i) => {
        if ((round + i) % 15 === 0) {
          c.mx = Math.round(rand() * 254 - 127);
          c.my = Math.round(rand() * 254 - 127);
        }
        c.aim = wrapAngle(c.aim + (rand() - 0.5) * 0.6);
      });
    },
  };
}

type Layout = "schema" | "arrays, stored each step" | "arrays, stored at patch";
const LAYOUTS: readonly Layout[] = ["schema", "arrays, stored each step", "arrays, stored at patch"];

interface Row {
  layout: Layout;
  cold: boolean;
  stepUs: number;
  patchUs: number;
  roomSecondUs: number;
}

function measure(layout: Layout, cold: boolean): Row {
  const rooms = Array.from({ length: ROOMS }, (_, k) => room(100 + k));
  const events: GameEvent[] = [];
  const steps: number[] = [];
  const patches: number[] = [];
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    for (const r of rooms) {
      r.updateCommands(round);
      if (cold) elsewhere.evict();
      const t0 = process.hrtime.bigint();
      if (layout === "schema") {
        stepWorld({ state: r.state, map: ARENA_MAP, rules }, r.hooks, events);
        events.length = 0;
      } else if (layout === "arrays, stored each step") {
        r.arrays.load(r.players, r.state.tick);
        r.arrays.step(r.commands);
        r.arrays.store(r.players, r.state);
      } else {
        r.arrays.step(r.commands);
      }
      const t1 = process.hrtime.bigint();
      if (round >= WARMUP_ROUNDS) steps.push(Number(t1 - t0) / 1000);
    }
    // Patches at 20 Hz: after two of every three 30 Hz steps.
    if (round % 3 === 2) continue;
    for (const r of rooms) {
      if (cold) elsewhere.evict();
      const t0 = process.hrtime.bigint();
      if (layout === "arrays, stored at patch") r.arrays.store(r.players, r.state);
      r.encoder.encode();
      r.encoder.discardChanges();
      const t1 = process.hrtime.bigint();
      if (round >= WARMUP_ROUNDS) patches.push(Number(t1 - t0) / 1000);
    }
  }
  return { layout, cold, stepUs: quantile(steps, 0.5), patchUs: quantile(patches, 0.5), roomSecondUs: 30 * mean(steps) + 20 * mean(patches) };
}

const rows: Row[] = [];
for (const cold of [false, true]) for (const layout of LAYOUTS) rows.push(measure(layout, cold));
elsewhere.assertRead();

const f = (n: number, d = 1): string => n.toFixed(d);
const base = (cold: boolean): Row => rows.find((r) => r.cold === cold && r.layout === "schema")!;
const table = [
  "| caches | layout | step, median | patch (store, encode), median | step and patch per room-second | ÷ schema |",
  "| --- | --- | --- | --- | --- | --- |",
  ...rows.map((r) => `| ${r.cold ? `cold (${COLD_BYTES >> 20} MB touched before each)` : "warm"} | ${r.layout} | ${f(r.stepUs)} µs | ${f(r.patchUs)} µs | ${f(r.roomSecondUs, 0)} µs | ${f(r.roomSecondUs / base(r.cold).roomSecondUs, 2)}× |`),
].join("\n");
const body = `## The step's data layout: schema objects against typed arrays (\`npm run bench:step-layout\`)

${machineLine()}. ${ROOMS} rooms of ${MAX_PLAYERS} players in turn, ${ROUNDS} rounds after ${WARMUP_ROUNDS}, in one process; patches at
20 Hz. *schema* is the game's \`stepWorld\`; the array layouts run a reduced copy of its movement, firing and projectile
flight on typed arrays (server/bench/stepLayout.ts: no lag compensation, nobody takes damage in any layout), the
players' fields loaded from and stored to the schema around each step, or stored only before each encode. *Per
room-second*: 30 steps and 20 patches (means). The layouts' own cost in one process, not a forecast of a server's:
tried as the game's step in a server, *arrays, stored each step* saved 1–2 % of the whole server and *arrays, stored at
patch* ~4 % (issue 23, sixth pass).

${table}`;
console.log(body);
if (process.env.BENCH_NO_WRITE !== "1") writeSection("step-layout", body);
