/**
 * `npm run bench:sim`: the cost of one authoritative step (16 players, ~80
 * projectiles in flight) and of encoding state for the wire, in-process, back
 * to back and with the caches cold (as in a loaded server); then the cost of
 * bot brains in a full room of 15 bots and 1 person.
 * Prints the figures and writes them to docs/BENCHMARKS.md.
 */
import {
  ARENA_MAP, ArenaState, BotRoster, DEFAULT_BOT_DIFFICULTY, MAX_PLAYERS, Player, createRules, fireProjectile, navGridFor,
  startMatch, stepWorld, type GameEvent, type InputCommand,
} from "@arena/shared";
import { CacheEvictor, COLD_BYTES, machineLine, quantile, seededRandom, writeSection } from "@arena/testkit/remote";
import { matchRoom } from "./matchRoom.ts";

const PROJECTILES = 80;
const WARMUP_STEPS = 600;
const STEPS = Number(process.env.BENCH_STEPS ?? 9000); // 5 minutes of game time at 30 Hz

const rules = createRules(30, { matchSeconds: 3600, killLimit: 10_000 });

/**
 * One room of MAX_PLAYERS players in a match, with deterministic pseudo-random inputs (players wander and aim
 * at the next one, firing every step they may) and its own encoder, its full state encoded and discarded.
 */
function simRoom(seed: number) {
  const { state, ids, encoder, fullStateBytes } = matchRoom(rules);
  const world = { state, map: ARENA_MAP, rules };
  const rand = seededRandom(seed);
  const commands = new Map<string, InputCommand>(ids.map((id) => [id, { mx: 0, my: 0, aim: 0, fire: false }]));
  return {
    state, world, encoder, fullStateBytes, rand,
    inputOf: (id: string): InputCommand | undefined => commands.get(id),
    updateCommands(tick: number): void {
      ids.forEach((id, i) => {
        const c = commands.get(id)!;
        if ((tick + i) % 15 === 0) {
          c.mx = Math.round(rand() * 254 - 127);
          c.my = Math.round(rand() * 254 - 127);
        }
        const me = state.players.get(id)!;
        const target = state.players.get(ids[(i + 1) % ids.length]!)!;
        c.aim = Math.atan2(target.y - me.y, target.x - me.x);
        c.fire = true;
      });
    },
    /** Tops the projectile count up to PROJECTILES (players alone fire fewer, since shots expire). */
    topUpProjectiles(): void {
      let k = 0;
      while (state.projectiles.size < PROJECTILES) {
        const id = ids[k++ % ids.length]!;
        const p = state.players.get(id)!;
        fireProjectile(state, id, p, rand() * Math.PI * 2, 0, ARENA_MAP, rules);
      }
    },
  };
}

const room = simRoom(12345);
// The bot room's person below draws from the same sequence, after this room's steps.
const { state, world, encoder, fullStateBytes, rand } = room;

const stepUs: number[] = [];
const encodeUs: number[] = [];
const patchBytes: number[] = [];
const events: GameEvent[] = [];
const inputOf = room.inputOf;
const cpuStart = process.cpuUsage();
for (let i = 0; i < WARMUP_STEPS + STEPS; i++) {
  room.updateCommands(i);
  room.topUpProjectiles();
  const t0 = process.hrtime.bigint();
  stepWorld(world, { inputOf }, events);
  const t1 = process.hrtime.bigint();
  events.length = 0;
  // Patches go out at 20 Hz: on two of every three 30 Hz steps.
  if (i % 3 !== 2) {
    const t2 = process.hrtime.bigint();
    const bytes = encoder.encode().byteLength;
    encoder.discardChanges();
    const t3 = process.hrtime.bigint();
    if (i >= WARMUP_STEPS) {
      encodeUs.push(Number(t3 - t2) / 1000);
      patchBytes.push(bytes);
    }
  }
  if (i >= WARMUP_STEPS) stepUs.push(Number(t1 - t0) / 1000);
}
const cpu = process.cpuUsage(cpuStart);
const fullAfter = encoder.encodeAll().byteLength;

