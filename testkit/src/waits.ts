/** Waiting on events with a deadline: state patches, messages, leaves, and arrivals of anything else. */
import type { Room } from "@colyseus/sdk";

/** One of the SDK room's signals (`onStateChange`, `onLeave`…): register a handler, remove it. */
export interface RoomSignal<F> {
  (cb: F): unknown;
  remove(cb: F): void;
}

/**
 * Registers `cb` on `signal` and returns its removal, which acts once, after the signal's current invocation. The
 * SDK's `remove` of a handler that is not registered removes another one (its core/signal.ts pops the last handler),
 * so a wait that saw two patches in one turn and removed itself twice took away the handler registered last: a match
 * follower's silence watchdog (which then moved a player for nothing) or another wait (which then never resolved).
 */
export function listen<F>(signal: RoomSignal<F>, cb: F): () => void {
  signal(cb);
  let on = true;
  return () => {
    if (!on) return;
    on = false;
    // Deferred: the SDK's signal must not be changed while it is being invoked.
    queueMicrotask(() => signal.remove(cb));
  };
}

/** Resolves when `predicate` holds on the room's state, checked on every patch. */
export function waitForState<S>(room: Room<any, S>, predicate: (state: S) => boolean, timeoutMs = 5000, what = "state condition"): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      try {
        return room.state !== undefined && predicate(room.state);
      } catch {
        return false;
      }
    };
    if (check()) return resolve();
    const onChange = (): void => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const off = listen(room.onStateChange, onChange);
  });
}

/**
 * Resolves when `predicate` holds on the room's state, within `ticks` of the room's own steps (its `tick`) from the
 * first patch seen: the room's time, not the wall clock's, so a starved process that steps slowly does not fail it,
 * and a room that steps on without the condition does. It also fails after `silentMs` without a patch (the room
 * stopped).
 */
export function waitForStateWithinTicks<S extends { tick: number }>(
  room: Room<any, S>,
  predicate: (state: S) => boolean,
  ticks: number,
  what = "state condition",
  silentMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let firstTick: number | undefined;
    let heardAt = Date.now();
    const finish = (error?: Error): void => {
      clearInterval(silence);
      off();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onChange = (): void => {
      const state = room.state;
      if (state === undefined) return;
      heardAt = Date.now();
      if (predicate(state)) return finish();
      firstTick ??= state.tick;
      if (state.tick - firstTick > ticks) finish(new Error(`the room stepped ${state.tick - firstTick} ticks (bound ${ticks}) without ${what}`));
    };
    const silence = setInterval(() => {
      if (Date.now() - heardAt > silentMs) finish(new Error(`no patch for ${silentMs} ms while waiting for ${what} (tick ${room.state?.tick})`));
    }, 100);
    const off = listen(room.onStateChange, onChange);
    onChange();
  });
}

/** Resolves once `room` has received `n` more patches with its tick moving on (the room still steps). */
export function roomKeepsStepping<S extends { tick: number }>(room: Room<any, S>, n = 5, timeoutMs = 5000): Promise<void> {
  let patches = 0;
  let lastTick = room.state.tick;
  return waitForState(room, (s) => {
    if (s.tick > lastTick) patches++;
    lastTick = s.tick;
    return patches >= n;
  }, timeoutMs, `${n} patches with the tick advancing`);
}

/** Resolves with the next message of `type` that passes `filter`, or rejects after `timeoutMs`. */
export function waitForMessage<T = unknown>(room: Room, type: string, timeoutMs = 5000, filter: (m: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for message "${type}"`));
    }, timeoutMs);
    const off = room.onMessage(type, (m: T) => {
      if (!filter(m)) return;
      clearTimeout(timer);
      off();
      resolve(m);
    });
  });
}

/** Resolves with the close code when the room connection ends. */
export function waitForLeave(room: Room, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for leave`)), timeoutMs);
    const onLeave = (code: number): void => {
      clearTimeout(timer);
      off();
      resolve(code);
    };
    const off = listen(room.onLeave, onLeave);
  });
}

/** Counts state patches received over `ms` milliseconds (a timed measurement, not a wait). */
export async function countPatches(room: Room, ms: number): Promise<number> {
  let n = 0;
  const onChange = (): void => {
    n++;
  };
  const off = listen(room.onStateChange, onChange);
  await new Promise((r) => setTimeout(r, ms));
  off();
  return n;
}

/** Predicates waiting for something to arrive: `poke()` after each arrival re-checks them. */
export class Arrivals {
  private waiters: Array<() => void> = [];

  constructor(private readonly source: string) {}

  poke(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `predicate` holds (now or after some arrival); rejects after `timeoutMs`. */
  until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.source}: timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
}
