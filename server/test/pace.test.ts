/**
 * A room's pace counts (pure): what is due follows the clock from each start
 * and stops at the room's end; a process's totals never go back when a room
 * is disposed (they are Prometheus counters).
 */
import { describe, expect, it } from "vitest";
import { PaceBook, RoomPace } from "../src/rooms/arena/pace.ts";

describe("room pace", () => {
  it("counts steps due at the tick rate and patches due at the patch rate from their own starts, until the room ends", () => {
    const pace = new RoomPace(30, 20);
    pace.startPatches(1000);
    pace.startSteps(1010);
    expect(pace.counts(1010)).toMatchObject({ stepsDue: 0, patchesDue: 0 });
    expect(pace.counts(2010)).toMatchObject({ stepsDue: 30, patchesDue: 20 });
    pace.end(2510);
    expect(pace.counts(9000)).toMatchObject({ stepsDue: 45, patchesDue: 30 });
  });

  it("counts steps run, the step timer's firings (by the room clock) and the scheduled steps (Colyseus' tick + 1)", () => {
    const pace = new RoomPace(30, 20);
    // One firing that catches up three steps (ticks 0-2), then one step per firing; tick 5 skipped by the step.
    for (const [clock, tick] of [[100, 0], [100, 1], [100, 2], [133, 3], [167, 4], [233, 6]] as const) pace.stepped(clock, tick);
    expect(pace.counts()).toMatchObject({ steps: 6, stepsScheduled: 7, stepTimerRuns: 4 });
  });

  it("counts patch broadcasts and the frames owed to joined clients", () => {
    const pace = new RoomPace(30, 20);
    pace.patched(3);
    pace.patched(0);
    pace.patched(2);
    expect(pace.counts()).toMatchObject({ patches: 3, deliveries: 5 });
  });

  it("keeps a disposed room's counts in the process totals, frozen at its end", () => {
    const book = new PaceBook();
    const a = book.open(30, 20);
    const b = book.open(30, 20);
    // A whole millisecond: (t0 + 1000) - (t0 - 1000) is then exactly 2000, where a fractional t0 can give
    // 1999.9999999998 and one step due less (it failed so once).
    const t0 = Math.floor(performance.now());
    a.startSteps(t0 - 1000);
    b.startSteps(t0 - 2000);
    a.stepped(1, 0);
    b.stepped(1, 0);
    b.stepped(2, 1);
    const before = book.totals(t0);
    expect(before).toMatchObject({ steps: 3, stepsScheduled: 3, stepsDue: 90 });
    book.close(b);
    book.close(b); // twice: counted once
    const after = book.totals(t0 + 1000);
    expect(after.steps).toBe(3);
    // a: 2 s by now; b: frozen at its close (a little over 2 s).
    expect(after.stepsDue).toBeGreaterThanOrEqual(before.stepsDue + 30);
    expect(after.stepsDue).toBeLessThan(before.stepsDue + 30 + 30);
  });
});
