import { describe, expect, it } from "vitest";
import { RoundTripFilter } from "../src/net/roundTrip.ts";

describe("RoundTripFilter", () => {
  it("reports the lowest recent ping as the network round trip: waits for the page's frames only add", () => {
    const f = new RoundTripFilter(4);
    expect(f.networkMs).toBe(0);
    for (const ms of [88, 3, 150, 70]) f.observe(ms);
    expect(f.networkMs).toBe(3);
    expect(f.latestMs).toBe(70);
  });

  it("forgets samples older than its window, so a route that got slower shows", () => {
    const f = new RoundTripFilter(3);
    for (const ms of [2, 90, 95, 91]) f.observe(ms);
    expect(f.networkMs).toBe(90);
  });

  it("takes the main thread's known busy time off a sample, but shows the raw one as the latest", () => {
    const f = new RoundTripFilter(4);
    f.observe(240, 2);
    expect(f.networkMs).toBe(2);
    expect(f.latestMs).toBe(240);
  });
});
