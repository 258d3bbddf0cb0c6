/**
 * The netcode glue for one room: the local player is predicted with the SDK's
 * reconciler running the shared `applyMove` (the server's own code), server
 * corrections are replayed by the SDK and smoothed out here; remote players
 * are interpolated in the past with a delay that follows the measured jitter;
 * that same delay is what the server rewinds by when this player shoots.
 */
import { Predict, type Reconciler } from "@colyseus/sdk";
import type { InputHandle, Room } from "@colyseus/sdk";
import {
  ClientMessage, MAX_INTERP_DELAY_MS, PATCH_RATE, PlayerInput, ServerMessage, TICK_RATE, applyMove, createRules, pairInputs,
  type ArenaMap, type ArenaState, type InputCommand, type PingOut, type Player, type Rules,
} from "@arena/shared";
import { ImpairedLane, impairConnection } from "./impairment.ts";
import type { ImpairmentSettings } from "../params.ts";
import { LongTasks, RoundTripFilter } from "./roundTrip.ts";
import { InterpolationBuffer, JitterEstimator, interpolationDelay } from "./interpolation.ts";
import { CARRY_LIMIT_MS, StallSmoother, carriedMs } from "./stallSmoothing.ts";

/** A correction larger than this is a teleport (respawn): shown at once, not glided. */
const TELEPORT_UNITS = 100;
/** Time constant of the visual correction decay, ms. */
const CORRECTION_SMOOTH_MS = 100;
/** Inputs allowed to wait in the server's buffer before this client slows down (each is one step of latency). */
const MAX_QUEUED_INPUTS = 2;
/** How often the round trip is measured with a ping (which the server answers at once, unlike inputs). */
const PING_INTERVAL_MS = 1000;

export type ArenaRoom = Room<any, ArenaState>;

export interface Vec2 {
  x: number;
  y: number;
}

export interface NetStats {
  /** Network round trip (the ping's lowest recent sample). */
  rttMs: number;
  /** Last ping as measured, including the wait for the page's main thread. */
  pageRttMs: number;
  jitterMs: number;
  interpDelayMs: number;
  pendingInputs: number;
  skippedSteps: number;
  lastCorrection: number;
  reconciliations: number;
}

export class GameSession {
  readonly input: InputHandle<PlayerInput>;
  readonly rules: Rules;
  readonly stepMs: number;
  /**
   * Every reconciliation's correction size (world units), for the debug overlay and the netcode harness:
   * how far the predicted position jumped when the server's state was adopted and our inputs replayed.
   */
  readonly corrections: number[] = [];
  /** The largest unexplained jump of the predicted state since the last reconciliation was counted. */
  private jumpSinceReconcile = 0;
  private lastCorrection = 0;
  private readonly predict: Predict<ArenaState>;
  /** The room's map, once known (see useMap): nothing is sent or predicted before, or the prediction would cross its walls. */
  private map: ArenaMap | undefined;
  private me: Reconciler<Player, PlayerInput> | undefined;
  private mePlayer: Player | undefined;
  private lastReconcileSeq = 0;
  private readonly remotes = new Map<string, InterpolationBuffer>();
  private readonly smoothers = new Map<string, StallSmoother>();
  private readonly jitter = new JitterEstimator();
  private delayMs: number;
  private lastPatchServerTime = -1;
  /** The delay the SDK stamps on our inputs (see stampWhatIsShown). */
  private stampedDelayMs: number;
  private patchIntervalMs: number;
  /** The command staged for the next step (the held keys and pointer). */
  private readonly current: InputCommand = { mx: 0, my: 0, aim: 0, fire: false };
  private lastStepAt = 0;
  private readonly offset: Vec2 = { x: 0, y: 0 };
  private readonly lastTrue: Vec2 = { x: NaN, y: NaN };
  private lastFrameAt = 0;
  private readonly pings = new RoundTripFilter();
  private readonly longTasks = new LongTasks();
  private pingDue = false;
  private lastSkipAt = 0;
  /** Steps skipped to drain the server's input queue (time dilation), for the debug overlay. */
  skippedSteps = 0;
  private readonly pingTimer: ReturnType<typeof setInterval>;
  private readonly up: ImpairedLane;
  private readonly down: ImpairedLane;
  /** Undoes input pairing, while the server has us send inputs two to a frame (wire/inputPairs.ts). */
  private unpair: ((held: "flush" | "drop") => void) | undefined;

