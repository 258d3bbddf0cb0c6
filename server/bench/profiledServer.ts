/**
 * The game server under the inspector's CPU profiler, for the join-phases
 * benchmark (Node 20 refuses --cpu-prof in NODE_OPTIONS, and a whole-process
 * profile would be mostly tsx compiling at start). The first SIGUSR2 starts
 * profiling, the second writes the profile to PROFILE_OUT; each step logs a
 * line the benchmark waits on.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

const out = process.env.PROFILE_OUT;
if (!out) throw new Error("PROFILE_OUT is not set");
const session = new Session();
session.connect();
await session.post("Profiler.enable");
let profiling = false;
process.on("SIGUSR2", () => {
  void (async () => {
    if (!profiling) {
      await session.post("Profiler.start");
      profiling = true;
      process.stdout.write('{"msg":"profiling"}\n');
      return;
    }
    const { profile } = await session.post("Profiler.stop");
    profiling = false;
    writeFileSync(out, JSON.stringify(profile));
    process.stdout.write('{"msg":"profile written"}\n');
  })();
});
await import("../src/main.ts");
