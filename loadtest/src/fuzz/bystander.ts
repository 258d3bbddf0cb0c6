/**
 * The bystander: a real SDK client, signed in, playing in the fuzzed room
 * (running and aiming at 30 inputs/s) and noting the time of every state
 * patch it receives, so the campaign can tell whether the hostile clients
 * cost it anything. It does not fire: a match that reaches its kill limit
 * shows results, and while results show the state stands still and the
 * server sends no patches, which would say nothing about the fuzz.
 */
import { Protocol, type Room } from "@colyseus/sdk";
import { tapFrames } from "@arena/testkit/remote";
import { JoinClient } from "@arena/shared/sdk";
import { PlayerInput, ROOM_ARENA, type ArenaState } from "@arena/shared";

const INPUT_HZ = 30;

export class Bystander {
  /** performance.now() of every state change the SDK applied (one per patch). */
  readonly patchTimes: number[] = [];
  /** Patch frames received, counted before the SDK decodes them (the server sends one per broadcast, changes or not). */
  patchFrames = 0;
  /** Close code, once the connection ended (it should not, during a campaign). */
  leftWith: number | undefined;
  /** [from, to) spans (performance.now()) during which the room showed match results. */
  readonly results: Array<[number, number]> = [];
  private readonly timer: NodeJS.Timeout;

  private constructor(readonly room: Room<any, ArenaState>) {
    room.onMessage("*", () => {});
    tapFrames(room, {
      in: (_bytes, code) => {
        if (code === Protocol.ROOM_STATE_PATCH) this.patchFrames++;
      },
    });
    room.onStateChange((state) => {
      const now = performance.now();
      this.patchTimes.push(now);
      const last = this.results.at(-1);
      const showing = last !== undefined && last[1] === Infinity;
      if (state.phase === "results" && !showing) this.results.push([now, Infinity]);
      else if (state.phase !== "results" && showing) last[1] = now;
    });
    room.onLeave((code: number) => {
      this.leftWith = code;
    });
    const input = room.input({ type: PlayerInput });
    let step = 0;
    this.timer = setInterval(() => {
      if (!room.connection.isOpen) return;
      step++;
      // Circles the arena, sweeping its aim.
      input.data.mx = Math.round(127 * Math.cos(step / 20));
      input.data.my = Math.round(127 * Math.sin(step / 20));
      input.data.aim = (step / 10) % (2 * Math.PI);
      input.data.fire = false;
      input.send();
    }, 1000 / INPUT_HZ);
  }

  /** Joins (or creates) an arena room with `token` and resolves once its first state arrived. */
  static async join(url: string, token: string, name: string): Promise<Bystander> {
    const client = new JoinClient(url);
    client.auth.token = token;
    const room = (await client.joinOrCreate(ROOM_ARENA, { name })) as Room<any, ArenaState>;
    const bystander = new Bystander(room);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("bystander: no state within 5 s")), 5000);
      let done = false;
      const check = (): void => {
        if (done || room.state?.players?.get(room.sessionId) === undefined) return;
        done = true; // the removal below runs once: the SDK's remove() of an absent handler drops another one
        clearTimeout(timer);
        queueMicrotask(() => room.onStateChange.remove(check));
        resolve();
      };
      room.onStateChange(check);
    });
    return bystander;
  }

  /** Resolves once `n` more patches have arrived. */
  patches(n: number, timeoutMs = 30_000): Promise<void> {
    const target = this.patchTimes.length + n;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bystander: fewer than ${n} patches in ${timeoutMs} ms (closed: ${this.leftWith ?? "no"})`)), timeoutMs);
      let done = false;
      const check = (): void => {
        if (done || this.patchTimes.length < target) return;
        done = true;
        clearTimeout(timer);
        queueMicrotask(() => this.room.onStateChange.remove(check));
        resolve();
      };
      this.room.onStateChange(check);
    });
  }

  /** Resolves once the room's match is in play (the warm-up is over). */
  async inPlay(timeoutMs = 30_000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.room.state.phase !== "playing") {
      if (performance.now() > until) throw new Error(`bystander: match not in play after ${timeoutMs} ms`);
      await this.patches(1, timeoutMs);
    }
  }

  /** Milliseconds between two instants during which results showed (no patches are due then). */
  resultsMs(from: number, to: number): number {
    let ms = 0;
    for (const [a, b] of this.results) ms += Math.max(0, Math.min(b, to) - Math.max(a, from));
    return ms;
  }

  /** Patches per second received between two instants (performance.now()), results time left out. */
  patchRate(from: number, to: number): number {
    return this.patchesBetween(from, to) / ((to - from - this.resultsMs(from, to)) / 1000);
  }

  /** The lowest patch rate over any `windowMs` window that starts at a patch between `from` and `to - windowMs`. */
  worstWindowRate(from: number, to: number, windowMs: number): number {
    let worst = Infinity;
    for (const t of this.patchTimes) {
      if (t < from || t + windowMs > to || this.resultsMs(t, t + windowMs) > 0) continue;
      worst = Math.min(worst, this.patchesBetween(t, t + windowMs) / (windowMs / 1000));
    }
    return worst === Infinity ? this.patchRate(from, to) : worst;
  }

  private patchesBetween(from: number, to: number): number {
    let n = 0;
    for (const t of this.patchTimes) if (t >= from && t < to && this.resultsMs(t, t + 1e-3) === 0) n++;
    return n;
  }

  async leave(): Promise<void> {
    clearInterval(this.timer);
    if (this.room.connection.isOpen) await this.room.leave(true);
  }
}