  /** `map`: the room's map when already known; otherwise given later to {@link useMap}. */
  constructor(readonly room: ArenaRoom, impairment: ImpairmentSettings, map?: ArenaMap) {
    this.map = map;
    this.up = new ImpairedLane(impairment);
    this.down = new ImpairedLane(impairment);
    impairConnection(room.connection as never, this.up, this.down);
    room.onReconnect(() => {
      // An input held for pairing belongs to the old connection's stamps: dropped. The server asks again.
      this.unpair?.("drop");
      this.unpair = undefined;
      // The SDK rebinds its message handler on reconnection: wrap it again.
      impairConnection(room.connection as never, this.up, this.down);
      this.mePlayer = undefined;
    });
    this.input = room.input({ type: PlayerInput });
    const tickRate = this.input.tickRate ?? TICK_RATE;
    this.rules = createRules(tickRate);
    this.stepMs = 1000 / tickRate;
    this.patchIntervalMs = this.input.patchRate ?? 1000 / PATCH_RATE;
    this.delayMs = interpolationDelay(this.patchIntervalMs, 0, MAX_INTERP_DELAY_MS);
    this.stampedDelayMs = this.delayMs;
    this.predict = Predict.get(room, { mode: "lerp", delay: this.delayMs });
    room.onStateChange(() => this.onPatch());
    // The server measures our round trip (it bounds how far back our shots are judged): answer at once.
    room.onMessage(ServerMessage.Ping, (p: PingOut) => room.send(ClientMessage.Pong, { n: p.n }));
    this.ping();
    // Due once a second; sent just after a drawn frame (see frame()), or at once when no frames are drawn.
    this.pingTimer = setInterval(() => {
      if (performance.now() - this.lastFrameAt > PING_INTERVAL_MS / 2) this.ping();
      else this.pingDue = true;
    }, PING_INTERVAL_MS);
  }

  /** Network round trip, ms (see roundTrip.ts; excludes time inputs wait in the server's buffer). */
  get rttMs(): number {
    return this.pings.networkMs;
  }

  /**
   * Inputs this client has sent that the server has not applied yet, beyond
   * those still in flight. The server applies one per step, so a burst (a
   * hitch, a throttled tab) would otherwise become permanent input latency.
   */
  queuedInputs(): number {
    // What the inputs actually take includes this page's waits: the latest sample, not the network's.
    // A paired input may be held back one step, and its pair's second waits a step in the server's buffer.
    const inFlight = (this.pings.latestMs + this.patchIntervalMs) / this.stepMs + (this.unpair !== undefined ? 1 : 0);
    return this.input.pendingCount - inFlight;
  }

  get sessionId(): string {
    return this.room.sessionId;
  }

  /** Interpolation delay for remote players, ms (also the shooter's rewind for lag compensation). */
  get interpolationDelayMs(): number {
    return this.delayMs;
  }

  /** Stages what the player is doing now; sent with the next fixed step. */
  setCommand(cmd: InputCommand): void {
    this.current.mx = cmd.mx;
    this.current.my = cmd.my;
    this.current.aim = cmd.aim;
    this.current.fire = cmd.fire;
  }

  /** The map the room simulates on (maps.ts loads it): prediction runs the server's movement on the same walls. */
  useMap(map: ArenaMap): void {
    this.map = map;
  }

  /** The room's map, once loaded. */
  get arenaMap(): ArenaMap | undefined {
    return this.map;
  }

  /** Runs once per rendered frame: sends the inputs that are due and predicts them. Returns the steps sent. */
  frame(now: number): number {
    const player = this.room.state?.players?.get(this.sessionId);
    if (player === undefined || this.map === undefined) return 0;
    if (player !== this.mePlayer || this.me === undefined) this.bind(player);
    // With INPUT_PAIRS on, the server has us send inputs two to a frame (docs/PROTOCOL.md, "Input pairs").
    if (this.room.state.inputPairs && this.unpair === undefined) this.unpair = pairInputs(this.room.connection, 1.5 * this.stepMs);
    const me = this.me!;
    this.absorbCorrection(me.state);
    let steps = this.predict.tick(now);
    // Time dilation: drop a step now and then while the server holds a backlog of our inputs.
    if (steps > 0 && this.pings.latestMs > 0 && now - this.lastSkipAt > 200 && this.queuedInputs() > MAX_QUEUED_INPUTS) {
      steps -= 1;
      this.skippedSteps += 1;
      this.lastSkipAt = now;
    }
    for (let i = 0; i < steps; i++) {
      const d = this.input.data;
      d.mx = this.current.mx;
      d.my = this.current.my;
      d.aim = this.current.aim;
      d.fire = this.current.fire;
      const expected = this.preview(me.state, this.current);
      this.input.send();
      // The reconciler steps each send at once; anything else that moved the state is a server correction.
      this.lastTrue.x = expected.x;
      this.lastTrue.y = expected.y;
      this.absorbCorrection(me.state);
      this.lastStepAt = now;
    }
    this.trackReconciliations(me);
    this.stampWhatIsShown();
    if (this.pingDue) {
      // Queued behind this frame's drawing, so the reply has the gap before the next frame to come back in.
      this.pingDue = false;
      setTimeout(() => this.ping(), 0);
    }
    const dt = this.lastFrameAt === 0 ? 0 : now - this.lastFrameAt;
    this.lastFrameAt = now;
    const decay = Math.exp(-dt / CORRECTION_SMOOTH_MS);
    this.offset.x *= decay;
    this.offset.y *= decay;
    return steps;
  }

