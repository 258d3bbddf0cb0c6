/**
 * The arena room: a fixed-step authoritative loop over the shared simulation.
 * Inputs arrive through `defineInput` (bounded buffer, one per player per
 * step); hits are lag-compensated with `allowRewindState`; everything else a
 * client sends is validated, rate-limited, and a violation disconnects only the
 * sender.
 */
import { CloseCode, ErrorCode, Room, ServerError, matchMaker, type AuthContext, type Client } from "@colyseus/core";
import {
  ArenaState, CHAT_BURST, CHAT_WINDOW_S, ClientMessage, CloseCodes, MAX_REWIND_MS, Player, PlayerInput,
  RECONNECT_GRACE_S, ServerMessage, cleanChat, cleanName, createRules, spawnPlayer, stepWorld, wrapAngle,
  type ChatOut, type GameEvent, type NoticeOut, type ResultsOut, type Rules, type TypingOut, type MatchSettings,
  type World, type Seen, type StepHooks, type InputCommand, type Projectile, ARENA_MAP, MOVE_SCALE, PLAYER_SPEED, freeColor, MAX_SPECTATORS, type ArenaRoomMetadata, type MatchPhase,
} from "@arena/shared";
import type { Credit, Leaderboard } from "../leaderboard/Leaderboard.ts";
import { claimCode, releaseCode } from "../matchmaking/roomCodes.ts";
import { internals } from "./internals.ts";
import { creditsForKill, creditsForMatch } from "./scoring.ts";
import { SeatBook } from "./SeatBook.ts";
import { AuthError, verifyGuestToken, type GuestIdentity } from "../auth.ts";
import type { Logger } from "../log.ts";
import { ClientMessages, CreateOptionsSchema, JoinOptionsSchema, describeIssue } from "./messages.ts";
import type { Metrics } from "../metrics.ts";
import { closedForOversizedFrame } from "../frameLimit.ts";
import { RateLimiter } from "./RateLimiter.ts";

/** Settings the process gives every arena room (never taken from client options). */
export interface ArenaSettings {
  readonly tickRate: number;
  readonly patchRate: number;
  readonly maxPlayers: number;
  readonly authSecret: Uint8Array;
  readonly log: Logger;
  /** Process metrics; rooms report steps, joins, reconnections and protocol errors. */
  readonly metrics?: Metrics;
  /** Rewind other players to what the shooter saw (on by default; off only to measure its effect). */
  readonly lagCompensation: boolean;
  /** Match length, kill limit and phase durations; the shared constants by default. */
  readonly match?: Partial<MatchSettings>;
  /** Seconds a dropped player's seat is held; RECONNECT_GRACE_S by default. */
  readonly reconnectGraceSeconds?: number;
  /** Where kills and match wins are credited; none in unit setups. */
  readonly leaderboard?: Leaderboard;
}

interface SessionData {
  chat: RateLimiter;
  typing: boolean;
  /** Set when the server disconnects this client for breaking the protocol. */
  kicked: boolean;
  /** Watching only: no Player, no inputs, no chat. */
  spectator: boolean;
}

export type ArenaClient = Client<{ userData: SessionData; auth: GuestIdentity }>;

/** Inputs buffered per player: ~330 ms at 30 Hz; older ones are dropped if a client floods. */
export const MAX_BUFFERED_INPUTS = 10;
/** Messages per second per client before it is disconnected: 30 inputs, chat, typing and pings. */
export const MAX_MESSAGES_PER_SECOND = 60;

/** Close codes after which a seat is not held for reconnection (protocol errors, floods, oversized or invalid frames). */
const NO_RECONNECT_CODES: ReadonlySet<number> = new Set([CloseCodes.PROTOCOL_ERROR, CloseCode.WITH_ERROR, 1002, 1007, 1009]);

/**
 * The input type the room decodes into. Colyseus buffers a clone of each
 * decoded input; the step only reads four numbers from it, so the clone is a
 * plain object instead of a change-tracked schema instance (the schema clone
 * was ~6 % of the server's CPU under load, most of it allocation).
 */
