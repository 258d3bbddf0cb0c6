/**
 * `npm run bench:redis-idle`: the Redis commands one game process issues at rest, per second, with 2, 4 and
 * 8 processes on one redis-server (counted by Redis: `CONFIG RESETSTAT`, then `INFO commandstats`). What a
 * process costs the cluster at rest must not grow with the number of processes: this is the figure that shows
 * it (docs/OPERATIONS.md, capacity plan). BENCH_PROCESSES ("2,4,8"), BENCH_IDLE_S (10). Prints the table and
 * writes it to docs/BENCHMARKS.md (not with BENCH_NO_WRITE=1); BENCH_LABEL names the column set (e.g. "before").
 */
import { Redis } from "ioredis";
import { machineLine, spawnServer, startRedis, writeSection, type GameServerProcess } from "@arena/testkit/remote";
import { idleCommandRate } from "../../testkit/src/commandRate.ts";

const sizes = (process.env.BENCH_PROCESSES ?? "2,4,8").split(",").map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 32)) throw new Error(`BENCH_PROCESSES must be integers from 1 to 32, got "${process.env.BENCH_PROCESSES}"`);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 10);
if (!(IDLE_S >= 1 && IDLE_S <= 120)) throw new Error(`BENCH_IDLE_S must be from 1 to 120, got "${process.env.BENCH_IDLE_S}"`);

const results: { processes: number; perProcess: Map<string, number>; total: number }[] = [];
for (const n of sizes) {
  const redis = await startRedis();
  const db = new Redis(redis.url);
  let servers: GameServerProcess[] = [];
  try {
    // One at a time: eight tsx start-ups at once on two cores take longer than starting them in turn.
    for (let i = 0; i < n; i++) servers.push(await spawnServer({ REDIS_URL: redis.url }, { timeoutMs: 120_000 }));
    const rate = await idleCommandRate(db, n, IDLE_S * 1000);
    results.push({ processes: n, ...rate });
    process.stdout.write(`${n} processes: ${rate.total.toFixed(1)} commands per process-second\n`);
  } finally {
    await Promise.all(servers.map((s) => s.kill("SIGTERM")));
    servers = [];
    db.disconnect();
    await redis.stop();
  }
}

const commands = [...new Set(results.flatMap((r) => [...r.perProcess.keys()]))]
  .filter((c) => results.some((r) => (r.perProcess.get(c) ?? 0) >= 0.05))
  .sort((a, b) => Math.max(...results.map((r) => r.perProcess.get(b) ?? 0)) - Math.max(...results.map((r) => r.perProcess.get(a) ?? 0)));
const cell = (v: number | undefined): string => (v === undefined || v < 0.05 ? "" : v.toFixed(1));
const label = process.env.BENCH_LABEL ?? "now";
const body = `## Redis commands of a process at rest, by number of processes (\`npm run bench:redis-idle\`, ${label})

${machineLine()}. ${sizes.join(", ")} game processes on one redis-server, no player, ${IDLE_S} s each after start-up;
commands counted by Redis (\`INFO commandstats\`), divided by processes and seconds.

| Command | ${results.map((r) => `${r.processes} processes`).join(" | ")} |
|---|${results.map(() => "---").join("|")}|
${commands.map((c) => `| \`${c}\` | ${results.map((r) => cell(r.perProcess.get(c))).join(" | ")} |`).join("\n")}
| **all, per process-second** | ${results.map((r) => `**${r.total.toFixed(1)}**`).join(" | ")} |
| ratio to the first | ${results.map((r) => (r.total / results[0]!.total).toFixed(2)).join(" | ")} |`;
process.stdout.write(body + "\n");
if (process.env.BENCH_NO_WRITE !== "1") writeSection(`redis-idle-${label}`, body);
process.exit(0);
