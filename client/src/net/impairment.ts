/**
 * A simulated bad network, applied to both directions of one connection:
 * `lag` adds round-trip time (half each way), `jitter` a random extra delay,
 * and `loss` the cost of a lost packet on a reliable, ordered channel (TCP,
 * WebSocket): the message is retransmitted after a timeout and everything
 * behind it waits. Order is always kept, as the real transport keeps it.
 * Runs in the browser and in Node (the netcode harness uses the same code).
 */
import type { ImpairmentSettings } from "../params.ts";

/** Time a lost packet costs before its retransmission arrives: about one RTO. */
export function retransmitDelayMs(s: ImpairmentSettings): number {
  return Math.max(200, s.lagMs * 1.5);
}

export type Scheduler = (fn: () => void, ms: number) => void;

/**
 * One direction of an impaired link: delivers callbacks in order, late. One
 * timer serves the queue's head, so order never depends on timer rounding.
 */
export class ImpairedLane {
  private lastDeliverAt = 0;
  private readonly queue: Array<{ at: number; fn: () => void }> = [];
  private armed = false;
  private closed = false;

  constructor(
    private readonly settings: ImpairmentSettings,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = () => performance.now(),
    private readonly schedule: Scheduler = (fn, ms) => void setTimeout(fn, ms),
  ) {}

  get active(): boolean {
    const s = this.settings;
    return s.lagMs > 0 || s.jitterMs > 0 || s.lossPct > 0;
  }

  /** Delivers `fn` after this lane's delay; never before a message pushed earlier. */
  push(fn: () => void): void {
    if (this.closed) return;
    if (!this.active) return fn();
    const s = this.settings;
    const now = this.now();
    let delay = s.lagMs / 2 + this.random() * s.jitterMs;
    if (this.random() * 100 < s.lossPct) delay += retransmitDelayMs(s);
    const at = Math.max(now + delay, this.lastDeliverAt);
    this.lastDeliverAt = at;
    this.queue.push({ at, fn });
    this.arm();
  }

  /** Drops what is queued and everything pushed later (the room is being left). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private arm(): void {
    const head = this.queue[0];
    if (this.armed || head === undefined) return;
    this.armed = true;
    this.schedule(() => this.flush(), Math.max(0, head.at - this.now()));
  }

  private flush(): void {
    this.armed = false;
    const now = this.now();
    // Timers may fire a little early or late: deliver everything due, in order.
    while (!this.closed && this.queue.length > 0 && this.queue[0]!.at <= now + 1) this.queue.shift()!.fn();
    this.arm();
  }
}

/** The parts of an SDK connection the impairment hooks into. */
export interface ConnectionLike {
  send(data: Uint8Array): void;
  sendUnreliable?(data: Uint8Array): void;
  events: { onmessage?: ((event: MessageEvent) => void) | null };
}

const WRAPPED = Symbol("impaired");
type Wrapped<F> = F & { [WRAPPED]?: true };

function mark<F extends object>(fn: F): Wrapped<F> {
  return Object.assign(fn, { [WRAPPED]: true as const });
}

/**
 * Wraps a connection's outgoing sends and incoming messages. Safe to call
 * again after the SDK reconnects (it rebinds its message handler): what is
 * already wrapped is left alone. Returns an undo function.
 */
export function impairConnection(connection: ConnectionLike, up: ImpairedLane, down: ImpairedLane): () => void {
  if (!up.active && !down.active) return () => {};
  const send = connection.send as Wrapped<ConnectionLike["send"]>;
  const sendUnreliable = connection.sendUnreliable as Wrapped<NonNullable<ConnectionLike["sendUnreliable"]>> | undefined;
  const onmessage = connection.events.onmessage as Wrapped<(event: MessageEvent) => void> | null | undefined;
  if (!send[WRAPPED]) {
    const original = send.bind(connection);
    connection.send = mark((data: Uint8Array) => {
      const copy = data.slice();
      up.push(() => original(copy));
    });
  }
  if (sendUnreliable && !sendUnreliable[WRAPPED]) {
    const original = sendUnreliable.bind(connection);
    connection.sendUnreliable = mark((data: Uint8Array) => {
      const copy = data.slice();
      up.push(() => original(copy));
    });
  }
  if (onmessage && !onmessage[WRAPPED]) {
    connection.events.onmessage = mark((event: MessageEvent) => down.push(() => onmessage(event)));
  }
  return () => {
    connection.send = send;
    if (sendUnreliable) connection.sendUnreliable = sendUnreliable;
    if (onmessage) connection.events.onmessage = onmessage;
  };
}