class BufferedPlayerInput extends PlayerInput {
  override clone(): this {
    const copy: InputCommand = { mx: this.mx, my: this.my, aim: this.aim, fire: this.fire };
    return copy as this;
  }
}

export abstract class ArenaRoom extends Room<{ state: ArenaState; client: ArenaClient; input: PlayerInput; metadata: ArenaRoomMetadata }> {
  protected abstract readonly settings: ArenaSettings;

  override inputs = this.defineInput(BufferedPlayerInput, {
    bufferMaxSize: MAX_BUFFERED_INPUTS,
    sanitize: (i) => {
      i.mx = Math.max(-MOVE_SCALE, Math.min(MOVE_SCALE, i.mx | 0));
      i.my = Math.max(-MOVE_SCALE, Math.min(MOVE_SCALE, i.my | 0));
      i.aim = wrapAngle(i.aim);
      i.fire = i.fire === true;
    },
  });

  private world!: World;
  private rules!: Rules;
  private log!: Logger;
  private seats!: SeatBook;
  /** Session id of the spectator whose seat is being reserved right now (see hasReachedMaxClients). */
  private admittingSpectator: string | undefined;
  private code: string | undefined;
  private lastPhase: MatchPhase = "warmup";
  /** userId and name behind each player session, for leaderboard credits. */
  private readonly identities = new Map<string, GuestIdentity>();

  override async onCreate(options: unknown): Promise<void> {
    const s = this.settings;
    this.log = s.log.child({ room: this.roomId });
    const parsed = CreateOptionsSchema.safeParse(options);
    if (!parsed.success) throw new ServerError(ErrorCode.MATCHMAKE_INVALID_CRITERIA, `invalid options: ${describeIssue(parsed.error)}`);
    if (parsed.data.private) {
      // The code is the roomId: any process resolves it through the shared listing.
      this.code = await claimCode(matchMaker.presence);
      this.roomId = this.code;
      await this.setPrivate(true, false);
      this.log = s.log.child({ room: this.roomId });
    }
    this.rules = createRules(s.tickRate, s.match);
    this.seats = new SeatBook(s.maxPlayers, MAX_SPECTATORS);
    this.maxClients = s.maxPlayers + MAX_SPECTATORS;
    await this.setMetadata({ mode: parsed.data.mode, phase: "warmup", players: 0, spectators: 0, ...(this.code ? { code: this.code } : {}) }, false);
    this.maxMessagesPerSecond = MAX_MESSAGES_PER_SECOND;
    this.patchRate = 1000 / s.patchRate;
    this.state = new ArenaState();
    this.state.tickRate = s.tickRate;
    this.world = { state: this.state, map: ARENA_MAP, rules: this.rules };

    const rewind = this.allowRewindState({ maxRewindMs: MAX_REWIND_MS });
    rewind.attachAll(this.state.players, { fields: ["x", "y"] });

    const events: GameEvent[] = [];
    const lagComp = s.lagCompensation;
    // One rewound view per projectile (its shooter's moment), one reused result: no allocation per test.
    let viewOf: Projectile | undefined;
    let view: ReturnType<typeof rewind.at> | undefined;
    const at = { x: 0, y: 0 };
    const seen: Seen = {
      position: (projectile, target) => {
        if (viewOf !== projectile || view === undefined) {
          view = rewind.at(this.clock.elapsedTime - projectile.rewindMs);
          viewOf = projectile;
        }
        at.x = view.value(target, "x");
        at.y = view.value(target, "y");
        return at;
      },
      // How far anyone can run in the longest rewind, plus the step between two recorded positions.
      reach: PLAYER_SPEED * (MAX_REWIND_MS / 1000 + 1 / s.tickRate),
    };
    // The step's hooks are built once, not per step.
    const hooks: StepHooks = {
      inputOf: (id) => this.inputs.get(id).next(),
      // How far back the shooter saw the others when firing, from the render time stamped on its input.
      rewindMsOf: lagComp
        ? (id) => {
            const renderTime = this.inputs.get(id).renderTime;
            return renderTime > 0 ? Math.min(MAX_REWIND_MS, Math.max(0, this.clock.elapsedTime - renderTime)) : 0;
          }
        : undefined,
      seen: lagComp ? seen : undefined,
    };
    const metrics = s.metrics;
    this.setFixedTimestep(() => {
      const startedAt = performance.now();
      viewOf = undefined;
      stepWorld(this.world, hooks, events);
      if (events.length > 0) {
        this.dispatch(events);
        events.length = 0;
      }
      if (this.state.phase !== this.lastPhase) this.onPhaseChange(this.state.phase as MatchPhase);
      metrics?.observeStep(performance.now() - startedAt);
    }, s.tickRate);

    // Also re-checked each second: a reserved seat that expires changes capacity without any hook.
    this.clock.setInterval(() => void this.syncLock(), 1000);

    this.onMessage(ClientMessage.Chat, (client: ArenaClient, raw: unknown) => this.onChat(client, raw));
    this.onMessage(ClientMessage.Typing, (client: ArenaClient, raw: unknown) => this.onTyping(client, raw));
    this.onMessage("*", (client: ArenaClient, type: string | number) => {
      this.protocolError(client, "unknown_type", `unknown message type ${JSON.stringify(type)}`);
    });
    this.log.info("room created", { tickRate: s.tickRate, patchRate: s.patchRate, maxPlayers: s.maxPlayers, private: this.code !== undefined });
  }

