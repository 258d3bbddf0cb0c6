/**
 * `npx tsx server/bench/whereaboutsPass.ts`: the CPU of one pass of PeopleDirectory's whereabouts writer (every
 * PUBLISH_MS, and CHANGE_DELAY_MS after a change) on a process with PEOPLE people (600: a full process), 5 % in the
 * lobby and the rest in rooms of 16, on an in-memory presence (Redis' side is not this process's CPU). Two kinds of
 * pass: nothing changed (the pass of every second), and one room's people changed (a room filled up: 16 entries
 * written). ROUNDS rounds of PASSES passes each; the median round's µs per pass. Prints; writes nothing.
 */
import { LocalPresence } from "@colyseus/core";
import { createLogger } from "../src/log.ts";
import { PeopleDirectory } from "../src/people/PeopleDirectory.ts";

const PEOPLE = Number(process.env.PEOPLE ?? 600);
const ROUNDS = 7;
const PASSES = 200;

const dir = new PeopleDirectory(new LocalPresence(), createLogger("error"), () => true, () => "bench");
const joinable = new Map<string, boolean>();
for (let i = 0; i < PEOPLE; i++) {
  const userId = `g_${i.toString(16).padStart(8, "0")}-5151-4000-8000-000000000000`;
  if (i < PEOPLE * 0.05) {
    dir.enter(`lobby/s${i}`, userId, `p${i}`, () => ({ status: "lobby" }));
    continue;
  }
  const roomId = `room${Math.floor(i / 16)}`;
  joinable.set(roomId, true);
  dir.enter(`${roomId}/s${i}`, userId, `p${i}`, () => ({ status: "match", roomId, joinable: joinable.get(roomId) }));
}
// The writer's pass, as its timer runs it.
const pass = (): Promise<void> => (dir as unknown as { write(): Promise<void> }).write();
await pass();

async function round(change: boolean): Promise<number> {
  const t0 = process.cpuUsage();
  for (let i = 0; i < PASSES; i++) {
    if (change) joinable.set("room3", !joinable.get("room3"));
    await pass();
  }
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / PASSES;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [label, change] of [["nothing changed", false], ["one room changed (16 written)", true]] as const) {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await round(change));
  process.stdout.write(`${PEOPLE} people, ${label}: ${median(rounds).toFixed(1)} µs a pass (rounds ${rounds.map((x) => x.toFixed(0)).join(", ")})\n`);
}
await dir.stop();
// The in-memory presence keeps a timer per expiring key.
process.exit(0);