  /**
   * Where to draw the local player: its predicted state, advanced into the
   * current step with the input being held (so a key press shows on the very
   * next frame), plus the decaying correction offset.
   */
  localPosition(now: number, out: Vec2): Vec2 | undefined {
    const me = this.me;
    if (me === undefined) return undefined;
    const alpha = Math.min(1, Math.max(0, (now - this.lastStepAt) / this.stepMs));
    const next = this.preview(me.state, this.current);
    out.x = me.state.x + (next.x - me.state.x) * alpha + this.offset.x;
    out.y = me.state.y + (next.y - me.state.y) * alpha + this.offset.y;
    return out;
  }

  /** Where to draw a remote player: interpolated at (server now − delay), carried through stalls (stallSmoothing.ts). */
  remotePosition(id: string, out: Vec2): Vec2 | undefined {
    const buffer = this.remotes.get(id);
    if (buffer === undefined || buffer.size === 0) return undefined;
    let smoother = this.smoothers.get(id);
    if (smoother === undefined) this.smoothers.set(id, (smoother = new StallSmoother()));
    return smoother.draw(buffer.sample(this.shownTime(buffer.newestTime), out, CARRY_LIMIT_MS), performance.now(), out);
  }

  /** The same, held at the newest state through a stall, unsmoothed (the netcode harness's "before"). */
  remotePositionHeld(id: string, out: Vec2): Vec2 | undefined {
    const buffer = this.remotes.get(id);
    if (buffer === undefined || buffer.size === 0) return undefined;
    return buffer.sample(this.renderTime(), out);
  }

  /**
   * How a remote player is drawn now, for the netcode harness's diagnosis of
   * missed shots: how far the drawn moment is past its newest state (> 0:
   * carried on or held through a stall) and the stall smoothing's offset.
   */
  remoteDrawState(id: string): { pastNewestMs: number; smoothingOffset: number } | undefined {
    const buffer = this.remotes.get(id);
    if (buffer === undefined || buffer.size === 0) return undefined;
    return { pastNewestMs: this.renderTime() - buffer.newestTime, smoothingOffset: this.smoothers.get(id)?.offsetLength ?? 0 };
  }

  /** The render time the SDK stamps on an input sent now (server ms): where the server rewinds a shot to. */
  stampedRenderTime(): number {
    const clock = this.room.clock;
    return clock.serverNow() - clock.smoothedRtt() / 2 - this.stampedDelayMs;
  }

  /** The server moment drawn for a remote player whose newest state is at `newest`: the render time, slowed through a stall. */
  private shownTime(newest: number): number {
    const t = this.renderTime();
    return t > newest ? newest + carriedMs(t - newest) : t;
  }

  /**
   * Server time (ms since room start) at which remote players are drawn: the
   * server's clock now, less the one-way trip the newest state took to get
   * here, less the interpolation delay. The SDK stamps each input with the same
   * quantity, so the server rewinds to exactly this instant when we shoot.
   */
  renderTime(): number {
    const clock = this.room.clock;
    return clock.serverNow() - clock.smoothedRtt() / 2 - this.delayMs;
  }

  /** Server time of a tick, from the last patch's time and tick. */
  tickTime(tick: number): number {
    const state = this.room.state;
    return this.room.clock.lastServerTime() - ((state?.tick ?? tick) - tick) * this.stepMs;
  }

  stats(): NetStats {
    return {
      rttMs: this.pings.networkMs,
      pageRttMs: this.pings.latestMs,
      jitterMs: this.jitter.jitterMs,
      interpDelayMs: this.delayMs,
      pendingInputs: this.input.pendingCount,
      skippedSteps: this.skippedSteps,
      lastCorrection: this.lastCorrection,
      reconciliations: this.corrections.length,
    };
  }

  /**
   * Stops the session before the room is left: timers stop, and delayed state
   * no longer arrives (it would land in a room that is gone). Outgoing messages
   * still flow, so the leave request reaches the server.
   */
  dispose(): void {
    this.unpair?.("flush");
    this.unpair = undefined;
    clearInterval(this.pingTimer);
    this.longTasks.disconnect();
    this.down.close();
  }

