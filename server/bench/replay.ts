/**
 * What recording a match costs (`npm run bench:replay`, writes docs/BENCHMARKS.md "Replays"):
 * - In a server: a practice room of 8, then of 16 players (one SDK player standing in, the rest hard bots
 *   fighting), each match played for BENCH_REPLAY_S seconds (30 by default) in a real server of this
 *   process, recorded to a data directory: bytes per match-minute (the stored recording over the minutes it
 *   covers), and the recorder's time on the room's thread (Replays.stats.cpuMs, wall time) against the
 *   process's CPU over the match (the room, its bots, its one client, all in this process).
 * - In process (replayCost.ts): the recorder's CPU against the simulation's and the patch encoding's, each
 *   measured as CPU time, the least of three 60 s runs.
 * - deflate levels: the recorded segments deflated again at levels 1 (what the recorder uses), 6 and 9.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { ROOM_ARENA } from "@arena/shared";
import { ChunkKind, ReplayReader, SEGMENT_HEAD_BYTES, readChunks, readSegmentHead } from "@arena/shared/replay";
import { signIn, startTestServer, waitForOwnPlayer, waitForState, type ArenaRoomClient } from "@arena/testkit";
import { machineLine, writeSection } from "@arena/testkit/remote";
import type { ReplayMeta } from "../src/replay/meta.ts";
import { DEFLATE_LEVEL } from "../src/replay/recorder.ts";
import { recorderCost, type RecorderCost } from "./replayCost.ts";

const SECONDS = Number(process.env.BENCH_REPLAY_S ?? 30);

interface Run {
  players: number;
  seconds: number;
  bytes: number;
  segments: number;
  kills: number;
  recordMs: number;
  /** The process's CPU (user + system) over the match, ms. */
  processMs: number;
  /** deflate of every segment's raw records: [level, bytes, ms]. */
  levels: Array<[number, number, number]>;
}

async function run(players: number): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), "bench-replay-"));
  const server = await startTestServer({ DATA_DIR: dir, BOT_MAX: "100" }, { match: { warmupSeconds: 0.5, matchSeconds: SECONDS, resultsSeconds: 1, killLimit: 1000 } });
  const replays = server.replays!;
  const { client } = await signIn(server.url, "stand-in");
  const room = (await client.create(ROOM_ARENA, { name: "stand-in", bots: players - 1, difficulty: "hard" })) as ArenaRoomClient;
  room.onMessage("*", () => {});
  await waitForOwnPlayer(room);
  await waitForState(room, (s) => s.phase === "playing", 30_000, "the match");
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const from = { cpu: cpu(), record: replays.stats.cpuMs };
  const stored = new Promise<ReplayMeta>((resolve) => replays.onRecorded(resolve));
  await waitForState(room, (s) => s.phase === "results", (SECONDS + 10) * 1000, "the results");
  const played = { cpu: cpu() - from.cpu, record: replays.stats.cpuMs - from.record };
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
  const levels: Array<[number, number, number]> = [1, 6, 9].map((level) => {
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
    kills: reader.events.filter((e) => e.type === "kill").length, recordMs: played.record, processMs: played.cpu, levels,
  };
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

const costs: RecorderCost[] = [];
for (const players of [8, 16]) {
  const c = await recorderCost(players, 60, 3);
  costs.push(c);
  console.log(JSON.stringify(c));
}
const runs: Run[] = [];
for (const players of [8, 16]) {
  const r = await run(players);
  runs.push(r);
  console.log(JSON.stringify(r));
}
const us = (ms: number): string => `${(ms * 1000).toFixed(0)} µs/s`;
const rows = runs.map((r) => {
  const perMinute = (r.bytes * 60) / r.seconds;
  return `| ${r.players} (1 idle person, ${r.players - 1} hard bots) | ${r.seconds.toFixed(1)} s, ${r.kills} kills | ${kb(r.bytes)} in ${r.segments} segments | **${kb(perMinute)}** | ${us(r.recordMs / r.seconds)} | ${us(r.processMs / r.seconds)} | ${((100 * r.recordMs) / r.processMs).toFixed(2)} % |`;
});
const costRows = costs.map((c) => {
  const room = c.stepMs + c.encodeMs;
  return `| ${c.players} hard bots | ${kb((c.bytes * 60) / c.seconds)} | ${us(c.recordMs)} | ${us(c.stepMs)} + ${us(c.encodeMs)} | **${((100 * c.recordMs) / room).toFixed(1)} %** |`;
});
const level = runs[runs.length - 1]!;
const levelRows = level.levels.map(([l, bytes, ms]) => `| ${l}${l === DEFLATE_LEVEL ? " (used)" : ""} | ${kb((bytes * 60) / level.seconds)} | ${((ms / level.seconds) * 1000).toFixed(0)} µs/s |`);
writeSection("replays", `## Replays: bytes and CPU of recording a match

\`npm run bench:replay\` (server/bench/replay.ts): a practice room played for ${SECONDS} s in a server of the
benchmark's process, recorded to a data directory (docs/REPLAYS.md); the recording is then read back and every
keyframe's hash checked. ${machineLine()}; load average ${loadavg()[0]!.toFixed(1)} when it ended (a shared machine).

| players | recorded | stored | per match-minute | recorder (room's thread, wall) | process CPU | share |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

The same recorder in process (server/bench/replayCost.ts): a 60 s match of hard bots stepped by the shared
simulation with a patch encoded at 20 Hz, each part measured as CPU time, least of three runs. The room's
part is only its simulation and patch encoding (no network, no inputs, no sends): the smallest denominator.

| match | per match-minute | recorder | room: steps + patch encodes | share |
| --- | --- | --- | --- | --- |
${costRows.join("\n")}

Goals: at most 300 KB per 16-player minute, at most 2 % of the room's CPU. The recorder's CPU is its own
work on the room's thread (patch copies, a keyframe every 5 s: the full state encoded, its hash, the segment
deflated and framed); the store's writes (file appends here, Redis with REDIS_URL) are asynchronous and not
counted.

The same ${level.players}-player segments deflated again at other levels (bytes per match-minute, CPU per second of match):

| deflate level | per match-minute | CPU |
| --- | --- | --- |
${levelRows.join("\n")}`);
console.log("wrote docs/BENCHMARKS.md (replays)");
process.exit(0);
