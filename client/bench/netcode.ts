/**
 * `npm run bench:netcode`: the headless netcode harness. For RTT 0/50/150/250 ms
 * with 30 ms jitter and 0/2/5 % loss, runs the browser's GameSession in Node
 * against a real server, once with lag compensation and once without, and
 * reports prediction corrections, the interpolation delay, and the share of
 * on-screen hits the server counts (with a 95 % interval: ~70 on-screen hits
 * per row), and why the missed ones missed. Writes docs/BENCHMARKS.md and the
 * per-shot record to test-output/netcode-shots.json. Bounded: ~37 s per profile
 * with the rewind on, ~17 s with it off (NETCODE_MOVE_MS + NETCODE_SHOOT_MS /
 * NETCODE_OFF_SHOOT_MS), about 11 minutes in all, 127.0.0.1 only.
 * NETCODE_RTTS / NETCODE_LOSSES pick rows, NETCODE_MODES=on skips the runs
 * with the rewind off, BENCH_NO_WRITE=1 leaves docs/BENCHMARKS.md alone.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { machineLine, quantile, writeSection } from "@arena/testkit/remote";
import { MAX_INTERP_DELAY_MS, MAX_REWIND_MS, PLAYER_RADIUS, PROJECTILE_RADIUS, REWIND_MARGIN_MS } from "@arena/shared";
import type { Profile, ProfileResult, ShotDiagnosis } from "./netcode-run.ts";
import { COVER_Y, SHOT_INTERVAL_MS } from "./cover.ts";
import { EXTRAPOLATE_MS } from "../src/net/stallSmoothing.ts";

/** Steady running per row for corrections, ms. */
const MOVE_MS = Number(process.env.NETCODE_MOVE_MS ?? 3000);
/** Shooting per row with the rewind on, ms: ~120 shots, ~70 of them hits on the shooter's screen. */
const SHOOT_MS = Number(process.env.NETCODE_SHOOT_MS ?? 30000);
/** The same with the rewind off: only the "before lag compensation" column, so fewer shots do. */
const OFF_SHOOT_MS = Number(process.env.NETCODE_OFF_SHOOT_MS ?? 10000);
/** `on` alone skips the rewind-off runs (a quicker look at one change). */
const MODES = (process.env.NETCODE_MODES ?? "on,off").split(",");

const RTTS = (process.env.NETCODE_RTTS ?? "0,50,150,250").split(",").map(Number);
const LOSSES = (process.env.NETCODE_LOSSES ?? "0,2,5").split(",").map(Number);
const profiles: Profile[] = RTTS.flatMap((rttMs) => LOSSES.map((lossPct) => ({ rttMs, jitterMs: 30, lossPct })));
const runner = fileURLToPath(new URL("./netcode-run.ts", import.meta.url));

function run(mode: "on" | "off"): ProfileResult[] | undefined {
  if (!MODES.includes(mode)) return undefined;
  console.error(`lag compensation ${mode}: ${profiles.length} profiles…`);
  const shootMs = mode === "on" ? SHOOT_MS : OFF_SHOOT_MS;
  const out = spawnSync(process.execPath, ["--import", "tsx", runner, mode, JSON.stringify(profiles)], {
    encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 40 * 60_000,
    env: { ...process.env, NETCODE_MOVE_MS: String(MOVE_MS), NETCODE_SHOOT_MS: String(shootMs) },
  });
  const line = out.stdout.trim().split("\n").pop() ?? "";
  return (JSON.parse(line) as { results: ProfileResult[] }).results;
}

const on = run("on")!;
const off = run("off");
const pct = (a: number, b: number): string => (b === 0 ? "–" : `${Math.round((a / b) * 100)} % (${a}/${b})`);
/** Wilson's 95 % interval for a share of `a` out of `b`, in whole percent. */
function interval(a: number, b: number): string {
  if (b === 0) return "";
  const z = 1.96;
  const p = a / b;
  const centre = (p + (z * z) / (2 * b)) / (1 + (z * z) / b);
  const half = (z / (1 + (z * z) / b)) * Math.sqrt((p * (1 - p)) / b + (z * z) / (4 * b * b));
  return `, ${Math.round(Math.max(0, centre - half) * 100)}–${Math.round(Math.min(1, centre + half) * 100)}`;
}
const counted = (a: number, b: number): string => (b === 0 ? "–" : `${pct(a, b)}${interval(a, b)}`);
/** Hits behind cover among those judged with a rewind up to `capMs`: share and the worst delay. */
function behindCover(r: ProfileResult, capMs: number): string {
  const hits = r.hits.filter((h) => h.rewindMs <= capMs);
  const late = hits.filter((h) => h.behindCoverMs !== null && Number.isFinite(h.behindCoverMs));
  const worst = Math.max(0, ...late.map((h) => h.behindCoverMs ?? 0));
  return late.length === 0 ? `0 % (0/${hits.length})` : `${pct(late.length, hits.length)}, worst ${worst} ms`;
}
/** On-screen hits the server would count with the rewind capped at `capMs` (those it judged with more would miss). */
function countedUnder(r: ProfileResult, capMs: number): string {
  return pct(r.screenHitRewinds.filter((ms) => ms >= 0 && ms <= capMs).length, r.screenHitRewinds.length);
}
const CAPS = [250, 350, 600, 1000];
const capRows = on.filter((r) => r.lossPct > 0 && r.rttMs >= 150).flatMap((r) =>
  CAPS.map((cap) => `| ${cap} | ${r.rttMs} | ${r.lossPct} | ${countedUnder(r, cap)} | ${behindCover(r, cap)} |`));