  private ping(): void {
    if (!this.room.connection.isOpen) return;
    const sentAt = performance.now();
    this.room.ping((ms) => {
      const handledAt = performance.now();
      this.pings.observe(ms, Math.max(0, ms - this.longTasks.busyBetween(sentAt, handledAt)));
    });
  }

  private bind(player: Player): void {
    const map = this.map!;
    this.mePlayer = player;
    this.me = this.predict.reconciler(player, {
      input: this.input,
      fields: ["x", "y"],
      // The server's own movement code; a dead player does not move there either.
      step: (ctx, s, cmd) => {
        if (player.alive) applyMove(s, cmd.mx, cmd.my, ctx.dt, map);
      },
      snap: TELEPORT_UNITS,
    }) as Reconciler<Player, PlayerInput>;
    this.lastReconcileSeq = this.me.reconcileSeq;
    this.lastTrue.x = NaN;
  }

  /**
   * The render time our inputs carry (the SDK stamps it from the Predict
   * delay) is the moment remote players are drawn at. Through a stall that
   * moment slows down (stallSmoothing.ts): what is on screen is then an
   * earlier moment than the clock says, so the stamp follows it and the server
   * rewinds to what we saw.
   */
  private stampWhatIsShown(): void {
    const t = this.renderTime();
    const newest = this.lastPatchServerTime;
    const stall = newest < 0 || t <= newest ? 0 : t - (newest + carriedMs(t - newest));
    const stamped = Math.round(this.delayMs + stall);
    if (stamped === this.stampedDelayMs) return;
    this.stampedDelayMs = stamped;
    this.predict.setDefaults({ mode: "lerp", delay: stamped });
  }

  /** The state one step ahead with `cmd`, without touching the prediction. */
  private preview(state: Vec2, cmd: InputCommand): Vec2 {
    const p = { x: state.x, y: state.y };
    if (this.mePlayer?.alive && this.map !== undefined) applyMove(p, cmd.mx, cmd.my, this.rules.dt, this.map);
    return p;
  }

  /** Turns an unexplained jump of the predicted state into a visual offset that decays. */
  private absorbCorrection(state: Vec2): void {
    if (!Number.isNaN(this.lastTrue.x)) {
      const dx = this.lastTrue.x - state.x;
      const dy = this.lastTrue.y - state.y;
      const jump = Math.hypot(dx, dy);
      this.jumpSinceReconcile = Math.max(this.jumpSinceReconcile, jump);
      if (jump > TELEPORT_UNITS) {
        this.offset.x = 0;
        this.offset.y = 0;
      } else {
        this.offset.x += dx;
        this.offset.y += dy;
      }
    }
    this.lastTrue.x = state.x;
    this.lastTrue.y = state.y;
  }

  private trackReconciliations(me: Reconciler<Player, PlayerInput>): void {
    if (me.reconcileSeq === this.lastReconcileSeq) return;
    this.lastReconcileSeq = me.reconcileSeq;
    // Measured here: the SDK's own lastCorrectionMag stays 0 unless its debug overlay is loaded.
    this.lastCorrection = this.jumpSinceReconcile;
    this.jumpSinceReconcile = 0;
    this.corrections.push(this.lastCorrection);
    if (this.corrections.length > 10_000) this.corrections.splice(0, 5_000);
  }

  /** Records remote positions at the patch's server time and adapts the interpolation delay. */
  private onPatch(): void {
    const t = this.room.clock.lastServerTime();
    if (t === this.lastPatchServerTime) return;
    if (this.lastPatchServerTime >= 0) this.jitter.observe(performance.now(), t);
    this.lastPatchServerTime = t;
    const players = this.room.state?.players;
    if (players === undefined) return;
    players.forEach((p, id) => {
      if (id === this.sessionId) return;
      let buffer = this.remotes.get(id);
      if (buffer === undefined) this.remotes.set(id, (buffer = new InterpolationBuffer()));
      const last = { x: p.x, y: p.y };
      if (buffer.size > 0 && Math.hypot(buffer.sample(t, last).x - p.x, last.y - p.y) > TELEPORT_UNITS) {
        buffer.clear();
        this.smoothers.delete(id);
      }
      buffer.push(t, p.x, p.y);
    });
    for (const id of this.remotes.keys()) {
      if (players.has(id)) continue;
      this.remotes.delete(id);
      this.smoothers.delete(id);
    }
    // The server allows our rewind this much delay on top of the round trip it measures (roundTrips.ts).
    const delay = interpolationDelay(this.patchIntervalMs, this.jitter.jitterMs, MAX_INTERP_DELAY_MS);
    if (Math.abs(delay - this.delayMs) >= 5) this.delayMs = delay;
  }
}
