/**
 * `npm run soak`: is memory flat when players stay? Starts one server
 * (`npm start` defaults), plays `--bots` bots with the default behaviour
 * (quick play, chat now and then, leave and rejoin now and then) for
 * `--seconds`, reads the server's RSS, heap and clients from /metrics every
 * `--every` seconds and once more after the bots are gone, and writes the
 * table to docs/BENCHMARKS.md. Bounded: 127.0.0.1 only, at most 30 minutes,
 * stops what it starts.
 */
import { parseArgs } from "node:util";
import { machineLine, spawnServer, writeSection } from "@arena/testkit/remote";
import { scrape, total } from "./prometheus.ts";
import { LoadRun } from "./run.ts";

const { values } = parseArgs({
  options: {
    bots: { type: "string", default: "160" },
    seconds: { type: "string", default: "300" },
    every: { type: "string", default: "30" },
    "no-write": { type: "boolean", default: false },
  },
});
const BOTS = Math.min(1000, Math.max(1, Number(values.bots) || 160));
const SECONDS = Math.min(1800, Math.max(10, Number(values.seconds) || 300));
const EVERY = Math.min(SECONDS, Math.max(5, Number(values.every) || 30));

interface Reading {
  at: number;
  rssMb: number;
  heapMb: number;
  clients: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number): number => bytes / 1024 / 1024;

const server = await spawnServer({}, { showErrors: true });
const readings: Reading[] = [];
const read = async (at: number): Promise<void> => {
  const m = await scrape(server.url);
  const reading = { at, rssMb: mb(total(m, "process_resident_memory_bytes")), heapMb: mb(total(m, "nodejs_heap_size_used_bytes")), clients: total(m, "arena_clients") };
  readings.push(reading);
  process.stderr.write(`soak: ${at} s  RSS ${reading.rssMb.toFixed(1)} MB  heap ${reading.heapMb.toFixed(1)} MB  clients ${reading.clients}\n`);
};
let body = "";
try {
  const run = new LoadRun({ endpoints: [server.url], bots: BOTS, durationSeconds: SECONDS, out: undefined });
  const done = run.run();
  const t0 = performance.now();
  // Readings while the bots play (the last one a little before they leave), then one after they left.
  for (let at = EVERY; at < SECONDS; at += EVERY) {
    await sleep(t0 + at * 1000 - performance.now());
    await read(at);
  }
  const summary = await done;
  await sleep(3000); // the bots' leaves reach the server
  await read(Math.round((performance.now() - t0) / 1000));

  const steady = readings.slice(1, -1); // after the first reading (ramp, JIT warm-up), before the bots left
  const rss = steady.map((r) => r.rssMb);
  const heap = steady.map((r) => r.heapMb);
  const spread = rss.length > 0 ? ((Math.max(...rss) - Math.min(...rss)) / Math.min(...rss)) * 100 : 0;
  const row = (label: string, f: (r: Reading) => string): string => `| ${label} | ${readings.map(f).join(" | ")} |`;
  const disconnects = Object.entries(summary.disconnects).map(([code, n]) => `${n} × ${code}`).join(", ") || "none";
  body = `## Soak: ${BOTS} bots for ${SECONDS / 60} minutes (\`npm run soak\`)

${machineLine()}. One server (\`npm start\` defaults) and \`npm run soak -- --bots ${BOTS} --seconds ${SECONDS}\`:
the bots' default behaviour (quick play, chat every ~30 s, leave and rejoin every ~120 s); \`/metrics\` read every ${EVERY} s
and once more after the bots left.

| s | ${readings.map((r, i) => (i === readings.length - 1 ? `${r.at} (bots gone)` : String(r.at))).join(" | ")} |
| --- | ${readings.map(() => "---").join(" | ")} |
${row("RSS MB", (r) => r.rssMb.toFixed(1))}
${row("heap used MB", (r) => r.heapMb.toFixed(1))}
${row("clients", (r) => String(r.clients))}

From the second reading until the bots left: RSS ${Math.min(...rss).toFixed(1)}–${Math.max(...rss).toFixed(1)} MB (spread ${spread.toFixed(1)} %),
heap used ${Math.min(...heap).toFixed(1)}–${Math.max(...heap).toFixed(1)} MB (it saws with garbage collection; a leak shows as a rising floor).
Bots: ${summary.joined}/${summary.bots} joined, ${summary.failed} failed, ${summary.joins} joins (${summary.rejoins} rejoins),
server-side disconnects: ${disconnects}, protocol errors ${summary.protocolErrors}, ${summary.patches.botsWithoutPatches === 0 ? "every bot received patches" : `${summary.patches.botsWithoutPatches} bots received no patches`}
(fewest ${summary.patches.minPerJoinedBot}), ${summary.chats} chat messages; RTT p50 ${summary.rttMs.p50} ms, p99 ${summary.rttMs.p99} ms;
join p50 ${summary.joinMs.p50} ms, p99 ${summary.joinMs.p99} ms; downstream ${summary.in.bytesPerBotSecond} B and upstream
${summary.out.bytesPerBotSecond} B per bot-second.`;
} finally {
  await server.stop();
}
console.log(body);
if (!values["no-write"]) writeSection("soak", body);
process.exit(0);
