/**
 * What recording a match costs (`npm run bench:replay`, writes docs/BENCHMARKS.md "Replays"):
 * - In a server: a practice room of 8, then of 16 players (one SDK player standing in, the rest hard bots
 *   fighting), each match played for BENCH_REPLAY_S seconds (30 by default) in a real server of this
 *   process, recorded to a data directory: bytes per match-minute (the stored recording over the minutes it
 *   covers), and the recorder's time on the room's thread (Replays.stats.cpuMs, wall time) against the
 *   time that thread was busy over the match (the event loop's active time: the room, its bots, its one
 *   client, all on this thread). Both are wall time on the same thread, so a loaded machine descheduling it
 *   inflates both alike; the process's CPU (all its threads) is shown beside them.
 * - In process (replayCost.ts): the recorder's time against the simulation's and the patch encoding's, the
 *   least of three 60 s runs.
 * - A keyframe's parts (keyframeCost.ts): the full-state encode and the state hash of formats 2 and 1,
 *   each timed once per keyframe of a match, as the recorder runs them.
 * - deflate levels: the recorded segments deflated again at levels 1 (what the recorder uses), 6 and 9.
 * BENCH_NO_WRITE=1 prints the figures without writing docs/BENCHMARKS.md.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { ROOM_ARENA } from "@arena/shared";
import { ChunkKind, ReplayReader, SEGMENT_HEAD_BYTES, readChunks, readSegmentHead } from "@arena/shared/replay";
import { signIn, startTestServer, waitForOwnPlayer, waitForState, type ArenaRoomClient } from "@arena/testkit";
import { machineLine, writeSection } from "@arena/testkit/remote";
import type { ReplayMeta } from "../src/replay/meta.ts";
import { DEFLATE_LEVEL } from "../src/replay/recorder.ts";
import { keyframeCost, type KeyframeCost } from "./keyframeCost.ts";
import { recorderCost, type RecorderCost } from "./replayCost.ts";

const SECONDS = Number(process.env.BENCH_REPLAY_S ?? 30);

interface Run {
  players: number;
  seconds: number;
  bytes: number;
  segments: number;
  kills: number;
  recordMs: number;
  /** The process's CPU (user + system, all threads) over the match, ms. */
  processMs: number;
  /** The event loop's active time over the match (its thread busy: the room, its bots, the client), ms. */
  loopMs: number;
  /** deflate of every segment's raw records: [level, bytes, ms]. */
  levels: Array<[number, number, number]>;
}

/**
 * Resolves once the client's state is in `phase`: on a patch (waitForState), or, failing that, seen every
 * 100 ms. Under a load of 20-25 waitForState sometimes never fired though the state had reached the phase
 * (seen: "timed out waiting for the match" with the client's state playing at tick 906).
 */
async function phase(room: ArenaRoomClient, wanted: string, timeoutMs: number): Promise<void> {
  let poll: NodeJS.Timeout | undefined;
  const polled = new Promise<void>((resolve) => {
    poll = setInterval(() => {
      if (room.state?.phase === wanted) resolve();
    }, 100);
  });
  try {
    await Promise.race([waitForState(room, (s) => s.phase === wanted, timeoutMs, `phase ${wanted}`), polled]);
  } finally {
    clearInterval(poll);
  }
}

async function run(players: number, seconds = SECONDS): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), "bench-replay-"));
  const server = await startTestServer({ DATA_DIR: dir, BOT_MAX: "100" }, { match: { warmupSeconds: 0.5, matchSeconds: seconds, resultsSeconds: 1, killLimit: 1000 } });
  const replays = server.replays!;
  const { client } = await signIn(server.url, "stand-in");
  const room = (await client.create(ROOM_ARENA, { name: "stand-in", bots: players - 1, difficulty: "hard" })) as ArenaRoomClient;
  room.onMessage("*", () => {});
  await waitForOwnPlayer(room);
  await phase(room, "playing", 30_000);
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const from = { cpu: cpu(), record: replays.stats.cpuMs, loop: performance.eventLoopUtilization() };
  const stored = new Promise<ReplayMeta>((resolve) => replays.onRecorded(resolve));
  await phase(room, "results", (seconds + 10) * 1000);
  const played = { cpu: cpu() - from.cpu, record: replays.stats.cpuMs - from.record, loop: performance.eventLoopUtilization(from.loop).active };
  await room.leave();
  const meta = await stored;
  const bytes = (await replays.store.read(meta.id))!;
  const reader = ReplayReader.open(bytes);
  reader.verify();
  const raws = readChunks(bytes).filter((c) => c.kind === ChunkKind.Segment).map((chunk) => {
    readSegmentHead(chunk);
    return inflateRawSync(chunk.body.subarray(SEGMENT_HEAD_BYTES));
  });
  // Each level's bytes, and its time: the least of five passes over every segment.
  const levels: Array<[number, number, number]> = [0, 1, 6, 9].map((level) => {
    let out = 0;
    let best = Infinity;
    for (let pass = 0; pass < 5; pass++) {
      const t0 = performance.now();
      out = raws.reduce((n, raw) => n + deflateRawSync(raw, { level }).length, 0);
      best = Math.min(best, performance.now() - t0);
    }
    return [level, out, best];
  });
  await server.close();
  await rm(dir, { recursive: true, force: true });
  return {
    players, seconds: (reader.lastTick - reader.firstTick) / reader.header.tickRate, bytes: bytes.length, segments: reader.keyframes.length,
    kills: reader.events.filter((e) => e.type === "kill").length, recordMs: played.record, processMs: played.cpu, loopMs: played.loop, levels,
  };
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

