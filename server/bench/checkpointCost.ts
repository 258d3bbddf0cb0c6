/**
 * What a match checkpoint costs, two ways (`npm run bench:checkpoint`; the failover benchmark prints the first):
 * - in process: a 16-player match (8 people standing in, 8 hard bots) stepped for 20 s of play, then the
 *   checkpoint writer (checkpointCodec.ts) against the step: bytes, µs per checkpoint, and its share at 4 a
 *   second of the simulation's own CPU (the step alone: the smallest denominator, so the largest share);
 * - in a server: one process on Redis, one room of 8 SDK players sending inputs and 8 bots (BOT_FILL=16), then
 *   four such rooms (CHECKPOINT_ROOMS, default "1,4": the process checkpoints its rooms in one round, whose cost
 *   per room falls with their number), for CHECKPOINT_COST_S seconds each, from the process's "checkpoint figures"
 *   log lines, two ways:
 *   - on the room's thread (the share issue 21 asks about, thread time against thread time): the wall time
 *     of taking the checkpoint and handing it to the Redis client, which writes it to its socket (the median
 *     per 10 s window: one span in which the thread was descheduled spoils a mean), against the CPU of the
 *     process's main thread (/proc/<pid>/task/<pid>/stat) over the same time, less that thread's CPU while
 *     idle before the room exists. Wall time overstates on a loaded machine (the socket write wakes
 *     redis-server, which may take the thread's core in the middle), so this share errs high; the Redis
 *     client's parsing of the one-integer reply is not counted;
 *   - process-wide (the figure BENCHMARKS.md gave before): process.cpuUsage around the same span against the
 *     process's whole CPU, less its idle CPU. process.cpuUsage counts every thread of the process (V8's GC
 *     and compiler helpers, libuv) while the span is open.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { ARENA_MAP, ArenaState, BotRoster, CHAT_MAX_LENGTH, CHAT_TAIL_LINES, Player, ROOM_ARENA, createRules, stepWorld, type ChatOut, type GameEvent } from "@arena/shared";
import { holdInput, sampleProcess, signIn, spawnServer, startRedis, waitForOwnPlayer, type ArenaRoomClient } from "@arena/testkit/remote";
import { CheckpointWriter, type CheckpointHeader } from "../src/rooms/arena/checkpointCodec.ts";

export interface InProcessCost {
  bytes: number;
  encodeUs: number;
  stepUs: number;
  /** Checkpoint CPU at 4 a second over step CPU at 30 a second. */
  shareOfStep: number;
  /** The same checkpoint with a full chat tail (CHAT_TAIL_LINES lines of CHAT_MAX_LENGTH characters: the most it holds). */
  withTail: { bytes: number; encodeUs: number; encodeUsNewLineEach: number };
}

/** The in-process figures. */
export function checkpointCostInProcess(): InProcessCost {
  const rules = createRules(30);
  const state = new ArenaState();
  const roster = new BotRoster(ARENA_MAP, rules, 1);
  for (let i = 0; i < 16; i++) {
    const p = new Player();
    p.name = `player-${i}`;
    p.bot = i >= 8;
    state.players.set(`session-${i}`, p);
    if (p.bot) roster.add(`session-${i}`, "hard");
  }
  const events: GameEvent[] = [];
  const step = (): void => {
    roster.think(state);
    stepWorld({ state, map: ARENA_MAP, rules }, { inputOf: (id) => roster.commandOf(id) ?? { mx: 127, my: 0, aim: 0, fire: true } }, events);
    events.length = 0;
  };
  for (let i = 0; i < 600; i++) step();
  const seats = Array.from({ length: 8 }, (_, i) => ({ sessionId: `session-${i}`, userId: `g_user${i}xxxxxxxx`, name: `player-${i}`, token: "abcdefghij1234567890", spectator: false }));
  const header = (): CheckpointHeader => ({
    roomId: "bench-room", mode: "ffa", botPlan: { kind: "fill", fill: 16, difficulty: "hard" }, seats,
    credits: { matchId: "bench-room:1", kills: {}, won: false }, bots: { added: roster.addedCount },
  });
  // As in a room: the header is written again only when seats, credits or the chat tail change (`key`).
  const timed = (writer: CheckpointWriter, head: () => CheckpointHeader, key: (i: number) => unknown): { bytes: number; encodeUs: number } => {
    let bytes = writer.encode(head, key(-1), Date.now(), state, roster.memories());
    for (let i = 0; i < 200; i++) bytes = writer.encode(head, key(i), Date.now(), state, roster.memories());
    const n = 2000;
    const t = performance.now();
    for (let i = 0; i < n; i++) bytes = writer.encode(head, key(i), Date.now(), state, roster.memories());
    return { bytes: bytes.length, encodeUs: ((performance.now() - t) / n) * 1000 };
  };
  const plain = timed(new CheckpointWriter(), header, () => 1);
  // The fullest tail: every line as long as a line may be, names and ids as long as a room's.
  const chat: ChatOut[] = Array.from({ length: CHAT_TAIL_LINES }, (_, i) => ({ from: `session-${i}`, name: `player-${i}`, text: "w".repeat(CHAT_MAX_LENGTH), at: 1_765_000_000_000 + i }));
  const withChat = (): CheckpointHeader => ({ ...header(), chat });
  const tail = timed(new CheckpointWriter(), withChat, () => 1);
  // A new line before every checkpoint (the header serialised each time): more than a room's chat allows.
  const tailChanging = timed(new CheckpointWriter(), withChat, (i) => i);
  const t = performance.now();
  for (let i = 0; i < 600; i++) step();
  const stepUs = ((performance.now() - t) / 600) * 1000;
  return {
    bytes: plain.bytes, encodeUs: plain.encodeUs, stepUs, shareOfStep: (plain.encodeUs * 4) / (stepUs * 30),
    withTail: { bytes: tail.bytes, encodeUs: tail.encodeUs, encodeUsNewLineEach: tailChanging.encodeUs },
  };
}

