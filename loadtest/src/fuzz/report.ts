/** The campaign's figures as text: a console summary and the docs/BENCHMARKS.md section. */
import { machineLine } from "@arena/testkit/remote";
import { FRAME_KINDS, KIND_WEIGHTS, type FrameKind } from "./frames.ts";
import { protocolCodeNames, type CampaignReport } from "./campaign.ts";

const KIND_TEXT: Readonly<Record<FrameKind, string>> = {
  random: "random bytes (1–513 B)",
  protocol: "each Colyseus protocol code in turn, random body (and random modifier bits on a quarter)",
  flipped: "a real SDK frame with 1–3 bits flipped",
  truncated: "a real SDK frame cut short",
  wrongType: "`chat`/`typing`/unknown types carrying msgpack values of the wrong type or shape, via the SDK's encoder",
  oversized: "at the 16 KiB frame limit (half) or over it (half)",
};

const n = (x: number): string => x.toLocaleString("en-US");

/** True when the campaign met every bar of issue 9: no crash, no unhandled rejection, the bystander kept ≥ 19 patches/s. */
export function passed(r: CampaignReport, minPatchRate = 19): boolean {
  return r.crashes === 0 && r.uncaughtExceptions === 0 && r.unhandledRejections === 0 && r.unhandledRejectionsMetric === 0
    && r.patchRate >= minPatchRate && r.bystanderLeftWith === undefined && Number.isFinite(r.freshJoinMs);
}

export function formatReport(r: CampaignReport, command: string): string {
  const o = r.options;
  const rows = FRAME_KINDS.map((k) => `| ${k} | ${KIND_TEXT[k]} | ${KIND_WEIGHTS[k]} % | ${n(r.sent[k])} |`);
  const closes = r.closes.map(([code, count]) => `${code} × ${n(count)}`).join(", ");
  const failures = r.joinFailures.length === 0 ? "none" : r.joinFailures.map(([why, count]) => `${why} × ${count}`).join("; ");
  return `## Fuzz campaign (\`${command}\`)

${machineLine()}. One server process (\`npm start\` defaults, a child process), one room: a bystander
(real SDK client, signed in) runs and aims at 30 inputs/s next to a second steady player, while ${o.clients} hostile clients, each signed in as a guest and
seated by the SDK, write frames straight onto their sockets (at most ${n(o.frames)} frames or ${o.maxSeconds} s, seed ${o.seed}).
Each hostile sends under the room's flood limit, so frames are read rather than cut off, and joins again
whenever the server drops it. Valid frames to mutate were recorded from a real SDK client:
${r.recorded.map(([label, count]) => `${label} × ${count}`).join(", ")}. Protocol codes covered: ${protocolCodeNames()}.

| kind | frames | share | sent |
| --- | --- | --- | --- |
${rows.join("\n")}
| **all** | | | **${n(r.framesSent)}** (${(r.bytesSent / 1024 / 1024).toFixed(1)} MB in ${r.seconds.toFixed(1)} s) |

| result | value |
| --- | --- |
| server crashes (exits) | ${r.crashes}${r.crash ? ` (code ${r.crash.code}, signal ${r.crash.signal})` : ""} |
| unhandled rejections (log lines / \`arena_unhandled_rejections_total\`) | ${r.unhandledRejections} / ${r.unhandledRejectionsMetric} |
| uncaught exceptions (process / in a room hook) | ${r.uncaughtExceptions} / ${r.roomExceptions} |
| bystander's patch rate during the run (patch rate 20 Hz${r.resultsSeconds > 0 ? `; ${r.resultsSeconds.toFixed(0)} s of match results left out` : ""}) | ${r.patchRate.toFixed(2)}/s (worst 1 s window: ${r.worstSecondPatchRate.toFixed(0)}/s; just before the run: ${r.baselinePatchRate.toFixed(2)}/s) |
| the room by the server's own counters over the run (\`arena_steps_*\`, \`arena_patches_total\`) | ${n(r.pace.steps)} / ${n(r.pace.stepsScheduled)} / ${n(r.pace.stepsDue)} steps run / scheduled / due, ${n(r.pace.patches)} patch broadcasts in ${n(r.pace.stepTimerRuns)} step timer runs (${(r.pace.patches / Math.max(1, r.pace.stepTimerRuns)).toFixed(2)} per run; patch / tick rate: 0.67), the bystander received ${n(r.pace.bystanderPatchFrames)}; the server's thread waited ${r.pace.cpuWaitSeconds.toFixed(1)} s for a CPU |
| server CPU while the hostile clients ran (100 % = one core) | ${r.serverCpuPercent.toFixed(0)} % (event-loop delay p99: ${r.serverLoopLagP99Ms.toFixed(0)} ms); the fuzzing process: ${r.fuzzerCpuPercent.toFixed(0)} % |
| machine load average (1 min) at the start → end of the run | ${r.loadAverage[0].toFixed(1)} → ${r.loadAverage[1].toFixed(1)} |
| bystander still connected at the end | ${r.bystanderLeftWith === undefined ? "yes" : `no (closed ${r.bystanderLeftWith})`} |
| a new client joins the fuzzed room afterwards | ${Number.isFinite(r.freshJoinMs) ? `${r.freshJoinMs.toFixed(0)} ms to its first state` : "no (the room is gone or refuses joins)"} |
| server memory before → after (RSS from /proc, heap used from /metrics) | RSS ${r.memoryBefore.rssMb} → ${r.memoryAfter.rssMb} MB, heap ${r.memoryBefore.heapUsedMb} → ${r.memoryAfter.heapUsedMb} MB |
| hostile joins | ${n(r.joins)} (refused: ${failures}) |
| hostile connections ended by (close code × count) | ${closes} |
| clients dropped by our validators (\`protocol error\` log lines) | ${n(r.protocolErrors)} |
| frames the server read from all clients (\`arena_messages_in_total\`) | ${n(r.serverFramesIn)} |
| Colyseus' own stderr lines (decode errors it caught, with stacks) | ${n(r.colyseusErrorLines)} |
| server exit on SIGTERM afterwards | ${r.exitCode} |

Verdict: **${passed(r) ? "held" : "FAILED"}**.${r.samples.length > 0 ? `\n\nSample stderr lines:\n\n${r.samples.map((s) => `    ${s}`).join("\n")}` : ""}
`;
}