const keyframes: KeyframeCost[] = [];
for (const players of [8, 16]) {
  const k = keyframeCost(players, 60, 3);
  keyframes.push(k);
  console.log(JSON.stringify(k));
}
const costs: RecorderCost[] = [];
for (const players of [8, 16]) {
  const c = await recorderCost(players, 60, 3);
  costs.push(c);
  console.log(JSON.stringify(c));
}
// A short match first, not counted: V8 compiles the recorder's code (and the room's) once per process, some
// 10-30 ms the first match of a fresh process pays and no later one.
await run(4, 8);
const runs: Run[] = [];
for (const players of [8, 16]) {
  const r = await run(players);
  runs.push(r);
  console.log(JSON.stringify(r));
}
const us = (ms: number): string => `${(ms * 1000).toFixed(0)} µs/s`;
const rows = runs.map((r) => {
  const perMinute = (r.bytes * 60) / r.seconds;
  return `| ${r.players} (1 idle person, ${r.players - 1} hard bots) | ${r.seconds.toFixed(1)} s, ${r.kills} kills | ${kb(r.bytes)} in ${r.segments} segments | **${kb(perMinute)}** | ${us(r.recordMs / r.seconds)} | ${us(r.loopMs / r.seconds)} | **${((100 * r.recordMs) / r.loopMs).toFixed(2)} %** | ${us(r.processMs / r.seconds)} |`;
});
const costRows = costs.map((c) => {
  const room = c.stepMs + c.encodeMs;
  return `| ${c.players} hard bots | ${kb((c.bytes * 60) / c.seconds)} | ${us(c.recordMs)} | ${us(c.stepMs)} + ${us(c.encodeMs)} | **${((100 * c.recordMs) / room).toFixed(1)} %** |`;
});
const keyframeRows = keyframes.map((k) => `| ${k.players} hard bots | ${k.keyframes} | ${k.encodeAllUs.toFixed(0)} µs | **${k.hashUs.toFixed(0)} µs** | ${k.jsonHashUs.toFixed(0)} µs | ${(k.jsonHashUs / k.hashUs).toFixed(1)}x |`);
const level = runs[runs.length - 1]!;
const levelRows = level.levels.map(([l, bytes, ms]) => `| ${l}${l === DEFLATE_LEVEL ? " (used)" : ""} | ${kb((bytes * 60) / level.seconds)} | ${((ms / level.seconds) * 1000).toFixed(0)} µs/s |`);
const section = `## Replays: bytes and CPU of recording a match

\`npm run bench:replay\` (server/bench/replay.ts): a practice room played for ${SECONDS} s in a server of the
benchmark's process, recorded to a data directory (docs/REPLAYS.md); the recording is then read back and every
keyframe's hash checked. ${machineLine()}; load average ${loadavg()[0]!.toFixed(1)} when it ended (a shared machine).

| players | recorded | stored | per match-minute | recorder | room's thread busy | share | process CPU (all threads) |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

The same recorder in process (server/bench/replayCost.ts): a 60 s match of hard bots stepped by the shared
simulation with a patch encoded at 20 Hz, each part timed on the thread (performance.now()), least of three
runs. The room's part is only its simulation and patch encoding (no network, no inputs, no sends, no
clients): the smallest denominator, far below the room's busy time in a server.

| match | per match-minute | recorder | room: steps + patch encodes | share |
| --- | --- | --- | --- | --- |
${costRows.join("\n")}

A keyframe's parts (server/bench/keyframeCost.ts): in 60 s matches of hard bots stepped in process, every 5 s
each part run once, as the recorder runs it (cold: a loop of hashes back to back would flatter them), timed on
the thread; medians over every keyframe of three matches.

| match | keyframes | encodeAll | state hash, format 2 (schema walk) | format 1 (canonical JSON) | format 1 / format 2 |
| --- | --- | --- | --- | --- | --- |
${keyframeRows.join("\n")}

Goals: at most 300 KB per 16-player minute, at most 2 % of the room's CPU. The recorder's time is its own
work on the room's thread, timed around each of its calls: one after each patch broadcast (the patch copied into
the open segment, and every 5 s the keyframe encoded and hashed and the closed segment deflated and framed), one
for each step with a kill or the match's start or end (its event record). Not timed: in each patch encode, the
tap keeping the encoder's output (two field stores); before each call, the room's checks whether nobody is
connected and whether the step's events hold one recorded (a few loads of what the room has just touched).
The store's writes (file appends here, Redis with REDIS_URL) are asynchronous and not counted. The first 8 s
match of the process is not counted (V8 compiling the code, once per process).

The same ${level.players}-player segments deflated again at other levels (bytes per match-minute, CPU per second of match):

| deflate level | per match-minute | CPU |
| --- | --- | --- |
${levelRows.join("\n")}`;
if (process.env.BENCH_NO_WRITE === "1") console.log(section);
else {
  writeSection("replays", section);
  console.log("wrote docs/BENCHMARKS.md (replays)");
}
process.exit(0);
