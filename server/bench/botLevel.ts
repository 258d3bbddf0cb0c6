/**
 * `npm run bench:bot-level`: do quick-play bots meet people at their level? Two stand-in people, SDK clients
 * whose inputs come from the bot brain at the `easy` and at the `hard` skill (shared/src/bots), each play
 * MATCHES matches in a quick-play room of their own (BOT_FILL=4: 1 stand-in + 3 bots, whose level follows
 * the stand-in's rating), beside the same two stand-ins in rooms of fixed `normal` bots (the level every
 * quick-play room had before ratings). Per match it prints the bots' level, the stand-in's rating and
 * the kill ratio of the bots against the stand-in: the stand-in's deaths (every one by a bot, it is the
 * only person) over its kills (every one a bot). The matches after the newcomer ones and one more to
 * settle are summed into one ratio per stand-in (docs/BOTS.md has the band).
 *
 * Flags: --matches N (default 6), --seconds S per match (default 60), --rated N stand-ins of each skill in rated
 * rooms (default 1), --fixed N in fixed-normal rooms (default 1). Each stand-in has its own room; a kind's settled
 * ratio sums its stand-ins. Writes test-output/bench-bot-level.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { JoinClient } from "@arena/shared/sdk";
import {
  ARENA_MAP, BotRoster, ROOM_ARENA, ServerMessage, createRules,
  type ArenaState, type BotDifficulty, type RatingOut, type ResultsOut,
} from "@arena/shared";
import { answerPings, guestToken, holdInput, serverRoom, startTestServer, waitForState, type ArenaRoomClient } from "@arena/testkit";
import { NEWCOMER_MATCHES } from "../src/people/rating.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MATCHES = arg("matches", 6);
const SECONDS = arg("seconds", 60);
const RATED = arg("rated", 1);
const FIXED = arg("fixed", 1);
const match = { matchSeconds: SECONDS, warmupSeconds: 3, resultsSeconds: 3 };

interface MatchRow {
  match: number;
  /** The bots' level in the match (0 easy .. 1 hard). */
  level: number;
  kills: number;
  deaths: number;
  /** Bots' kills of the stand-in over its kills of bots. */
  ratio: number;
  rating?: RatingOut;
}

interface Run {
  standIn: BotDifficulty;
  bots: "rated" | "normal";
  rows: MatchRow[];
}

/** One stand-in in a room of its own until it has played MATCHES matches. */
async function play(url: string, standIn: BotDifficulty, bots: Run["bots"], seed: number): Promise<Run> {
  const client = new JoinClient(url);
  const name = `${standIn}-${bots}-${seed}`;
  client.auth.token = await guestToken(url, name);
  const options = bots === "rated" ? { name } : { name, bots: 3, difficulty: "normal" };
  const room = (await client.create<ArenaState>(ROOM_ARENA, options)) as ArenaRoomClient;
  room.onMessage("*", () => {});
  answerPings(room);
  await waitForState(room, (s) => s.players?.get(room.sessionId) !== undefined, 5000, "own player");
  // The stand-in's brain reads the state this client receives, as a person sees it, and sends one input per step.
  const roster = new BotRoster(ARENA_MAP, createRules(30, match), seed);
  roster.add(room.sessionId, standIn);
  // It thinks once per new state (a patch may carry one step or two), and holds its command in between.
  let thought = -1;
  const stop = holdInput(room, () => {
    if (room.state.tick !== thought) {
      thought = room.state.tick;
      roster.think(room.state);
    }
    return roster.commandOf(room.sessionId) ?? {};
  });
  const run: Run = { standIn, bots, rows: [] };
  const server = serverRoom(room) as unknown as { bots: { level: number } };
  let level = server.bots.level;
  room.onMessage(ServerMessage.MatchStart, () => {
    level = server.bots.level;
  });
  room.onMessage(ServerMessage.Rating, (r: RatingOut) => {
    const last = run.rows[run.rows.length - 1];
    if (last !== undefined) last.rating = r;
  });
  await new Promise<void>((resolve) => {
    room.onMessage(ServerMessage.Results, (r: ResultsOut) => {
      const me = r.standings.find((s) => s.sessionId === room.sessionId);
      if (me === undefined) return;
      const row = { match: run.rows.length + 1, level, kills: me.kills, deaths: me.deaths, ratio: me.deaths / Math.max(1, me.kills) };
      run.rows.push(row);
      console.log(`${name.padEnd(12)} match ${row.match}: bots' level ${level.toFixed(2)}, kills ${me.kills}, deaths ${me.deaths}, ratio ${row.ratio.toFixed(2)}`);
      if (run.rows.length >= MATCHES) resolve();
    });
  });
  // The last rating message follows the results by one store write.
  await new Promise((r) => setTimeout(r, 500));
  stop();
  await room.leave();
  return run;
}

/** Kill ratio over the matches after the newcomer ones and one more to settle. */
function settled(run: Run): { matches: number; kills: number; deaths: number; ratio: number } {
  const from = run.bots === "rated" ? NEWCOMER_MATCHES + 1 : 0;
  const rows = run.rows.slice(from);
  const kills = rows.reduce((n, r) => n + r.kills, 0);
  const deaths = rows.reduce((n, r) => n + r.deaths, 0);
  return { matches: rows.length, kills, deaths, ratio: deaths / Math.max(1, kills) };
}

const server = await startTestServer({ BOT_FILL: "4" }, { match, clientDir: false });
try {
  const plays: Promise<Run>[] = [];
  let seed = 10;
  for (const standIn of ["easy", "hard"] as const) {
    for (let i = 0; i < RATED; i++) plays.push(play(server.url, standIn, "rated", ++seed));
    for (let i = 0; i < FIXED; i++) plays.push(play(server.url, standIn, "normal", ++seed));
  }
  const runs = await Promise.all(plays);
  console.log(`\n${MATCHES} matches of ${SECONDS} s; ratio = bots' kills of the stand-in / its kills of bots`);
  for (const run of runs) {
    const s = settled(run);
    const ratings = run.rows.map((r) => r.rating?.after.toFixed(0) ?? "-").join(" ");
    console.log(`${run.standIn.padEnd(5)} stand-in, ${run.bots.padEnd(6)} bots: ratio ${s.ratio.toFixed(2)} (${s.deaths}/${s.kills} over ${s.matches} matches), levels ${run.rows.map((r) => r.level.toFixed(2)).join(" ")}, ratings ${ratings}`);
  }
  const kinds = [];
  for (const standIn of ["easy", "hard"] as const) {
    for (const bots of ["rated", "normal"] as const) {
      const mine = runs.filter((r) => r.standIn === standIn && r.bots === bots).map(settled);
      const kills = mine.reduce((n, s) => n + s.kills, 0);
      const deaths = mine.reduce((n, s) => n + s.deaths, 0);
      const matches = mine.reduce((n, s) => n + s.matches, 0);
      kinds.push({ standIn, bots, kills, deaths, matches, ratio: deaths / Math.max(1, kills) });
      console.log(`ALL ${standIn.padEnd(5)} stand-ins, ${bots.padEnd(6)} bots: ratio ${(deaths / Math.max(1, kills)).toFixed(2)} (${deaths}/${kills} over ${matches} stand-in matches)`);
    }
  }
  mkdirSync("test-output", { recursive: true });
  writeFileSync("test-output/bench-bot-level.json", JSON.stringify({ matches: MATCHES, seconds: SECONDS, kinds, runs: runs.map((r) => ({ ...r, settled: settled(r) })) }, null, 2));
} finally {
  await server.close();
}
process.exit(0);