  /**
   * Player seats and spectator seats are capped separately. Colyseus calls this
   * when reserving a seat (before recording it) and again right after (to
   * decide whether to lock the listing); the listing locks only when players
   * are full, so spectators never keep players out.
   */
  override hasReachedMaxClients(): boolean {
    if (super.hasReachedMaxClients()) return true;
    const reserved = internals(this)._reservedSeats;
    const counts = this.seats.count([...this.clients.map((c) => c.sessionId), ...Object.keys(reserved)]);
    const spectator = this.admittingSpectator;
    if (spectator !== undefined && !(spectator in reserved)) return counts.spectators >= this.seats.maxSpectators;
    return counts.players >= this.seats.maxPlayers;
  }

  /** Reserves a watcher's seat (called through matchMaker.remoteRoomCall from any process). */
  async reserveSpectatorSeat(sessionId: string, options: unknown): Promise<boolean> {
    this.seats.markSpectator(sessionId);
    this.admittingSpectator = sessionId;
    let reserving: Promise<boolean>;
    try {
      // Colyseus checks capacity synchronously at the start of the call, while the flag is set.
      reserving = internals(this)._reserveSeat(sessionId, options);
    } finally {
      this.admittingSpectator = undefined;
    }
    const ok = await reserving;
    if (!ok) this.seats.forget(sessionId);
    return ok;
  }

  /** Locks the listing while results show (a match that is ending takes nobody new) and when players are full. */
  private async syncLock(): Promise<void> {
    const want = this.state.phase === "results" || this.hasReachedMaxClients();
    // lock() even when already locked: it marks the lock explicit, so Colyseus' own unlock-on-leave
    // (which runs after onLeave, e.g. when a spectator leaves a player-full room) keeps it locked.
    if (want) await this.lock();
    else if (this.locked) await this.unlock();
  }

  private onPhaseChange(phase: MatchPhase): void {
    this.lastPhase = phase;
    void this.syncLock();
    this.updateListing();
  }

  /** Players, spectators and phase in the listing, for quick play and the lobby. */
  private updateListing(): void {
    const counts = this.seats.count(this.clients.map((c) => c.sessionId));
    const meta = this.metadata;
    const phase = this.state.phase as MatchPhase;
    if (meta.players === counts.players && meta.spectators === counts.spectators && meta.phase === phase) return;
    void this.setMetadata({ ...meta, players: counts.players, spectators: counts.spectators, phase })
      .catch((error: unknown) => this.log.warn("listing update failed", { error }));
  }