// A full room of bots: 15 brains (default difficulty) and 1 person who wanders and shoots like the players above.
const BOTS = MAX_PLAYERS - 1;
const botState = new ArenaState();
const botWorld = { state: botState, map: ARENA_MAP, rules };
const roster = new BotRoster(ARENA_MAP, rules, 12345);
const person: InputCommand = { mx: 0, my: 0, aim: 0, fire: true };
for (let i = 0; i < MAX_PLAYERS; i++) {
  const id = i === 0 ? "person" : `bot${i}`;
  const p = new Player();
  p.name = id;
  p.bot = i !== 0;
  botState.players.set(id, p);
  if (p.bot) roster.add(id, DEFAULT_BOT_DIFFICULTY);
}
startMatch(botState, ARENA_MAP, rules, []);
const botInputOf = (id: string): InputCommand | undefined => (id === "person" ? person : roster.commandOf(id));
const thinkUs: number[] = [];
const botStepUs: number[] = [];
const nav = navGridFor(ARENA_MAP);
let searchesBefore = 0;
let requestsBefore = 0;
let botKills = 0;
let deferredBefore = 0;
for (let i = 0; i < WARMUP_STEPS + STEPS; i++) {
  if (i === WARMUP_STEPS) {
    searchesBefore = nav.stats.searches;
    requestsBefore = roster.planStats.requests;
    deferredBefore = roster.planStats.deferred;
  }
  if (i % 15 === 0) {
    person.mx = Math.round(rand() * 254 - 127);
    person.my = Math.round(rand() * 254 - 127);
    person.aim = rand() * Math.PI * 2;
  }
  const t0 = process.hrtime.bigint();
  roster.think(botState);
  const t1 = process.hrtime.bigint();
  stepWorld(botWorld, { inputOf: botInputOf }, events);
  const t2 = process.hrtime.bigint();
  for (const e of events) if (e.type === "kill" && i >= WARMUP_STEPS) botKills++;
  events.length = 0;
  if (i >= WARMUP_STEPS) {
    thinkUs.push(Number(t1 - t0) / 1000 / BOTS);
    botStepUs.push(Number(t2 - t1) / 1000);
  }
}
const botSeconds = (BOTS * STEPS) / rules.tickRate;
const routesPerBotSecond = (roster.planStats.requests - requestsBefore) / botSeconds;
const searchesPerBotSecond = (nav.stats.searches - searchesBefore) / botSeconds;
const deferred = roster.planStats.deferred - deferredBefore;
const stuckSpells = roster.ids().reduce((n, id) => n + (roster.brain(id)?.stuckCount ?? 0), 0);

// The same step and encode in a process under load: at 400 players 25 rooms take turns, and between two steps of one
// room the process reads and writes ~700 messages' worth of sockets, frames and other rooms, so a room's players,
// their change trees and its projectiles are no longer in the CPU's caches when it steps. Here each room's step and
// each encode comes after COLD_BYTES of other memory has been read and written.
const COLD_ROOMS = 25;
const COLD_WARMUP_ROUNDS = 60;
const COLD_ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 240);
const elsewhere = new CacheEvictor(COLD_BYTES);
const coldRooms = Array.from({ length: COLD_ROOMS }, (_, k) => simRoom(1000 + k));
const coldStepUs: number[] = [];
const coldEncodeUs: number[] = [];
for (let i = 0; i < COLD_WARMUP_ROUNDS + COLD_ROUNDS; i++) {
  for (const r of coldRooms) {
    r.updateCommands(i);
    r.topUpProjectiles();
    elsewhere.evict();
    const t0 = process.hrtime.bigint();
    stepWorld(r.world, { inputOf: r.inputOf }, events);
    const t1 = process.hrtime.bigint();
    events.length = 0;
    if (i >= COLD_WARMUP_ROUNDS) coldStepUs.push(Number(t1 - t0) / 1000);
  }
  // Patches at 20 Hz: after two of every three 30 Hz steps.
  if (i % 3 === 2) continue;
  for (const r of coldRooms) {
    elsewhere.evict();
    const t0 = process.hrtime.bigint();
    r.encoder.encode();
    r.encoder.discardChanges();
    const t1 = process.hrtime.bigint();
    if (i >= COLD_WARMUP_ROUNDS) coldEncodeUs.push(Number(t1 - t0) / 1000);
  }
}
elsewhere.assertRead();

