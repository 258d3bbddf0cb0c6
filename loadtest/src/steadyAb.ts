/**
 * `npm run bench:ab`: a lever's A/B on a shared, busy machine. Two servers of ours (A: this checkout; B: the same
 * with `--b-env`, or another checkout's `--b-root`) play at the same time, each against its own bots, so both
 * live through the same contention; after a warm-up long enough for V8 to have compiled the hot code (a fresh
 * server spends ~20 s of its first load compiling on helper threads: ~500 µs per player-second at first, ~60
 * after), their CPU per player-second and per message is read from /proc over a few windows, thread by thread.
 * B's ratio to A is given per window and as the median. Bounded: at most 400 bots a side, 90 s in all.
 */
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { TEST_SECRET, freePort, machineLine, sampleProcess, spawnServer, startProcess, type ServerProcess } from "@arena/testkit/remote";
import { threadCpu, threadCpuBetween } from "./profile/threads.ts";
import { LoadRun } from "./run.ts";

const { values } = parseArgs({
  options: {
    bots: { type: "string", default: "64" },
    warmup: { type: "string", default: "20" },
    windows: { type: "string", default: "5" },
    window: { type: "string", default: "5" },
    "a-env": { type: "string", default: "" },
    "b-env": { type: "string", default: "" },
    /** A from another checkout's root or script too, so that A and B differ by one change only (others edit this checkout meanwhile). */
    "a-root": { type: "string" },
    "a-entry": { type: "string" },
    "b-root": { type: "string" },
    /** B runs this script instead (e.g. a bundle from server/bundle.ts: plain JavaScript runs on plain Node, as `npm start`). */
    "b-entry": { type: "string" },
  },
});
const envOf = (list: string): Record<string, string> =>
  Object.fromEntries(list.split(",").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
const BOTS = Math.min(400, Math.max(2, Math.floor(Number(values.bots)) || 64));
const WINDOW_S = Math.min(15, Math.max(2, Number(values.window) || 5));
const WINDOWS = Math.max(1, Math.min(Math.floor(Number(values.windows)) || 5, Math.floor((80 - Math.min(40, Number(values.warmup) || 20)) / WINDOW_S)));
const WARMUP_S = Math.min(40, Math.max(2, Number(values.warmup) || 20));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 === 1 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};

interface Side {
  label: string;
  server: ServerProcess;
  run: LoadRun;
}

interface Reading {
  threads: Map<string, number>;
  cpu: number;
  at: number;
  up: number;
  down: number;
}

const read = (s: Side): Reading => {
  const p = sampleProcess(s.server.pid);
  return { threads: threadCpu(s.server.pid), cpu: p.cpuSeconds, at: p.at, up: s.run.stats.messagesOut, down: s.run.stats.messagesIn };
};

const load = loadavg()[0] ?? NaN;
const servers: ServerProcess[] = [];
const lines: string[] = [];
try {
  const start = (label: string, env: Record<string, string>, entry: string | undefined): Promise<ServerProcess> => entry === undefined
    ? spawnServer(env, { showErrors: false, timeoutMs: 90_000 })
    : freePort().then((port) => startProcess(label, entry, {
      showErrors: false, timeoutMs: 90_000,
      env: { PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, AUTH_SECRET: TEST_SECRET, RATE_LIMITS: "off", ...env },
    }));
  const entryOf = (entry: string | undefined, root: string | undefined): string | undefined =>
    entry ?? (root !== undefined ? resolve(root, "server/src/main.ts") : undefined);
  const aEntry = entryOf(values["a-entry"], values["a-root"]);
  const a = await start("ours A", { BOT_FILL: "0", ...envOf(values["a-env"]) }, aEntry);
  servers.push(a);
  const bEntry = entryOf(values["b-entry"], values["b-root"]);
  const b = await start("ours B", { BOT_FILL: "0", ...envOf(values["b-env"]) }, bEntry);
  servers.push(b);
  const duration = WARMUP_S + WINDOWS * WINDOW_S + 30;
  const side = (label: string, server: ServerProcess, seed: number): Side => ({
    label, server,
    run: new LoadRun({ endpoints: [server.url], bots: BOTS, durationSeconds: duration, inputRate: 30, rampPerSecond: 100, decode: "room", chatEverySeconds: 0, rejoinEverySeconds: 0, out: undefined, seed }),
  });
  const sides = [side("A", a, 1), side("B", b, 1)];
  const done = sides.map((s) => s.run.run());
  const until = performance.now() + 30_000;
  while (sides.some((s) => s.run.stats.botsJoined + s.run.stats.botsFailed < BOTS) && performance.now() < until) await sleep(100);
  await sleep(WARMUP_S * 1000);
  const ratios: number[] = [];
  const perMsgRatios: number[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const before = sides.map(read);
    await sleep(WINDOW_S * 1000);
    const after = sides.map(read);
    const rows = sides.map((s, i) => {
      const x = before[i]!;
      const y = after[i]!;
      const playerSeconds = Math.max(1, s.run.stats.inRoom) * ((y.at - x.at) / 1000);
      const cpu = ((y.cpu - x.cpu) * 1e6) / playerSeconds;
      const up = (y.up - x.up) / playerSeconds;
      const down = (y.down - x.down) / playerSeconds;
      const threads = [...threadCpuBetween(x.threads, y.threads)].filter(([, v]) => v > 0).map(([k, v]) => `${k} ${((v * 1e6) / playerSeconds).toFixed(0)}`).join(", ");
      return { cpu, perMsg: cpu / (up + down), text: `${s.label} ${cpu.toFixed(0)} µs/player-s (${(cpu / (up + down)).toFixed(1)} µs/msg; ${up.toFixed(1)} up, ${down.toFixed(1)} down; ${threads})` };
    });
    ratios.push(rows[1]!.cpu / rows[0]!.cpu);
    perMsgRatios.push(rows[1]!.perMsg / rows[0]!.perMsg);
    const line = `window ${w + 1}: ${rows.map((r) => r.text).join(" | ")} | B/A ${ratios.at(-1)!.toFixed(3)}× (${perMsgRatios.at(-1)!.toFixed(3)}× per msg)`;
    lines.push(line);
    console.log(line);
  }
  for (const s of sides) s.run.stop();
  await Promise.all(done);
  console.log(`${machineLine()}, load average ${load.toFixed(2)} as the run began; ${BOTS} bots a side, both at once, ${WARMUP_S} s warm-up, ${WINDOWS} × ${WINDOW_S} s windows`);
  console.log(`A: ${aEntry ?? "this checkout"}${values["a-env"] ? ` with ${values["a-env"]}` : ""}; B: ${bEntry ?? "this checkout"}${values["b-env"] ? ` with ${values["b-env"]}` : ""}`);
  console.log(`B / A, median of ${WINDOWS} windows: ${median(ratios).toFixed(3)}× per player-second, ${median(perMsgRatios).toFixed(3)}× per message`);
} finally {
  await Promise.allSettled(servers.map((s) => s.stop()));
}
process.exit(0);
