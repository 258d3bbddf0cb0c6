/**
 * `npm run bench:netcode`: the headless netcode harness. For RTT 0/50/150/250 ms
 * with 30 ms jitter and 0/2/5 % loss, runs the browser's GameSession in Node
 * against a real server, once with lag compensation and once without, and
 * reports prediction corrections, the interpolation delay, and the share of
 * on-screen hits the server counts. Writes docs/BENCHMARKS.md. Bounded: about
 * 20 s per profile and mode (NETCODE_MOVE_MS + NETCODE_SHOOT_MS), 127.0.0.1 only.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { machineLine, quantile, writeSection } from "@arena/testkit/remote";
import { MAX_INTERP_DELAY_MS, MAX_REWIND_MS, REWIND_MARGIN_MS } from "@arena/shared";
import type { Profile, ProfileResult } from "./netcode-run.ts";
import { COVER_Y } from "./cover.ts";

/** Steady running per row for corrections, ms. */
const MOVE_MS = Number(process.env.NETCODE_MOVE_MS ?? 3000);
/** Shooting per row (a shot every 300 ms), ms, with the rewind on and again off; longer gives steadier percentages. */
const SHOOT_MS = Number(process.env.NETCODE_SHOOT_MS ?? 15000);

const RTTS = (process.env.NETCODE_RTTS ?? "0,50,150,250").split(",").map(Number);
const LOSSES = (process.env.NETCODE_LOSSES ?? "0,2,5").split(",").map(Number);
const profiles: Profile[] = RTTS.flatMap((rttMs) => LOSSES.map((lossPct) => ({ rttMs, jitterMs: 30, lossPct })));
const runner = fileURLToPath(new URL("./netcode-run.ts", import.meta.url));

function run(mode: "on" | "off"): ProfileResult[] {
  console.error(`lag compensation ${mode}: ${profiles.length} profiles…`);
  const out = spawnSync(process.execPath, ["--import", "tsx", runner, mode, JSON.stringify(profiles)], {
    encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 40 * 60_000,
    env: { ...process.env, NETCODE_MOVE_MS: String(MOVE_MS), NETCODE_SHOOT_MS: String(SHOOT_MS) },
  });
  const line = out.stdout.trim().split("\n").pop() ?? "";
  return (JSON.parse(line) as { results: ProfileResult[] }).results;
}

const on = run("on");
const off = run("off");
const pct = (a: number, b: number): string => (b === 0 ? "–" : `${Math.round((a / b) * 100)} % (${a}/${b})`);
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
  const o = off[i]!;
  const c = r.corrections;
  const mean = c.length ? c.reduce((a, b) => a + b, 0) / c.length : 0;
  const share = (a: number, b: number): string => (b === 0 ? "–" : `${((a / b) * 100).toFixed(1)} %`);
  const cover = behindCover(r, MAX_REWIND_MS);
  return `| ${r.rttMs} | ${r.lossPct} | ${mean.toFixed(2)} | ${quantile(c, 0.99).toFixed(2)} | ${c.filter((x) => x > 8).length} / ${c.length} | ${Math.round(r.interpDelayMs)} | ${share(r.badFramesHeld, r.frames)} → ${share(r.badFramesSmoothed, r.frames)} | ${pct(r.serverHitsOfScreenHits, r.screenHits)} | ${cover} | ${pct(o.serverHitsOfScreenHits, o.screenHits)} |`;
});
const body = `## Netcode under a bad network (\`npm run bench:netcode\`)

${machineLine()}. The browser's own \`GameSession\` (prediction with the SDK reconciler, interpolation,
impairment) runs in Node against an in-process server; jitter is 30 ms in every row, loss is applied
as a retransmission delay on the ordered WebSocket stream. Corrections are measured while the player
runs back and forth for ${MOVE_MS / 1000} s; hits while it shoots every 300 ms (leading the target as drawn on its
screen) at a target strafing at full speed 300 units away, for ${SHOOT_MS / 1000} s per row, with the rewind on and again with it off.

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
${capRows.join("\n")}`;
console.log(body);
if (process.env.BENCH_NO_WRITE !== "1") writeSection("netcode", body);
