/**
 * `npm run bench:failover`: matches that outlive their process, measured. Three server processes on one
 * redis-server (127.0.0.1 only), a match of 4 SDK players (shooting at each other) and 2 bots at a time:
 * - kills: the process holding the match is SIGKILLed, a fresh process replaces it; FAILOVER_KILLS rounds
 *   (default 8), each on whichever process the new match landed;
 * - deploy: the holder is SIGTERMed (it hands the match over), a fresh process replaces it; FAILOVER_DEPLOYS
 *   rounds (default 4).
 * For each player: the gap it sees (its last patch before the signal → its first patch in the match
 * again), whether it is back in its seat; per round, the checkpoint's age at takeover (the taker's log).
 * Credits: the leaderboard points of the bench's users against the credits named in the matches'
 * credited sets (a credit applied twice would show as more points than names).
 * Checkpoint cost: bytes and encoding CPU per checkpoint from the processes' "checkpoint figures" lines,
 * and at 16 players in process (the same encoder on a 16-player state).
 * Prints the figures and writes them to docs/BENCHMARKS.md (not with BENCH_NO_WRITE=1).
 */
import os from "node:os";
import { Redis } from "ioredis";
import type { Client } from "@colyseus/sdk";
import { KILL_POINTS, ROOM_ARENA, WIN_POINTS } from "@arena/shared";
import {
  exited, holdInput, machineLine, quantile, signIn, spawnServer, startRedis, waitForOwnPlayer, waitForState, writeSection,
  type ArenaRoomClient, type GameServerProcess,
} from "@arena/testkit/remote";
import { followMatch, type MatchFollower } from "../../client/src/net/followMatch.ts";
import { decodeCheckpoint } from "../src/rooms/arena/checkpointCodec.ts";
import { checkpointCostInProcess } from "./checkpointCost.ts";
import { LB_KEYS } from "../src/leaderboard/RedisLeaderboard.ts";
import { CUSTODY_KEYS } from "../src/scale/matchCustody.ts";

const KILLS = Number(process.env.FAILOVER_KILLS ?? 20);
const DEPLOYS = Number(process.env.FAILOVER_DEPLOYS ?? 4);
/** No round is started past this many seconds (a loaded machine makes each round slow): the table says how many ran. */
const MAX_S = Number(process.env.FAILOVER_MAX_S ?? 1200);
const PLAYERS = 4;

interface Round {
  kind: "kill" | "deploy";
  gaps: number[];
  back: number;
  checkpointAgeMs: number;
  killsRolledBack: number;
  /** Where the gap went: signal → claimed (the taker's log), claimed → restored, restored → each player's first patch. */
  detectMs: number;
  restoreMs: number;
  rejoinMs: number[];
}

const redis = await startRedis();
const db = new Redis(redis.url);
const servers: GameServerProcess[] = [];
const spawn = async (): Promise<GameServerProcess> => {
  const s = await spawnServer({ REDIS_URL: redis.url, BOT_FILL: "6" }, { timeoutMs: 90_000 });
  servers.push(s);
  return s;
};
const live = (): GameServerProcess[] => servers.filter((s) => s.proc.exitCode === null && s.proc.signalCode === null);
const users = new Set<string>();
const matchIds = new Set<string>();