  override async onAuth(_client: ArenaClient, _options: unknown, context: AuthContext): Promise<GuestIdentity> {
    try {
      return await verifyGuestToken(this.settings.authSecret, context.token);
    } catch (e) {
      if (e instanceof AuthError) throw new ServerError(ErrorCode.AUTH_FAILED, e.message);
      throw e;
    }
  }

  override onJoin(client: ArenaClient, options: unknown): void {
    const parsed = JoinOptionsSchema.safeParse(options);
    const requested = parsed.success ? cleanName(parsed.data?.name ?? "") : "";
    const auth = client.auth;
    if (auth === undefined) throw new Error("joined without auth");
    const spectator = this.seats.isSpectator(client.sessionId);
    const session: SessionData = { chat: new RateLimiter(CHAT_BURST, CHAT_WINDOW_S * 1000, Date.now()), typing: false, kicked: false, spectator };
    client.userData = session;
    this.updateListing();
    if (spectator) {
      this.log.info("spectator joined", { session: client.sessionId, userId: auth.userId });
      return;
    }
    const player = new Player();
    player.name = requested || cleanName(auth.name) || "Player";
    // The leaderboard shows the name played under, keyed by the token's user id.
    this.identities.set(client.sessionId, { userId: auth.userId, name: player.name });
    player.color = freeColor(this.state);
    this.state.players.set(client.sessionId, player);
    spawnPlayer(this.state, client.sessionId, player, ARENA_MAP, this.rules);
    this.settings.metrics?.joined(client);
    this.log.info("player joined", { session: client.sessionId, userId: auth.userId, name: player.name });
  }

  override onDrop(client: ArenaClient, code?: number): void {
    const player = this.state.players.get(client.sessionId);
    if (player === undefined) return;
    this.setTyping(client, false);
    if (closedForOversizedFrame(client)) {
      this.settings.metrics?.protocolError("too_large");
      return; // a protocol error: no seat is held, onLeave follows
    }
    if (client.userData?.kicked || (code !== undefined && NO_RECONNECT_CODES.has(code))) return; // onLeave follows
    player.connected = false;
    const graceSeconds = this.settings.reconnectGraceSeconds ?? RECONNECT_GRACE_S;
    this.log.info("player dropped, holding seat", { session: client.sessionId, code, graceSeconds });
    this.allowReconnection(client, graceSeconds);
  }

  override onReconnect(client: ArenaClient): void {
    const player = this.state.players.get(client.sessionId);
    if (player !== undefined) player.connected = true;
    this.settings.metrics?.reconnected();
    this.log.info("player reconnected", { session: client.sessionId });
  }

  override onLeave(client: ArenaClient, code?: number): void {
    this.setTyping(client, false);
    this.state.players.delete(client.sessionId);
    this.identities.delete(client.sessionId);
    this.seats.forget(client.sessionId);
    // Runs before Colyseus' own unlock-on-leave; keeps a player-full room locked when only a spectator left.
    void this.syncLock();
    this.updateListing();
    this.log.info(client.userData?.spectator ? "spectator left" : "player left", { session: client.sessionId, code });
  }

  override async onDispose(): Promise<void> {
    if (this.code !== undefined) await releaseCode(matchMaker.presence, this.code).catch(() => undefined);
    this.log.info("room disposed");
  }

  /** The process is stopping (SIGTERM): tell everyone why before the connections close. */
  override onBeforeShutdown(): void {
    this.broadcast(ServerMessage.Notice, { code: "server_shutdown", message: "the server is restarting; please join again" } satisfies NoticeOut);
    this.log.info("shutting down room", { clients: this.clients.length });
    void this.disconnect(CloseCode.SERVER_SHUTDOWN);
  }

  override onUncaughtException(error: Error, methodName: string): void {
    this.log.error("uncaught exception", { method: methodName, error });
  }

