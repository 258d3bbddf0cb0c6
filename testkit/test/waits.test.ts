/**
 * The waits remove their handlers from the SDK room's signals once: the SDK's `remove` of a handler that is not there
 * removes the last one registered (core/signal.ts), which was how a wait took away a match follower's watchdog handler.
 */
import { describe, expect, it } from "vitest";
import { createSignal } from "@colyseus/sdk/core/signal";
import type { Room } from "@colyseus/sdk";
import { countPatches, listen, waitForState, waitForStateWithinTicks } from "../src/waits.ts";

interface FakeState {
  tick: number;
  phase: string;
}

/** A room with the SDK's own onStateChange signal and a state the test sets. */
function fakeRoom(): { room: Room<any, FakeState>; patch: (s: Partial<FakeState>) => void } {
  const onStateChange = createSignal<(state: FakeState) => void>();
  const state: FakeState = { tick: 0, phase: "warmup" };
  const room = { state, onStateChange } as unknown as Room<any, FakeState>;
  return { room, patch: (s) => onStateChange.invoke(Object.assign(state, s)) };
}

const microtasks = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe("waits on the SDK room's signals", () => {
  it("the SDK's remove of a handler that is not registered takes away another one (why the waits remove once)", async () => {
    const signal = createSignal<() => void>();
    let heard = 0;
    signal(() => (heard += 1));
    signal.remove(() => {});
    signal.invoke();
    expect(heard).toBe(0);
  });

  it("waitForState, satisfied by two patches in one turn, leaves the other handlers registered", async () => {
    const { room, patch } = fakeRoom();
    let followerHeard = 0;
    const waiting = waitForState(room, (s) => s.phase === "playing", 1000);
    // Registered after the wait, as a match follower's watchdog is: the last handler, the one a stray remove takes.
    room.onStateChange(() => (followerHeard += 1));
    patch({ tick: 1, phase: "playing" });
    patch({ tick: 2 });
    await waiting;
    await microtasks();
    patch({ tick: 3 });
    expect(followerHeard).toBe(3);
  });

  it("waitForStateWithinTicks and countPatches leave the other handlers registered too", async () => {
    const { room, patch } = fakeRoom();
    let heard = 0;
    const waiting = waitForStateWithinTicks(room, (s) => s.phase === "playing", 30);
    room.onStateChange(() => (heard += 1));
    patch({ tick: 1, phase: "playing" });
    patch({ tick: 2 });
    await waiting;
    const counting = countPatches(room, 20);
    patch({ tick: 3 });
    expect(await counting).toBe(1);
    await microtasks();
    patch({ tick: 4 });
    expect(heard).toBe(4);
  });

  it("listen's removal acts once", async () => {
    const signal = createSignal<() => void>();
    let other = 0;
    const off = listen(signal, () => {});
    signal(() => (other += 1));
    off();
    off();
    await microtasks();
    signal.invoke();
    expect(other).toBe(1);
  });
});