async function round(kind: Round["kind"], n: number): Promise<Round> {
  const procs = live();
  const owner = procs[n % procs.length]!;
  const others = procs.filter((p) => p !== owner);
  const players: { follower: MatchFollower<ArenaRoomClient>; lastPatch: number; firstAfter: Promise<number>; stop: () => void }[] = [];
  let roomId = "";
  for (let i = 0; i < PLAYERS; i++) {
    const name = `F${n}${kind[0]}${i}`;
    const { client } = await signIn(owner.url, name);
    const room = (await (i === 0 ? client.create(ROOM_ARENA, { name }) : client.joinById(roomId, { name }))) as ArenaRoomClient;
    room.onMessage("*", () => {});
    await waitForOwnPlayer(room);
    roomId = room.roomId;
    users.add(room.sessionId);
    players.push(await follow(client, room, others.map((o) => o.url)));
  }
  await waitForState(players[0]!.follower.room, (s) => s.phase === "playing" && s.tick > 90, 60_000, "match playing");
  const first = players[0]!.follower.room;
  const killsBefore = new Map<string, number>();
  first.state.players.forEach((p, id) => killsBefore.set(id, p.kills));
  const lastBefore = players.map((p) => p.lastPatch);
  // The process holding the match now (under load a match can have moved since it was created).
  const holderId = (await db.get(CUSTODY_KEYS.lease(roomId)))?.split(":")[0];
  const holder = live().find((s) => s.processId === holderId) ?? owner;
  const signalAt = Date.now();
  let tracing = process.env.FAILOVER_TRACE === "1";
  if (tracing) {
    // Who the listing and the lease name, as they change (where a slow move waits).
    let seen = "";
    const names = Object.fromEntries(live().map((s) => [s.processId, s === holder ? "old" : s.url.slice(-5)]));
    void (async () => {
      while (tracing) {
        const [row, lease] = await Promise.all([db.hget("roomcaches", roomId), db.get(CUSTODY_KEYS.lease(roomId))]);
        const now = `listing ${row === null ? "-" : names[(JSON.parse(row) as { processId: string }).processId] ?? "?"} lease ${lease === null ? "-" : names[lease.split(":")[0]!] ?? "?"}`;
        if (now !== seen) console.log(`  +${Date.now() - signalAt} ms ${now}`);
        seen = now;
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
  }
  if (kind === "kill") await holder.kill("SIGKILL");
  else void holder.kill("SIGTERM");
  const firsts = await Promise.all(players.map((p) => Promise.race([p.firstAfter, new Promise<number>((r) => setTimeout(() => r(NaN), 30_000))])));
  tracing = false;
  const gaps = firsts.map((t, i) => t - lastBefore[i]!).filter((g) => Number.isFinite(g));
  const back = players.filter((p, i) => Number.isFinite(firsts[i]!) && p.follower.room.roomId === roomId).length;
  const taker = live().find((s) => s.lines.some((l) => l.includes('"msg":"match restored"') && l.includes(`"room":"${roomId}"`)));
  const restored = taker?.lines.find((l) => l.includes('"msg":"match restored"') && l.includes(`"room":"${roomId}"`));
  // The state lost: how old the checkpoint was when the holder stopped (its age at restore minus the detection).
  const line = restored === undefined ? undefined : (JSON.parse(restored) as { checkpointAgeMs: number; time: string });
  const checkpointAgeMs = line === undefined ? NaN : Math.max(0, signalAt - (Date.parse(line.time) - line.checkpointAgeMs));
  const claimed = taker?.lines.find((l) => l.includes('"msg":"claimed a match whose lease ran out"') && l.includes(`"room":"${roomId}"`));
  const claimedAt = claimed === undefined ? NaN : Date.parse((JSON.parse(claimed) as { time: string }).time);
  const restoredAt = line === undefined ? NaN : Date.parse(line.time);
  const detectMs = claimedAt - signalAt;
  const restoreMs = restoredAt - claimedAt;
  const rejoinMs = firsts.map((t) => t - restoredAt).filter(Number.isFinite);
  let killsRolledBack = 0;
  const after = players[0]!.follower.room.state;
  killsBefore.forEach((k, id) => {
    const now = after.players?.get(id)?.kills;
    if (now !== undefined && now < k) killsRolledBack += k - now;
  });
  const checkpoint = await db.getBuffer(CUSTODY_KEYS.checkpoint(roomId));
  if (checkpoint !== null) matchIds.add(decodeCheckpoint(checkpoint, roomId).credits.matchId);
  for (const p of players) p.stop();
  // A room that never came back has no connection to leave from: do not wait on it.
  await Promise.all(players.map((p) => Promise.race([p.follower.room.leave().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))])));
  if (kind === "deploy") await exited(holder.proc);
  await spawn();
  // A player already silent before the signal (its own stall, not the stop's) is named: its gap starts there.
  const silentBefore = lastBefore.map((t) => signalAt - t).filter((ms) => ms > 500);
  if (silentBefore.length > 0) console.log(`  ${silentBefore.length} player(s) had no patch for ${silentBefore.map(Math.round).join("/")} ms before the signal`);
  console.log(`${kind} ${n + 1}: gaps ${gaps.map((g) => Math.round(g)).join(", ")} ms (claimed +${detectMs} ms, restored +${restoreMs} ms, players in +${rejoinMs.map(Math.round).join("/")} ms), back ${back}/${PLAYERS}, checkpoint age ${checkpointAgeMs} ms (${Date.now() - signalAt} ms to settle)`);
  return { kind, gaps, back, checkpointAgeMs, killsRolledBack, detectMs, restoreMs, rejoinMs };
}

/** Follows one player's match, shooting at the nearest other person, and times its patches. */
async function follow(client: Client, room: ArenaRoomClient, endpoints: string[]): Promise<{ follower: MatchFollower<ArenaRoomClient>; lastPatch: number; firstAfter: Promise<number>; stop: () => void }> {
  const entry = { lastPatch: Date.now(), moved: false };
  let resolveFirst!: (t: number) => void;
  const firstAfter = new Promise<number>((r) => (resolveFirst = r));
  let stopInput = (): void => {};
  const bind = (r: ArenaRoomClient): void => {
    r.onStateChange(() => {
      if (entry.moved) {
        entry.moved = false;
        resolveFirst(Date.now());
      } else if (r === follower.room) {
        entry.lastPatch = Date.now();
      }
    });
    stopInput();
    stopInput = holdInput(r, () => {
      const me = r.state.players?.get(r.sessionId);
      let best: { x: number; y: number } | undefined;
      let bestD = Infinity;
      r.state.players?.forEach((p, id) => {
        if (id === r.sessionId || p.bot || !p.alive || me === undefined) return;
        const d = Math.hypot(p.x - me.x, p.y - me.y);
        if (d < bestD) [bestD, best] = [d, { x: p.x, y: p.y }];
      });
      if (me === undefined || best === undefined) return {};
      const aim = Math.atan2(best.y - me.y, best.x - me.x);
      return { aim, fire: true, mx: Math.round(Math.cos(aim) * 127), my: Math.round(Math.sin(aim) * 127) };
    });
  };
  const follower = followMatch(client, room, {
    endpoints,
    onReconnecting: () => (entry.moved = true),
    onRoom: (r) => {
      r.onMessage("*", () => {});
      entry.moved = true;
      bind(r);
    },
    onLeave: () => undefined,
    onAttempt: (a) => {
      if (a.ms > 500 || process.env.FAILOVER_ATTEMPTS === "1") console.log(`  attempt ${a.endpoint} ${a.ms} ms ${a.error ?? "ok"}`);
    },
  });
  bind(room);
  return {
    follower,
    get lastPatch() {
      return entry.lastPatch;
    },
    firstAfter,
    stop: () => {
      stopInput();
      follower.stop();
    },
  };
}

try {
  for (let i = 0; i < 3; i++) await spawn();
  const rounds: Round[] = [];
  let failedRounds = 0;
  const attempt = async (kind: Round["kind"], i: number): Promise<void> => {
    try {
      rounds.push(await round(kind, i));
    } catch (error) {
      // A round that could not even start its match (the machine too loaded to seat everyone) is counted, not hidden.
      failedRounds++;
      console.log(`${kind} ${i + 1}: could not be set up: ${(error as Error).message}`);
      while (live().length < 3) await spawn();
    }
  };
  const startedAt = Date.now();
  const loads: number[] = [];
  const inTime = (): boolean => {
    loads.push(os.loadavg()[0]!);
    return Date.now() - startedAt < MAX_S * 1000;
  };
  // Deploys first, with a few kills left for after them if time runs short.
  for (let i = 0; i < DEPLOYS && inTime(); i++) await attempt("deploy", i);
  for (let i = 0; i < KILLS && inTime(); i++) await attempt("kill", i);
  // Credits: points on the board against the names in the matches' credited sets.
  let named = 0;
  for (const id of matchIds) {
    const members = await db.smembers(LB_KEYS.credited(id));
    named += members.reduce((sum, m) => sum + (m.startsWith("kill:") ? KILL_POINTS : m === "win" ? WIN_POINTS : 0), 0);
  }
  const board = await db.zrange(LB_KEYS.allTime, 0, -1, "WITHSCORES");
  let points = 0;
  for (let i = 0; i + 1 < board.length; i += 2) points += Number(board[i + 1]);
  const figures = (await Promise.all(live().map(async (s) => s.lines.filter((l) => l.includes('"msg":"checkpoint figures"'))))).flat()
    .map((l) => JSON.parse(l) as { bytesPerCheckpoint: number; threadMsPerCheckpoint: number; checkpoints: number });
  const avg = (f: (x: (typeof figures)[number]) => number): number => figures.length === 0 ? NaN : figures.reduce((s, x) => s + f(x) * x.checkpoints, 0) / figures.reduce((s, x) => s + x.checkpoints, 0);
  const sixteen = checkpointCostInProcess();
  const table = (kind: Round["kind"]): string => {
    const rs = rounds.filter((r) => r.kind === kind);
    const gaps = rs.flatMap((r) => r.gaps);
    const ages = rs.map((r) => r.checkpointAgeMs).filter(Number.isFinite);
    const back = rs.reduce((s, r) => s + r.back, 0);
    return `| ${kind === "kill" ? "SIGKILL of the holder" : "SIGTERM of the holder (deploy)"} | ${rs.length} | ${Math.round(quantile(gaps, 0.5))} | ${Math.round(quantile(gaps, 0.95))} | ${Math.round(Math.max(...gaps))} | ${ages.length ? `${Math.round(quantile(ages, 0.5))} / ${Math.round(Math.max(...ages))}` : "-"} | ${back}/${rs.length * PLAYERS} (${((100 * back) / (rs.length * PLAYERS)).toFixed(0)} %) | ${rs.reduce((s, r) => s + r.killsRolledBack, 0)} |`;
  };
  const pq = (xs: number[]): string => (xs.filter(Number.isFinite).length === 0 ? "-" : `${Math.round(quantile(xs.filter(Number.isFinite), 0.5))} / ${Math.round(quantile(xs.filter(Number.isFinite), 0.95))}`);
  const where = (kind: Round["kind"]): string => {
    const rs = rounds.filter((r) => r.kind === kind);
    return `| ${kind === "kill" ? "SIGKILL" : "SIGTERM"} | ${pq(rs.map((r) => r.detectMs))} | ${pq(rs.map((r) => r.restoreMs))} | ${pq(rs.flatMap((r) => r.rejoinMs))} |`;
  };
  const body = `## Matches outlive their process (\`npm run bench:failover\`)

${machineLine()}; 3 processes on one redis-server, each match 4 SDK players shooting at each other and 2 bots;
a fresh process replaces each one stopped. Gap: a player's last patch before the signal to its first patch
in the match again (the SDK helper client/src/net/followMatch.ts finds it through matchmaking).

| Stop | rounds | gap p50 ms | p95 ms | max ms | checkpoint age at takeover p50 / max ms | players back in their seat | kills rolled back (the window) |
|---|---|---|---|---|---|---|---|
${table("kill")}
${table("deploy")}

Where the gap goes, p50 / p95 ms: from the signal to the claim (a taker's log line; for a kill, the lease running out
and a scan), from the claim to the match restored, from the restore to each player's first patch (its reconnection):

| Stop | signal → claimed | claimed → restored | restored → player back |
|---|---|---|---|
${where("kill")}
${where("deploy")}

Load average (1 min) during the run: ${Math.round(Math.min(...loads))}–${Math.round(Math.max(...loads))} on ${os.cpus().length} cores${rounds.length < KILLS + DEPLOYS ? `; ${rounds.length} of ${KILLS} kills and ${DEPLOYS} deploys ran within FAILOVER_MAX_S=${MAX_S}` : ""}.

${failedRounds > 0 ? `${failedRounds} round(s) could not be set up (their match never started) and are not counted.\n` : ""}Credits: ${points} points on the board for the bench's users, ${named} named in the matches' credited sets:
${points - named > 0 ? `**${points - named} points credited twice**` : "0 double credits"}${points === 0 ? " (no person killed another person in these rounds, so this checks nothing here: server/test/credits-once.test.ts does)" : ""}.
${figures.length > 0 ? `Checkpoint cost in the cluster: ${Math.round(avg((x) => x.bytesPerCheckpoint))} bytes and ${avg((x) => x.threadMsPerCheckpoint).toFixed(3)} ms on the room's thread (wall time of taking it
and handing it to the Redis client) per checkpoint (6 players), 4 a second per room. ` : ""}At 16 players (in process): ${sixteen.bytes} bytes
(${Math.round((sixteen.bytes * 4) / 1024)} KiB/s of Redis writes per room), ${sixteen.encodeUs.toFixed(0)} µs to snapshot and encode,
${((sixteen.encodeUs * 4) / (sixteen.stepUs * 30) * 100).toFixed(1)} % of the room's own simulation CPU (${sixteen.stepUs.toFixed(0)} µs a step at 30 Hz, 8 bots thinking).
`;
  console.log(body);
  if (process.env.BENCH_NO_WRITE !== "1") writeSection("failover", body);
} finally {
  await Promise.all(servers.map((s) => s.kill("SIGKILL")));
  db.disconnect();
  await redis.stop();
}
