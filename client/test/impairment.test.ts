import { describe, expect, it } from "vitest";
import { ImpairedLane, impairConnection, retransmitDelayMs } from "../src/net/impairment.ts";

/** A fake clock and scheduler: run(ms) advances time and fires what is due, in order. */
function fakeTime() {
  let now = 0;
  const queue: Array<{ at: number; fn: () => void; seq: number }> = [];
  let seq = 0;
  return {
    now: () => now,
    schedule: (fn: () => void, ms: number) => void queue.push({ at: now + ms, fn, seq: seq++ }),
    run(ms: number) {
      const end = now + ms;
      for (;;) {
        queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = queue[0];
        if (next === undefined || next.at > end) break;
        queue.shift();
        now = next.at;
        next.fn();
      }
      now = end;
    },
  };
}

describe("network impairment", () => {
  it("delays each direction by half the lag plus jitter, keeping order", () => {
    const t = fakeTime();
    // Draws per message: jitter, then loss (0.99: never lost). Each message after the first draws less
    // jitter than the one before it, so delivering by delay alone would reverse them.
    const draws = [0.99, 0.99, 0.5, 0.99, 0.25, 0.99, 0.0, 0.99];
    const lane = new ImpairedLane({ lagMs: 100, jitterMs: 40, lossPct: 0 }, () => draws.shift()!, t.now, t.schedule);
    const got: Array<[number, number]> = [];
    for (let i = 0; i < 4; i++) lane.push(() => got.push([i, t.now()]));
    expect(draws).toEqual([]);
    t.run(49);
    expect(got).toEqual([]);
    t.run(100);
    expect(got.map(([i]) => i)).toEqual([0, 1, 2, 3]);
    // None arrives before its own delay (50 ms + its jitter) nor before the one ahead of it.
    expect(got[0]![1]).toBeCloseTo(50 + 0.99 * 40);
    for (const [, at] of got) {
      expect(at).toBeGreaterThanOrEqual(got[0]![1]);
      expect(at).toBeLessThanOrEqual(90);
    }
  });

  it("makes a lost message wait for its retransmission and holds back those behind it", () => {
    const t = fakeTime();
    const draws = [0.0, 0.0, 0.5, 0.99]; // jitter draw, loss draw (0 < 5% → lost), then a normal one
    const lane = new ImpairedLane({ lagMs: 100, jitterMs: 0, lossPct: 5 }, () => draws.shift() ?? 0.99, t.now, t.schedule);
    const got: Array<[string, number]> = [];
    lane.push(() => got.push(["lost", t.now()]));
    t.run(10);
    lane.push(() => got.push(["next", t.now()]));
    t.run(1000);
    const rto = retransmitDelayMs({ lagMs: 100, jitterMs: 0, lossPct: 5 });
    expect(got[0]).toEqual(["lost", 50 + rto]);
    expect(got[1]).toEqual(["next", 50 + rto]);
  });

  it("passes straight through when nothing is impaired, and wraps both directions of a connection", () => {
    const t = fakeTime();
    const off = new ImpairedLane({ lagMs: 0, jitterMs: 0, lossPct: 0 }, Math.random, t.now, t.schedule);
    let ran = false;
    off.push(() => (ran = true));
    expect(ran).toBe(true);

    const sent: Uint8Array[] = [];
    const received: unknown[] = [];
    const conn = { send: (d: Uint8Array) => void sent.push(d), events: { onmessage: (e: MessageEvent) => void received.push(e) } };
    const lane = () => new ImpairedLane({ lagMs: 60, jitterMs: 0, lossPct: 0 }, () => 0.5, t.now, t.schedule);
    const [up, down] = [lane(), lane()];
    const undo = impairConnection(conn, up, down);
    impairConnection(conn, up, down); // again, as after a reconnection: not wrapped twice
    conn.send(new Uint8Array([1]));
    conn.events.onmessage({ data: 1 } as MessageEvent);
    expect([sent.length, received.length]).toEqual([0, 0]);
    t.run(29);
    expect([sent.length, received.length]).toEqual([0, 0]);
    t.run(1);
    expect([sent.length, received.length]).toEqual([1, 1]);
    undo();
    conn.send(new Uint8Array([2]));
    expect(sent.length).toBe(2);
  });
});