const f = (n: number, d = 1): string => n.toFixed(d);
const rows = [
  ["step (16 players, 80 projectiles)", `${f(quantile(stepUs, 0.5))} µs`, `${f(quantile(stepUs, 0.99))} µs`],
  ["patch encode (per patch)", `${f(quantile(encodeUs, 0.5))} µs`, `${f(quantile(encodeUs, 0.99))} µs`],
  ["patch size", `${quantile(patchBytes, 0.5)} B`, `${quantile(patchBytes, 0.99)} B`],
  [`step, caches cold (${COLD_ROOMS} rooms in turn, ${COLD_BYTES >> 20} MB touched before each)`, `${f(quantile(coldStepUs, 0.5))} µs`, `${f(quantile(coldStepUs, 0.99))} µs`],
  [`patch encode, caches cold (the same)`, `${f(quantile(coldEncodeUs, 0.5))} µs`, `${f(quantile(coldEncodeUs, 0.99))} µs`],
  [`step (${BOTS} bots + 1 person, their own shots)`, `${f(quantile(botStepUs, 0.5))} µs`, `${f(quantile(botStepUs, 0.99))} µs`],
  [`bot brain, per bot per step (${DEFAULT_BOT_DIFFICULTY})`, `${f(quantile(thinkUs, 0.5), 2)} µs`, `${f(quantile(thinkUs, 0.99), 2)} µs`],
];
const table = [
  "| measure | median | p99 |",
  "| --- | --- | --- |",
  ...rows.map((r) => `| ${r.join(" | ")} |`),
].join("\n");
const body = `## Simulation step and state encoding (\`npm run bench:sim\`)

${machineLine()}. ${STEPS} measured steps after ${WARMUP_STEPS} warm-up steps, in one process, no network.
Players wander, aim at each other and fire every step they may; the projectile count is topped up to ${PROJECTILES}.

${table}

Full state for 16 players and ${PROJECTILES} projectiles: ${fullStateBytes} B at the start, ${fullAfter} B at the end.
CPU time for the whole run (steps + encodes + the harness): ${f((cpu.user + cpu.system) / 1000, 0)} ms.
A step budget at 30 Hz is 33 333 µs; the median step uses ${f((quantile(stepUs, 0.5) / 33333) * 100, 2)} % of it.

Caches cold: ${COLD_ROOMS} such rooms (400 players) take turns for ${COLD_ROUNDS} rounds after ${COLD_WARMUP_ROUNDS}, and before each room's
step and each encode ${COLD_BYTES >> 20} MB of other memory is read and written, as a server's sockets and other rooms do between two
steps of one room. The same step costs ${f(quantile(coldStepUs, 0.5) / quantile(stepUs, 0.5), 2)}× and the same encode ${f(quantile(coldEncodeUs, 0.5) / quantile(encodeUs, 0.5), 2)}× the back-to-back
figures: the step's time in a loaded server is mostly the first touch of each room's players, change trees and
projectiles (docs/BENCHMARKS.md, issue 23, sixth pass).

Bots: a room of ${BOTS} bots and 1 person plays ${STEPS} steps; each step all ${BOTS} brains think (timed together,
divided by ${BOTS}), then the step runs. Routes: ${f(routesPerBotSecond, 2)} requests and ${f(searchesPerBotSecond, 3)} A* searches
(cache misses) per bot per second, ${deferred} requests put off a step by the room's budget; ${botKills} kills,
${stuckSpells} stuck spells (whole run).`;

console.log(body);
if (process.env.BENCH_NO_WRITE !== "1") writeSection("sim", body);