  /** Disconnects a client that broke the protocol; nobody else is affected. */
  private protocolError(client: ArenaClient, kind: string, reason: string): void {
    if (client.userData?.kicked) return;
    if (client.userData) client.userData.kicked = true;
    this.settings.metrics?.protocolError(kind);
    this.log.warn("protocol error, disconnecting", { session: client.sessionId, reason });
    client.error(CloseCodes.PROTOCOL_ERROR, reason);
    client.leave(CloseCodes.PROTOCOL_ERROR, reason);
  }

  private notice(client: ArenaClient, notice: NoticeOut): void {
    client.send(ServerMessage.Notice, notice);
  }

  private onChat(client: ArenaClient, raw: unknown): void {
    const parsed = ClientMessages.chat.safeParse(raw);
    if (!parsed.success) return this.protocolError(client, ClientMessage.Chat, `chat: ${describeIssue(parsed.error)}`);
    const player = this.state.players.get(client.sessionId);
    if (player === undefined || client.userData === undefined) return; // spectators watch silently
    const text = cleanChat(parsed.data.text);
    if (text === "") return this.notice(client, { code: "chat_empty", message: "message is empty" });
    if (!client.userData.chat.take(Date.now())) {
      return this.notice(client, { code: "chat_rate_limited", message: `at most ${CHAT_BURST} messages per ${CHAT_WINDOW_S} s` });
    }
    this.setTyping(client, false);
    const out: ChatOut = { from: client.sessionId, name: player.name, text, at: Date.now() };
    this.broadcast(ServerMessage.Chat, out);
  }

  private onTyping(client: ArenaClient, raw: unknown): void {
    const parsed = ClientMessages.typing.safeParse(raw);
    if (!parsed.success) return this.protocolError(client, ClientMessage.Typing, `typing: ${describeIssue(parsed.error)}`);
    this.setTyping(client, parsed.data.typing);
  }

  /** Tells the others when a client starts or stops typing (only on change). */
  private setTyping(client: ArenaClient, typing: boolean): void {
    const data = client.userData;
    if (data === undefined || data.typing === typing) return;
    data.typing = typing;
    const out: TypingOut = { from: client.sessionId, typing };
    this.broadcast(ServerMessage.Typing, out, { except: client });
  }

  /** Writes points to the global leaderboard without holding up the tick; a failed write is logged. */
  private credit(credits: readonly Credit[]): void {
    const lb = this.settings.leaderboard;
    if (lb === undefined || credits.length === 0) return;
    lb.credit(credits).catch((error: unknown) => this.log.warn("leaderboard credit failed", { error }));
  }

  /** Turns simulation events into messages and logs. */
  private dispatch(events: readonly GameEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case "hit":
          // Hit markers and the kill feed ride in the state (`landedShot`, `hp`, `killedBy`, `deaths`): no message per event.
          this.log.debug("hit", { shooter: e.shooter, target: e.target, damage: e.damage, tick: this.state.tick });
          break;
        case "kill":
          this.credit(creditsForKill(this.identities, e.killer, e.victim));
          break;
        case "matchStart":
          this.broadcast(ServerMessage.MatchStart, { tick: e.tick, endsAt: e.endsAt });
          this.log.info("match started", { players: this.state.players.size });
          break;
        case "matchEnd": {
          const out: ResultsOut = { reason: e.reason, winner: e.winner, standings: e.standings, nextAt: this.state.phaseEndsAt };
          this.broadcast(ServerMessage.Results, out);
          this.log.info("match ended", { reason: e.reason, winner: e.winner, players: e.standings.length });
          this.credit(creditsForMatch(this.identities, e.winner));
          break;
        }
        case "shot":
        case "spawn":
          break;
      }
    }
  }
}

/** An arena room class bound to this process's settings. */
export function arenaRoom(settings: ArenaSettings): new () => ArenaRoom {
  return class ConfiguredArenaRoom extends ArenaRoom {
    protected readonly settings = settings;
  };
}
