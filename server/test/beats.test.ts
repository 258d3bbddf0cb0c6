/**
 * Shared beats (rooms/beats.ts): every member runs at each beat, in the order they joined, in one timer callback;
 * the timer stops with its last member; one member's exception does not keep the others from running.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Beat, beatOf } from "../src/rooms/beats.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("a shared beat", () => {
  it("runs every member once per period, in the order they joined, in one timer callback", () => {
    vi.useFakeTimers();
    const beat = new Beat(1000 / 30);
    const ran: string[] = [];
    beat.join(() => ran.push("a"));
    beat.join(() => ran.push("b"));
    beat.join(() => ran.push("c"));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(34);
    expect(ran).toEqual(["a", "b", "c"]);
    vi.advanceTimersByTime(33);
    expect(ran).toEqual(["a", "b", "c", "a", "b", "c"]);
  });

  it("stops running a member that left, and stops its timer with the last one", () => {
    vi.useFakeTimers();
    const beat = new Beat(50);
    const ran: string[] = [];
    const leaveA = beat.join(() => ran.push("a"));
    const leaveB = beat.join(() => ran.push("b"));
    vi.advanceTimersByTime(50);
    leaveA();
    leaveA(); // twice: nothing more
    vi.advanceTimersByTime(50);
    expect(ran).toEqual(["a", "b", "b"]);
    expect(beat.running).toBe(true);
    leaveB();
    expect(beat.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    // A member joining an idle beat starts it again.
    beat.join(() => ran.push("c"));
    vi.advanceTimersByTime(50);
    expect(ran).toEqual(["a", "b", "b", "c"]);
  });

  it("does not run a member that an earlier one removed during the same beat", () => {
    vi.useFakeTimers();
    const beat = new Beat(50);
    const ran: string[] = [];
    let leaveB = (): void => undefined;
    beat.join(() => {
      ran.push("a");
      leaveB();
    });
    leaveB = beat.join(() => ran.push("b"));
    vi.advanceTimersByTime(50);
    expect(ran).toEqual(["a"]);
  });

  it("runs the members after one that throws, then reports what it threw", () => {
    vi.useFakeTimers();
    const reported: unknown[] = [];
    const beat = new Beat(50, (error) => reported.push(error));
    const ran: string[] = [];
    beat.join(() => {
      throw new Error("room a broke");
    });
    beat.join(() => {
      ran.push("b");
      expect(reported).toEqual([]); // not before the others have run
    });
    vi.advanceTimersByTime(50);
    expect(ran).toEqual(["b"]);
    expect(reported).toMatchObject([{ message: "room a broke" }]);
  });

  it("is one per period in the process", () => {
    expect(beatOf(1000 / 30)).toBe(beatOf(1000 / 30));
    expect(beatOf(50)).not.toBe(beatOf(1000 / 30));
    expect(() => beatOf(0)).toThrow(/positive/);
  });
});
