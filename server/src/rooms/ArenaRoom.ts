/**
 * The arena room: a fixed-step authoritative loop over the shared simulation.
 * Inputs arrive through `defineInput` (bounded buffer, one per player per
 * step); hits are lag-compensated with `allowRewindState`; everything else a
 * client sends is validated, rate-limited, and a violation disconnects only the
 * sender.
 */
import { CloseCode, ErrorCode, Room, ServerError, type AuthContext, type Client } from "@colyseus/core";
import {
  ArenaState, CHAT_BURST, CHAT_WINDOW_S, ClientMessage, CloseCodes, MAX_REWIND_MS, Player, PlayerInput,
  RECONNECT_GRACE_S, ServerMessage, cleanChat, cleanName, createRules, spawnPlayer, stepWorld, wrapAngle,
  type ChatOut, type GameEvent, type KillOut, type NoticeOut, type ResultsOut, type Rules, type TypingOut, type MatchSettings,
  type World, ARENA_MAP, MOVE_SCALE,
} from "@arena/shared";
import { AuthError, verifyGuestToken, type GuestIdentity } from "../auth.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { closedForOversizedFrame } from "../frameLimit.ts";
import { ClientMessages, JoinOptionsSchema, describeIssue } from "./messages.ts";
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
}

interface SessionData {
  chat: RateLimiter;
  typing: boolean;
  /** Set when the server disconnects this client for breaking the protocol. */
  kicked: boolean;
}

export type ArenaClient = Client<{ userData: SessionData; auth: GuestIdentity }>;

/** Inputs buffered per player: ~330 ms at 30 Hz; older ones are dropped if a client floods. */
export const MAX_BUFFERED_INPUTS = 10;
/** Messages per second per client before it is disconnected: 30 inputs, chat, typing and pings. */
export const MAX_MESSAGES_PER_SECOND = 60;

/** Close codes after which a seat is not held for reconnection. */
const NO_RECONNECT_CODES: ReadonlySet<number> = new Set([CloseCodes.PROTOCOL_ERROR, CloseCode.WITH_ERROR]);

export abstract class ArenaRoom extends Room<{ state: ArenaState; client: ArenaClient; input: PlayerInput }> {
  protected abstract readonly settings: ArenaSettings;

  override inputs = this.defineInput(PlayerInput, {
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
  private nextColor = 0;

  override onCreate(): void {
    const s = this.settings;
    this.log = s.log.child({ room: this.roomId });
    this.rules = createRules(s.tickRate, s.match);
    this.maxClients = s.maxPlayers;
    this.maxMessagesPerSecond = MAX_MESSAGES_PER_SECOND;
    this.patchRate = 1000 / s.patchRate;
    this.state = new ArenaState();
    this.state.tickRate = s.tickRate;
    this.world = { state: this.state, map: ARENA_MAP, rules: this.rules };

    const rewind = this.allowRewindState({ maxRewindMs: MAX_REWIND_MS });
    rewind.attachAll(this.state.players, { fields: ["x", "y"] });

    const events: GameEvent[] = [];
    const lagComp = s.lagCompensation;
    const metrics = s.metrics;
    this.setFixedTimestep(() => {
      const startedAt = performance.now();
      const now = this.clock.elapsedTime;
      stepWorld(this.world, {
        inputOf: (id) => this.inputs.get(id).next(),
        rewindMsOf: (id) => {
          if (!lagComp) return 0;
          const renderTime = this.inputs.get(id).renderTime;
          return renderTime > 0 ? Math.min(MAX_REWIND_MS, Math.max(0, now - renderTime)) : 0;
        },
        seen: lagComp
          ? (projectile, target) => {
              const view = rewind.at(now - projectile.rewindMs);
              return { x: view.value(target, "x"), y: view.value(target, "y") };
            }
          : undefined,
      }, events);
      if (events.length > 0) {
        this.dispatch(events);
        events.length = 0;
      }
      metrics?.observeStep(performance.now() - startedAt);
    }, s.tickRate);

    this.onMessage(ClientMessage.Chat, (client: ArenaClient, raw: unknown) => this.onChat(client, raw));
    this.onMessage(ClientMessage.Typing, (client: ArenaClient, raw: unknown) => this.onTyping(client, raw));
    this.onMessage("*", (client: ArenaClient, type: string | number) => {
      this.protocolError(client, "unknown_type", `unknown message type ${JSON.stringify(type)}`);
    });
    this.log.info("room created", { tickRate: s.tickRate, patchRate: s.patchRate, maxPlayers: s.maxPlayers });
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
    client.userData = { chat: new RateLimiter(CHAT_BURST, CHAT_WINDOW_S * 1000, Date.now()), typing: false, kicked: false };
    const player = new Player();
    player.name = requested || cleanName(auth.name) || "Player";
    player.color = this.nextColor++ % 16;
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
    this.log.info("player left", { session: client.sessionId, code });
  }

  override onDispose(): void {
    this.log.info("room disposed");
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
    if (player === undefined || client.userData === undefined) return;
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

  /** Turns simulation events into messages and logs. */
  private dispatch(events: readonly GameEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case "hit":
          this.log.debug("hit", { shooter: e.shooter, target: e.target, damage: e.damage, x: e.x, y: e.y, tick: this.state.tick });
          this.broadcast(ServerMessage.Hit, { shooter: e.shooter, target: e.target, damage: e.damage, x: e.x, y: e.y });
          break;
        case "kill": {
          const out: KillOut = {
            killer: e.killer, killerName: this.state.players.get(e.killer)?.name ?? "",
            victim: e.victim, victimName: this.state.players.get(e.victim)?.name ?? "", tick: e.tick,
          };
          this.broadcast(ServerMessage.Kill, out);
          break;
        }
        case "matchStart":
          this.broadcast(ServerMessage.MatchStart, { tick: e.tick, endsAt: e.endsAt });
          this.log.info("match started", { players: this.state.players.size });
          break;
        case "matchEnd": {
          const out: ResultsOut = { reason: e.reason, winner: e.winner, standings: e.standings, nextAt: this.state.phaseEndsAt };
          this.broadcast(ServerMessage.Results, out);
          this.log.info("match ended", { reason: e.reason, winner: e.winner, players: e.standings.length });
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