export interface InServerCost {
  seconds: number;
  checkpoints: number;
  bytesPerCheckpoint: number;
  /** Process CPU (all threads) per checkpoint, µs. */
  checkpointUs: number;
  /**
   * Wall time on the room's thread per checkpoint, µs: the median of each 10 s window's (one descheduled span can
   * be tens of ms on a busy machine), its mean, and the mean part of it taking the checkpoint (encoding).
   */
  threadUs: number;
  threadMeanUs: number;
  takeUs: number;
  /** Process CPU ms per second with the room, less the idle process's. */
  roomCpuMsPerS: number;
  idleCpuMsPerS: number;
  /** The main thread's CPU ms per second with the room, less its idle figure. */
  roomThreadMsPerS: number;
  idleThreadMsPerS: number;
  /** Process CPU share (checkpointUs against roomCpuMsPerS). */
  share: number;
  /** The room's thread: threadUs against roomThreadMsPerS. */
  threadShare: number;
  /** 1-minute load average at the start and the end of the run. */
  load: [number, number];
}

/** CPU seconds of one thread of a process so far (its /proc stat: ticks of 10 ms). */
function threadCpuSeconds(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The in-server figures: `roomCount` rooms of 8 people and 8 bots each on a server process of its own. The process
 * checkpoints all its rooms in one round (checkpointRound.ts): with several, the figures per checkpoint are the
 * round's share of each room.
 */
export async function checkpointCostInServer(seconds: number, roomCount = 1): Promise<InServerCost> {
  const redis = await startRedis();
  const server = await spawnServer({ REDIS_URL: redis.url, BOT_FILL: "16" }, { timeoutMs: 90_000 });
  const stops: (() => void)[] = [];
  const rooms: ArenaRoomClient[] = [];
  try {
    const load0 = loadavg()[0]!;
    const pid = server.proc.pid!;
    const idle0 = sampleProcess(pid);
    const idleThread0 = threadCpuSeconds(pid, pid);
    await new Promise((r) => setTimeout(r, 5000));
    const idle1 = sampleProcess(pid);
    const idleThread1 = threadCpuSeconds(pid, pid);
    const idleCpuMsPerS = ((idle1.cpuSeconds - idle0.cpuSeconds) * 1000) / ((idle1.at - idle0.at) / 1000);
    const idleThreadMsPerS = ((idleThread1 - idleThread0) * 1000) / ((idle1.at - idle0.at) / 1000);
    for (let r = 0; r < roomCount; r++) {
      let roomId = "";
      for (let i = 0; i < 8; i++) {
        const name = `Cost${r}x${i}`;
        const { client } = await signIn(server.url, name);
        const room = (await (i === 0 ? client.create(ROOM_ARENA, { name }) : client.joinById(roomId, { name }))) as ArenaRoomClient;
        room.onMessage("*", () => {});
        await waitForOwnPlayer(room);
        roomId = room.roomId;
        rooms.push(room);
        let a = i;
        stops.push(holdInput(room, () => ({ mx: Math.round(Math.cos((a += 0.05)) * 127), my: Math.round(Math.sin(a) * 127), aim: a, fire: true })));
      }
    }
    // The figures line comes every 10 s: count from the first one after everyone is in.
    const linesBefore = server.lines.length;
    await new Promise((r) => setTimeout(r, 10_500));
    const cpu0 = sampleProcess(pid);
    const thread0 = threadCpuSeconds(pid, pid);
    const from = server.lines.length;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu1 = sampleProcess(pid);
    const thread1 = threadCpuSeconds(pid, pid);
    const figures = server.lines.slice(Math.max(from, linesBefore)).filter((l) => l.includes('"msg":"checkpoint figures"'))
      // encodeMsPerCheckpoint is null in a window with no checkpoint timed in process CPU (one in four is).
      .map((l) => JSON.parse(l) as { checkpoints: number; bytesPerCheckpoint: number; encodeMsPerCheckpoint: number | null; threadMsPerCheckpoint: number; threadMsMedian: number | null; takeMsPerCheckpoint: number });
    const checkpoints = figures.reduce((s, f) => s + f.checkpoints, 0);
    const perCheckpointUs = (of: (f: (typeof figures)[number]) => number | null): number => {
      const timed = figures.filter((f) => of(f) !== null);
      const n = timed.reduce((s, f) => s + f.checkpoints, 0);
      return n === 0 ? NaN : (timed.reduce((s, f) => s + of(f)! * f.checkpoints, 0) / n) * 1000;
    };
    const elapsedS = (cpu1.at - cpu0.at) / 1000;
    const roomCpuMsPerS = ((cpu1.cpuSeconds - cpu0.cpuSeconds) * 1000) / elapsedS - idleCpuMsPerS;
    const roomThreadMsPerS = ((thread1 - thread0) * 1000) / elapsedS - idleThreadMsPerS;
    const checkpointsPerS = 4 * roomCount; // CHECKPOINT_INTERVAL_MS = 250 a room (the lines cover whole 10 s windows, not exactly this one)
    const checkpointUs = perCheckpointUs((f) => f.encodeMsPerCheckpoint);
    const threadUs = perCheckpointUs((f) => f.threadMsMedian);
    const threadMeanUs = perCheckpointUs((f) => f.threadMsPerCheckpoint);
    return {
      seconds: elapsedS, checkpoints,
      bytesPerCheckpoint: checkpoints === 0 ? NaN : figures.reduce((s, f) => s + f.bytesPerCheckpoint * f.checkpoints, 0) / checkpoints,
      checkpointUs, threadUs, threadMeanUs, takeUs: perCheckpointUs((f) => f.takeMsPerCheckpoint),
      roomCpuMsPerS, idleCpuMsPerS, roomThreadMsPerS, idleThreadMsPerS,
      share: (checkpointUs * checkpointsPerS) / 1000 / roomCpuMsPerS,
      threadShare: (threadUs * checkpointsPerS) / 1000 / roomThreadMsPerS,
      load: [load0, loadavg()[0]!],
    };
  } finally {
    for (const s of stops) s();
    await Promise.all(rooms.map((r) => r.leave().catch(() => undefined)));
    await server.kill("SIGKILL");
    await redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = checkpointCostInProcess();
  console.log(`in process, 16 players (8 hard bots): ${a.bytes} bytes, ${a.encodeUs.toFixed(1)} µs per checkpoint; step ${a.stepUs.toFixed(1)} µs; ` +
    `${(a.shareOfStep * 100).toFixed(1)} % of the step's CPU at 4 checkpoints / 30 steps a second`);
  console.log(`with a full chat tail (${CHAT_TAIL_LINES} lines of ${CHAT_MAX_LENGTH} characters): ${a.withTail.bytes} bytes (+${a.withTail.bytes - a.bytes}), ` +
    `${a.withTail.encodeUs.toFixed(1)} µs per checkpoint; ${a.withTail.encodeUsNewLineEach.toFixed(1)} µs with a new line before each`);
  for (const roomCount of (process.env.CHECKPOINT_ROOMS ?? "1,4").split(",").map(Number)) {
    const b = await checkpointCostInServer(Number(process.env.CHECKPOINT_COST_S ?? 20), roomCount);
    const rooms = roomCount === 1 ? "the room" : `the ${roomCount} rooms`;
    console.log(`in a server, ${roomCount} room(s) of 8 SDK players + 8 bots, ${b.seconds.toFixed(0)} s (load ${b.load[0].toFixed(1)} -> ${b.load[1].toFixed(1)}): ` +
      `${b.checkpoints} checkpoints of ${Math.round(b.bytesPerCheckpoint)} bytes`);
    console.log(`  on the rooms' thread: ${b.threadUs.toFixed(1)} µs each, median (mean ${b.threadMeanUs.toFixed(1)}: taking it ${b.takeUs.toFixed(1)}, the Redis client ${(b.threadMeanUs - b.takeUs).toFixed(1)}); ` +
      `the thread ${b.roomThreadMsPerS.toFixed(1)} ms CPU/s for ${rooms} (idle ${b.idleThreadMsPerS.toFixed(1)} ms/s not counted); checkpoints ${(b.threadShare * 100).toFixed(2)} % of it`);
    console.log(`  process-wide: ${b.checkpointUs.toFixed(1)} µs of process CPU each; ${rooms} ${b.roomCpuMsPerS.toFixed(1)} ms CPU/s ` +
      `(idle process ${b.idleCpuMsPerS.toFixed(1)} ms/s not counted); checkpoints ${(b.share * 100).toFixed(2)} % of it`);
  }
}
