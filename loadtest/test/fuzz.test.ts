/**
 * The short fuzz campaign (`npm run fuzz` runs the long one): a few thousand
 * hostile frames from 8 clients on real seats against a real server process,
 * while a bystander plays. Fails if the server exits, logs an unhandled
 * rejection, or, by the server's own counters over the run, the fuzzed room
 * skipped a step, dropped steps due beyond the time its thread waited for a
 * CPU, let its patch timer fall behind its step timer, or the bystander missed
 * a patch the room broadcast. (The 19/s bar of the issue is the full
 * campaign's, by the wall clock on a machine doing nothing else; in `npm test`
 * other test files run beside this one on the same cores.)
 */
import { describe, expect, it } from "vitest";
import { PATCH_RATE, TICK_RATE } from "@arena/shared";
import { runCampaign, type CampaignReport } from "../src/fuzz/campaign.ts";
import { FRAME_KINDS } from "../src/fuzz/frames.ts";

const FRAMES = 2000;
/**
 * Patch broadcasts per firing of the step timer, as a share of patch rate / tick rate: neither timer catches up
 * after a late firing, so on a busy event loop both fall behind their due counts alike; a patch timer at half
 * its rate, or broadcasts skipped, give 0.5.
 */
const MIN_PATCHES_PER_STEP_RUN = 0.9;

describe("fuzz campaign (short)", () => {
  it(`${FRAMES.toLocaleString("en")} hostile frames of every kind from 8 clients: no crash, no unhandled rejection, the room runs every step and patch and the bystander gets them all`, async () => {
    const report: CampaignReport = await runCampaign({ frames: FRAMES, clients: 8, seed: Date.now() % 2 ** 31, maxSeconds: 90 });
    const context = JSON.stringify({ seed: report.options.seed, crash: report.crash, bystanderLeftWith: report.bystanderLeftWith, samples: report.samples });
    expect(report.framesSent, context).toBe(FRAMES);
    for (const kind of FRAME_KINDS) expect(report.sent[kind], kind).toBeGreaterThan(0);
    expect(report.crashes, context).toBe(0);
    expect(report.uncaughtExceptions, context).toBe(0);
    expect(report.unhandledRejections, context).toBe(0);
    expect(report.unhandledRejectionsMetric, context).toBe(0);
    expect(report.roomExceptions, context).toBe(0);
    expect(report.bystanderLeftWith).toBeUndefined();
    expect(report.freshJoinMs).toBeLessThan(5000);

    const p = report.pace;
    const pace = `${p.steps}/${p.stepsScheduled}/${p.stepsDue} steps run/scheduled/due in ${p.stepTimerRuns} step timer runs, ${p.patches}/${p.patchesDue} patches run/due, ` +
      `bystander got ${p.bystanderPatchFrames}, the server's thread waited ${Math.round(p.cpuWaitSeconds * 1000)} ms for a CPU in ${p.seconds.toFixed(1)} s (seed ${report.options.seed})`;
    expect(p.stepsDue, pace).toBeGreaterThan(TICK_RATE * 2);
    // Every step the fixed timestep called for ran.
    expect(p.steps, pace).toBe(p.stepsScheduled);
    // It drops steps due only after a stall longer than five steps; time the thread waited for a CPU is forgiven,
    // the server's own stalls (a frame that takes long to refuse) are not. Two for the window's edges.
    expect(p.stepsDue - p.stepsScheduled, pace).toBeLessThanOrEqual(2 + Math.floor(p.cpuWaitSeconds * TICK_RATE));
    expect(p.patches, pace).toBeGreaterThanOrEqual(Math.floor(p.stepTimerRuns * (PATCH_RATE / TICK_RATE) * MIN_PATCHES_PER_STEP_RUN));
    // Counted from before the first scrape to after the last, with the hostile clients gone: one frame per
    // broadcast, less one that may still be in flight.
    expect(p.bystanderPatchFrames, pace).toBeGreaterThanOrEqual(p.patches - 1);
    expect(report.exitCode).toBe(0);
  }, 180_000);
});
