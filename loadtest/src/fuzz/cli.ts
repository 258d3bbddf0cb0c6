/**
 * `npm run fuzz`: the issue-9 fuzz campaign (see campaign.ts). Prints its
 * figures and writes the "fuzz" section of docs/BENCHMARKS.md; exits 1 if the
 * server crashed, logged an unhandled rejection or starved the bystander.
 */
import { parseArgs } from "node:util";
import { writeSection } from "@arena/testkit/remote";
import { runCampaign } from "./campaign.ts";
import { formatReport, passed } from "./report.ts";

const { values } = parseArgs({
  options: {
    frames: { type: "string", default: "100000" },
    clients: { type: "string", default: "13" },
    seed: { type: "string", default: "9" },
    seconds: { type: "string", default: "600" },
    "no-write": { type: "boolean", default: false },
  },
});
const bounded = (raw: string | undefined, min: number, max: number, fallback: number): number => {
  const v = Number(raw);
  return Number.isFinite(v) ? Math.min(max, Math.max(min, Math.floor(v))) : fallback;
};
const options = {
  frames: bounded(values.frames, 1, 1_000_000, 100_000),
  // The room seats 16 players: the hostile clients, the bystander and its companion, one seat of slack.
  clients: bounded(values.clients, 1, 13, 13),
  seed: bounded(values.seed, 0, 2 ** 31, 9),
  maxSeconds: bounded(values.seconds, 5, 1800, 600),
  progress: (line: string) => process.stderr.write(line + "\n"),
};
// Ctrl-C or a kill: exit, which stops the server (see serverProcess.ts).
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
const report = await runCampaign(options);
const text = formatReport(report, "npm run fuzz");
process.stdout.write(text + "\n");
if (!values["no-write"]) writeSection("fuzz", text);
process.exit(passed(report) ? 0 : 1);