const rows = on.map((r, i) => {
  const o = off?.[i];
  const c = r.corrections;
  const mean = c.length ? c.reduce((a, b) => a + b, 0) / c.length : 0;
  const share = (a: number, b: number): string => (b === 0 ? "–" : `${((a / b) * 100).toFixed(1)} %`);
  const cover = behindCover(r, MAX_REWIND_MS);
  return `| ${r.rttMs} | ${r.lossPct} | ${mean.toFixed(2)} | ${quantile(c, 0.99).toFixed(2)} | ${c.filter((x) => x > 8).length} / ${c.length} | ${Math.round(r.interpDelayMs)} | ${share(r.badFramesHeld, r.frames)} → ${share(r.badFramesSmoothed, r.frames)} | ${counted(r.serverHitsOfScreenHits, r.screenHits)} | ${cover} | ${o === undefined ? "–" : pct(o.serverHitsOfScreenHits, o.screenHits)} |`;
});
/** How the target was drawn when an on-screen hit was fired. */
function drawnAs(d: ShotDiagnosis): string {
  if (d.pastNewestMs > EXTRAPOLATE_MS) return "slowing down";
  if (d.pastNewestMs > 0) return "carried on";
  return d.smoothingOffset >= 2 ? "easing back" : "interpolated";
}
const KINDS = ["interpolated", "carried on", "slowing down", "easing back"];
const diagnosisRows = on.filter((r) => r.lossPct > 0 && r.rttMs >= 150).map((r) => {
  const cells = KINDS.map((kind) => {
    const shots = r.screenHitDiagnoses.filter((d) => drawnAs(d) === kind);
    const missed = shots.filter((d) => !d.counted);
    const gap = missed.length === 0 ? "" : `, missed off by ${Math.round(quantile(missed.map((d) => Math.abs(d.drawnMinusRewound)), 0.5))}`;
    return shots.length === 0 ? "–" : `${missed.length}/${shots.length} missed${gap}`;
  });
  return `| ${r.rttMs} | ${r.lossPct} | ${cells.join(" | ")} |`;
});
mkdirSync("test-output", { recursive: true });
writeFileSync("test-output/netcode-shots.json", JSON.stringify(on.map((r) => ({ rttMs: r.rttMs, lossPct: r.lossPct, shots: r.screenHitDiagnoses }))));
const body = `## Netcode under a bad network (\`npm run bench:netcode\`)

${machineLine()}. The browser's own \`GameSession\` (prediction with the SDK reconciler, interpolation,
impairment) runs in Node against an in-process server; jitter is 30 ms in every row, loss is applied
as a retransmission delay on the ordered WebSocket stream. Corrections are measured while the player
runs back and forth for ${MOVE_MS / 1000} s; hits while it shoots every ${SHOT_INTERVAL_MS} ms (leading the target as drawn on its
screen) at a target strafing at full speed 300 units away, for ${SHOOT_MS / 1000} s per row with the rewind on (and ${OFF_SHOOT_MS / 1000} s with it off).
"Server counts" gives the share, the counts and Wilson's 95 % interval.

| RTT ms | loss % | correction mean | correction p99 | corrections > 8 units | interp delay ms | frames frozen or jumping, held → smoothed | server counts on-screen hits, rewind on | hits after the victim was behind cover | rewind off |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

Corrections are in world units (a player is 36 units wide and runs 7.3 units per step). "Frozen or
jumping" counts frames where the target, which always runs, is drawn in place or moves more than a body
width: held at the newest state through stalls (before) and with stall smoothing (after). The target
is behind cover past y ${COVER_Y} (as if a wall's edge were there): the shooter neither fires at it nor
hits it there on its own screen, and "behind cover" counts the server's hits registered while the
target (an unimpaired client, so its screen shows it where the server has it) already was there, with
the longest time it had been. Each shooter's rewind is bounded by its measured round trip +
${MAX_INTERP_DELAY_MS} ms + ${REWIND_MARGIN_MS} ms, and capped at \`MAX_REWIND_MS\` (${MAX_REWIND_MS} ms). A hit counts as
behind cover when the rewound target the server tested was in the open and the target itself already
in cover (a hit in cover then and now would have met the wall in a world that has one, rewind or not).

The rewind cap's trade-off, from the same shots: on-screen hits the server counts when hits judged with
a longer rewind than the cap are taken as misses, and the behind-cover hits that remain.

| rewind cap ms | RTT ms | loss % | on-screen hits counted | hits after the victim was behind cover |
| --- | --- | --- | --- | --- |
${capRows.join("\n")}

Why on-screen hits were missed (lossy rows; the per-shot record is in \`test-output/netcode-shots.json\`): how the
target was drawn when the shot was fired — interpolated between two states, carried on past the newest
state at full speed (≤ ${EXTRAPOLATE_MS} ms), slowing down after that (held, before this change), or easing back after a stall — and for the missed ones the median
distance between where it was drawn and where the server had it at the render time the shot was stamped with
(units; a hit needs the projectile within ${PLAYER_RADIUS + PROJECTILE_RADIUS}).

| RTT ms | loss % | ${KINDS.join(" | ")} |
| --- | --- | --- | --- | --- | --- |
${diagnosisRows.join("\n")}`;
console.log(body);
if (process.env.BENCH_NO_WRITE !== "1") writeSection("netcode", body);
