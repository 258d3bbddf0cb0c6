/**
 * The arena room: its lifecycle, and who may take a seat. The concerns it
 * wires together live beside it: the fixed step (fixedStep.ts), seats, roles
 * and the listing (seating.ts), chat (chat.ts), leaderboard credits
 * (credits.ts), the simulation's events (matchEvents.ts), bots (botFill.ts)
 * and proximity voice signaling (voiceSignaling.ts).
 *
 * The guest token is checked at matchmaking by the static `onAuth` (before a
 * room is created or a seat reserved); at connect the instance `onAuth`
 * takes the seat's join ticket (matchmaking/joinTickets.ts), which also
 * covers seats our own HTTP routes reserve. The token never sits in a URL.
 */
import { ClientState, CloseCode, ErrorCode, type Deferred, OnMessageException, Room, ServerError, matchMaker, type AuthContext } from "@colyseus/core";
import {
  ArenaState, Projectile, CHAT_BURST, CHAT_WINDOW_S, CloseCodes, MAX_SPECTATORS, Player, RECONNECT_GRACE_S, ServerMessage,
  DEFAULT_BOT_DIFFICULTY, JoinErrorCodes, cleanName, createRules, freeColor, spawnPlayer,
  type ArenaMap, type ArenaRoomMetadata, type GameMode, type MapRef, type MatchPhase, type NoticeOut, type PlayerInput, type RatingOut, type World,
} from "@arena/shared";
import type { GuestIdentity } from "../../auth.ts";
import { configuredRoom } from "../configuredRoom.ts";
import { redeemJoinTicket } from "../../matchmaking/joinTickets.ts";
import { refusedFrame } from "../../frameLimit.ts";
import type { Logger } from "../../log.ts";
import { claimCode, releaseCode } from "../../matchmaking/roomCodes.ts";
import { RoomBots, seedOf, type BotPlan } from "./botFill.ts";
import { RoomChat } from "./chat.ts";
import { RoomCredits } from "./credits.ts";
import { startFixedStep } from "./fixedStep.ts";
import { BufferedPlayerInput, MAX_BUFFERED_INPUTS, sanitizeInput } from "./input.ts";
import { readInputsDirectly } from "./inputWire.ts";
import { dispatchEvents } from "./matchEvents.ts";
import { MatchMoments } from "./moments.ts";
import { PlayAgain } from "./playAgain.ts";
import { RoomRatings } from "./roomRatings.ts";
import { DEFAULT_MAP_ROOM_WAIT_S, roomMap } from "./publishedMap.ts";
import { CreateOptionsSchema, JoinOptionsSchema, MapRefSchema, closeReason, describeIssue, messageTypeText } from "./messages.ts";
import { TokenBucket } from "../../limits/TokenBucket.ts";
import { RoomPace } from "./pace.ts";
import { RoundTrips } from "./roundTrips.ts";
import { Seating } from "./seating.ts";
import { LIVE_SCORE_CHECK_MS, LiveScore } from "./liveScore.ts";
import { acknowledgeJoinsInPlace, heldSeat, takeInterval, watchReservations } from "../../colyseusInternals.ts";
import { beatOf } from "../beats.ts";
import { listLocked } from "../../scale/listedOnceListening.ts";
import type { ArenaClient, ArenaSettings, SessionData } from "./settings.ts";
import { RoomVoice } from "./voiceSignaling.ts";
import { brainMemories, restoreState, type Checkpoint } from "./checkpoint.ts";
import { CheckpointWriter, type CheckpointHeader } from "./checkpointCodec.ts";
import { broadcastDropsChanges, detachListing, holdSeatForToken, tapPatches } from "../../colyseusInternals.ts";
import { RoomKeeper, type Takeover } from "./keeper.ts";
import { recordsAny, type MatchRecorder } from "../../replay/recorder.ts";
import { CODES_KEY, releasedKey } from "../../matchmaking/roomCodes.ts";

/** Close codes after which a seat is not held for reconnection (protocol errors, floods, oversized or invalid frames). */
const NO_RECONNECT_CODES: ReadonlySet<number> = new Set([CloseCodes.PROTOCOL_ERROR, CloseCode.WITH_ERROR, 1002, 1007, 1009]);

export abstract class ArenaRoom extends Room<{ state: ArenaState; client: ArenaClient; input: PlayerInput; metadata: ArenaRoomMetadata }> {
  protected abstract readonly settings: ArenaSettings;

  override inputs = this.defineInput(BufferedPlayerInput, { bufferMaxSize: MAX_BUFFERED_INPUTS, sanitize: sanitizeInput });

  private log!: Logger;
  private world!: World;
  private seating!: Seating;
  private chat!: RoomChat;
  private voice!: RoomVoice;
  private credits!: RoomCredits;
  private ratings!: RoomRatings;
  private readonly moments = new MatchMoments();
  private playAgain!: PlayAgain;
  private bots!: RoomBots;
  private roundTrips!: RoundTrips;
  /** The top scorer and time left in the listing, for the lobby (liveScore.ts). */
  private liveScore!: LiveScore;
  private code: string | undefined;
  /** Steps and patch broadcasts run against those due; undefined until the room sets its patch rate. */
  private roomPace: RoomPace | undefined;
  /** The published map played here; undefined on the built-in map. */
  private mapRef: MapRef | undefined;
  private lastPhase: MatchPhase = "warmup";
  /** How many bots the room wants (kept for a checkpoint). */
  private plan!: BotPlan;
  /** The match's lease and checkpoints (with REDIS_URL); undefined in one process without Redis. */
  private keeper: RoomKeeper | undefined;
  private readonly checkpointWriter = new CheckpointWriter();
  /** Another process holds this match now (lease lost, or handed over): this copy only winds down. */
  private deposed = false;
  /** A match taken over is being rebuilt here (resume): it does not step until it is whole. */
  private restoring = false;
  /** Records each match played here (replay/recorder.ts); undefined with replays off. */
  private recorder: MatchRecorder | undefined;
  /** Stop this room's steps and patch broadcasts, which run on the process's shared beats (rooms/beats.ts). */
  private readonly offBeats: Array<() => void> = [];
  /** Seats held for a dropped client's reconnection, by session id. */
  private readonly held = new Map<string, Deferred<unknown>>();

  override async onCreate(options: unknown): Promise<void> {
    const s = this.settings;
    this.log = s.log.child({ room: this.roomId });
    listLocked(this);
    readInputsDirectly(this, sanitizeInput);
    acknowledgeJoinsInPlace(this);
    const takeover = s.keeping?.pending.get(this.roomId);
    if (takeover !== undefined) return this.resume(takeover);
    const created = CreateOptionsSchema.safeParse(options);
    if (!created.success) throw new ServerError(ErrorCode.MATCHMAKE_INVALID_CRITERIA, `invalid options: ${describeIssue(created.error)}`);
    const { bots, difficulty = DEFAULT_BOT_DIFFICULTY } = created.data;
    if (bots !== undefined && s.botBudget !== undefined && s.botBudget.available() < bots) {
      throw new ServerError(JoinErrorCodes.TOO_MANY_BOTS, `this server runs as many bots as it may right now (${s.botBudget.max}); try fewer bots or later`);
    }
    // Read before anything is claimed: an unknown map refuses the creation with nothing to undo.
    const map = await roomMap(s.maps, created.data.map);
    this.mapRef = created.data.map;
    if (created.data.private || bots !== undefined || this.mapRef !== undefined) await this.becomePrivate();
    if (this.mapRef !== undefined) this.awaitFirstPlayer();
    await this.openSeats(created.data.mode);
    this.credits = new RoomCredits(s.leaderboard, this.log);
    this.rateMatches();
    // Quick-play rooms are filled; a private room with friends has no bots unless it is a practice room.
    const plan: BotPlan = bots !== undefined
      ? { kind: "practice", count: bots, difficulty }
      : { kind: "fill", fill: this.code === undefined ? (s.botFill ?? 0) : 0, difficulty };
    this.startMatch(plan, map);
    this.listen();
    if (s.keeping !== undefined) this.keep(await s.keeping.custody.open(this.roomId));
    this.log.info("room created", { tickRate: s.tickRate, patchRate: s.patchRate, maxPlayers: s.maxPlayers, private: this.code !== undefined, map: this.mapRef });
  }

  /** Player and spectator caps, message and patch rates, and the room's first listing. */
  private async openSeats(mode: GameMode): Promise<void> {
    const s = this.settings;
    // Before maxClients: setting it asks hasReachedMaxClients, which asks the seating.
    this.seating = new Seating(this, s.maxPlayers, MAX_SPECTATORS, this.log, () => this.bots?.count ?? 0);
    if (s.metrics !== undefined) watchReservations(this, s.metrics);
    this.maxClients = s.maxPlayers + MAX_SPECTATORS;
    this.roomPace = s.metrics?.pace.open(s.tickRate, s.patchRate) ?? new RoomPace(s.tickRate, s.patchRate);
    // Colyseus' broadcast at this rate, run on the process's patch beat with every other room's (rooms/beats.ts).
    const patches = takeInterval(() => {
      this.patchRate = 1000 / s.patchRate;
    });
    this.offBeats.push(beatOf(patches.periodMs).join(patches.run));
    this.roomPace.startPatches();
    await this.setMetadata({
      mode, phase: "warmup", players: 0, spectators: 0, bots: 0, ...(this.code ? { code: this.code } : {}), ...(this.mapRef ? { map: this.mapRef } : {}),
    }, false);
    // Also re-checked each second: a reserved seat that expires changes capacity without any hook.
    this.clock.setInterval(() => void this.seating.syncLock(), 1000);
    this.liveScore = new LiveScore(this, this.log);
    // A copy that stood down (another process holds the match) writes nothing to the shared listing.
    this.clock.setInterval(() => {
      if (this.live) this.liveScore.check(Date.now());
    }, LIVE_SCORE_CHECK_MS);
  }

  /**
   * A match taken over from another process (see keeper.ts): the same room id, code, map, state,
   * bots and credits as its checkpoint, and a seat held for each client it had, which only that
   * client's reconnection token opens. A map that cannot be read throws: the match ends (logged).
   */
  private async resume(t: Takeover): Promise<void> {
    const s = this.settings;
    const cp = t.checkpoint;
    // The match waits (no step, patch or credit) until it is whole again: its handlers, its seats and its lease.
    this.restoring = true;
    const map = await roomMap(s.maps, cp.map);
    this.mapRef = cp.map;
    if (cp.code !== undefined) {
      this.code = cp.code;
      await this.setPrivate(true, false);
      // The code stays this room's (a sweep of the dead process may have released it).
      await matchMaker.presence.hset(CODES_KEY, cp.code, "1");
      await matchMaker.presence.del(releasedKey(cp.code));
    }
    await this.openSeats(cp.mode);
    this.credits = new RoomCredits(s.leaderboard, this.log, () => this.keeper?.live ?? true);
    this.credits.resume(cp.credits);
    this.rateMatches();
    this.startMatch(cp.botPlan, map, cp);
    this.lastPhase = this.state.phase as MatchPhase;
    // The match's one recording goes on here (replay/recorder.ts); none is begun for a warm-up.
    if (this.lastPhase !== "warmup") await this.recorder?.resume(this.roomId);
    if (this.lastPhase === "playing") this.ratings.matchStarted(this.state.phaseEndsAt - this.world.rules.matchTicks);
    this.listen();
    this.chat.restore(cp.chat ?? []);
    this.keep(t.lease);
    const graceSeconds = this.settings.reconnectGraceSeconds ?? RECONNECT_GRACE_S;
    for (const seat of cp.seats) {
      this.keeper!.seats.set(seat.sessionId, seat);
      if (seat.spectator) this.seating.markSpectator(seat.sessionId);
      this.seating.claim(seat.userId, seat.sessionId);
      const player = this.state.players.get(seat.sessionId);
      if (player !== undefined) {
        player.connected = false;
        this.credits.seat(seat.sessionId, { userId: seat.userId, name: seat.name });
        this.recorder?.seat(seat.sessionId, seat.userId);
        this.ratings.seat(seat.sessionId, seat.userId, 0); // in the match from its start, as far as anyone here knows
      }
      await holdSeatForToken(this, seat.sessionId, seat.token, graceSeconds, (client) => this.seatRestored(client as ArenaClient, seat));
    }
    // People whose seat is not in the checkpoint (they joined after it) are gone with the window.
    for (const id of [...this.state.players.keys()]) {
      if (!this.bots.isBot(id) && !this.keeper!.seats.has(id)) this.state.players.delete(id);
    }
    this.bots.sync();
    this.seating.updateListing();
    // Colyseus disposes an empty room only when a client leaves: a restored room nobody came back to closes here.
    this.clock.setTimeout(() => {
      if (!this.deposed && this.clients.length === 0) void this.disconnect();
    }, (graceSeconds + 1) * 1000);
    this.restoring = false;
    this.log.info("match restored", { fence: t.lease.fence, checkpointAgeMs: Date.now() - cp.at, phase: cp.state.phase, tick: cp.state.tick, seats: cp.seats.length, bots: this.bots.count });
  }

  /** A client back in a restored seat: what its first join gave it on the process that died. */
  private seatRestored(client: ArenaClient, seat: Checkpoint["seats"][number]): void {
    client.auth = { userId: seat.userId, name: seat.name };
    client.userData = { chat: new TokenBucket(CHAT_BURST, CHAT_WINDOW_S * 1000, Date.now()), typing: false, kicked: false, spectator: seat.spectator };
    this.settings.people?.connected(this.roomId, client, client.auth, () => ({
      status: seat.spectator ? "spectating" : "match",
      ...(this.code === undefined ? { roomId: this.roomId, joinable: !this.locked } : {}),
    }));
    this.roundTrips.ping(client);
    this.chat.showTail(client);
  }

  /** Ratings of the room's people: read as they sit, updated at each match's end, and the quick-play bots' level from them. */
  private rateMatches(): void {
    this.ratings = new RoomRatings(this.settings.ratings, this.log, {
      loaded: () => this.relevel(false),
      tell: (sessionId, change) => this.clients.getById(sessionId)?.send(ServerMessage.Rating, {
        before: Math.round(change.before * 10) / 10, after: Math.round(change.after * 10) / 10, matches: change.matches,
      } satisfies RatingOut),
      live: () => this.live,
      counted: () => this.plan.kind !== "practice",
    });
  }

  /**
   * A quick-play room's bots play at the level of the people in it (people/rating.ts): set when a match starts
   * and, between matches, as people come, go and get rated, never during a match (its bots keep one level).
   */
  private relevel(matchStarting: boolean): void {
    if (this.plan.kind !== "fill") return;
    if (!matchStarting && this.state.phase === "playing") return;
    this.bots.setLevel(this.ratings.botLevel());
  }

  /** Starts checkpointing under `lease`. */
  private keep(lease: RoomKeeper["lease"]): void {
    const keeping = this.settings.keeping;
    if (keeping === undefined) return;
    const room = this; // the getter below reads the room's state as it is when asked
    this.keeper = new RoomKeeper({
      roomId: this.roomId,
      checkpoint: () => this.checkpoint(),
      standDown: (reason) => this.standDown(reason),
      get tick() {
        return room.state.tick;
      },
    }, keeping.custody, keeping.round, lease, keeping.stats, this.log);
    this.keeper.start();
  }

  /**
   * The whole match as a checkpoint's bytes, the players' best moments with their numbers. The header (seats,
   * credits, code, map, bot plan) is serialised again only when a seat, a credit or the bots' count changed.
   */
  private checkpoint(): Buffer {
    const { brains, ...bots } = this.bots.snapshot();
    const seats = this.keeper?.seats;
    const header = (): CheckpointHeader => ({
      roomId: this.roomId, mode: this.metadata.mode,
      ...(this.code !== undefined ? { code: this.code } : {}), ...(this.mapRef !== undefined ? { map: this.mapRef } : {}),
      botPlan: this.plan, seats: [...(seats?.values() ?? [])], credits: this.credits.progress(), bots,
      ...(this.chat.tail.length > 0 ? { chat: [...this.chat.tail] } : {}),
    });
    const key = `${seats?.revision ?? 0}:${this.credits.revision}:${bots.added}:${"level" in bots ? bots.level : ""}:${this.chat.revision}`;
    return this.checkpointWriter.encode(header, key, Date.now(), this.state, brains, (id) => this.moments.tallyOf(id));
  }

  /** Whether this process may step, send and credit for the match (see RoomKeeper.live). */
  get live(): boolean {
    return !this.deposed && !this.restoring && (this.keeper?.live ?? true);
  }

  /**
   * Another process holds the match: this copy stops at once, writes nothing more (not even its
   * listing, which is the new holder's row), and closes its clients with a code the SDK treats as
   * a drop, so they go and find the match where it is now.
   */
  private standDown(reason: string): void {
    if (this.deposed) return;
    this.deposed = true;
    this.keeper?.stop();
    this.recorder?.abandon();
    this.log.warn("standing down: another process holds the match", { reason, fence: this.keeper?.lease.fence });
    detachListing(this);
    void this.disconnect(CloseCode.MAY_TRY_RECONNECT);
  }

  /**
   * Hands the match to another process (SIGTERM while others run): a last checkpoint, the listing
   * removed (a reconnection then finds nothing rather than this process), the lease released and the
   * others told, so one claims the match now; then the clients are closed as for a drop (4010), and
   * their reconnections wait on the taker's side until the match is back there (keeper.ts).
   */
  async handOver(): Promise<boolean> {
    const keeper = this.keeper;
    if (keeper === undefined || this.deposed) return false;
    this.deposed = true;
    // The recording's open segment is stored before the taker can go on with it.
    await this.recorder?.flush();
    const written = await keeper.commit();
    if (!written) {
      // Not handed over: the match goes on here (the keeper keeps its lease) until the shutdown ends it, or, if
      // the write was refused, it already stood down for the process that holds it.
      this.deposed = false;
      if (keeper.lease.lost) this.standDown("a checkpoint write was refused: another process holds the match");
      return false;
    }
    keeper.stop();
    const roomId = this.roomId;
    detachListing(this);
    await matchMaker.driver.remove(roomId);
    const released = await keeper.release();
    if (released) this.settings.keeping?.announceHandOver(roomId);
    void this.disconnect(CloseCode.MAY_TRY_RECONNECT);
    this.log.info("handed the match over", { released });
    return released;
  }

  /** The state, the rules, the bots and the fixed step that advances them, on `map` (from `cp` when taken over). */
  private startMatch(plan: BotPlan, map: ArenaMap, cp?: Checkpoint): void {
    const s = this.settings;
    this.plan = plan;
    this.state = new ArenaState();
    if (cp !== undefined) restoreState(this.state, cp.state, () => new Projectile());
    if (cp?.moments !== undefined) this.moments.restore(cp.moments);
    this.record(map);
    this.state.tickRate = s.tickRate;
    this.state.mapId = this.mapRef?.id ?? "";
    this.state.mapVersion = this.mapRef?.version ?? 0;
    this.world = { state: this.state, map, rules: createRules(s.tickRate, s.match) };
    this.bots = new RoomBots(this.world, plan, s.maxPlayers, seedOf(this.roomId), this.log, s.botBudget);
    if (cp !== undefined) this.bots.restore(brainMemories(cp), cp.bots.added, cp.bots.level);
    // This process's setting, also over a checkpoint's: half the frames to read, at one step of input delay.
    this.state.inputPairs = s.inputPairs === true;
    const pace = this.roomPace!;
    pace.startSteps();
    this.offBeats.push(startFixedStep(this, this.world, {
      tickRate: s.tickRate,
      patchRate: s.patchRate,
      lagCompensation: s.lagCompensation,
      bots: this.bots,
      rewindBoundOf: (id) => this.roundTrips.rewindBoundMs(id),
      inputBuffered: (id, buffered) => this.roundTrips.observeInputBuffer(id, buffered),
      live: () => this.live,
      onEvents: (events) => {
        // Most steps of a fight have a shot or a hit, which the recording does not keep: no call for those.
        if (this.recorder !== undefined && recordsAny(events)) this.recorder.events(events);
        dispatchEvents(this, events, {
          credits: this.credits, moments: this.moments, ratings: this.ratings,
          botLevel: () => this.bots.level,
          started: () => {
            this.playAgain.forget();
            this.relevel(true);
          },
        }, this.log);
      },
      afterStep: (ms, tick) => {
        pace.stepped(this.clock.currentTime, tick);
        if (this.state.phase !== this.lastPhase) this.onPhaseChange(this.state.phase as MatchPhase);
        s.metrics?.observeStep(ms);
      },
    }));
  }

  /** Chat, typing, voice signaling and round-trip pongs; any other message type is a protocol error. */
  private listen(): void {
    this.chat = new RoomChat(this, (client, kind, reason) => this.protocolError(client, kind, reason), (out) => this.recorder?.chat(out.from, out.name, out.text));
    this.chat.listen();
    this.voice = new RoomVoice(this, this.settings.iceServers ?? [], (client, kind, reason) => this.protocolError(client, kind, reason));
    this.voice.listen();
    this.roundTrips = new RoundTrips(this, (client, kind, reason) => this.protocolError(client, kind, reason), () => 1000 / this.settings.tickRate);
    this.roundTrips.listen();
    this.playAgain = new PlayAgain(this, () => ({ mode: this.metadata.mode, private: this.code !== undefined, plan: this.plan, map: this.mapRef }),
      (client, kind, reason) => this.protocolError(client, kind, reason), this.log);
    this.playAgain.listen();
    this.onMessage("*", (client: ArenaClient, type: string | number) => {
      this.protocolError(client, "unknown_type", `unknown message type ${messageTypeText(type)}`);
    });
  }

  /**
   * "Play this map" creates the room for its invite link before anyone joins: it stays open, empty, for
   * MAP_ROOM_WAIT_S, then closes when empty like any other room (at once if still nobody came).
   */
  private awaitFirstPlayer(): void {
    this.autoDispose = false;
    this.clock.setTimeout(() => {
      this.autoDispose = true;
    }, (this.settings.mapRoomWaitSeconds ?? DEFAULT_MAP_ROOM_WAIT_S) * 1000);
  }

  /** A private room's roomId is its invite code, so any process resolves the code through the shared listing. */
  private async becomePrivate(): Promise<void> {
    this.code = await claimCode(matchMaker.presence, this.settings.randomRoomCode);
    this.roomId = this.code;
    this.log = this.settings.log.child({ room: this.roomId });
    await this.setPrivate(true, false);
  }

  override hasReachedMaxClients(): boolean {
    return super.hasReachedMaxClients() || this.seating.full();
  }

  /** Colyseus calls this at the start of each patch broadcast: the round-trip probes, when due, ride with the patch. */
  override onBeforePatch(): void {
    this.roundTrips?.beforePatch();
  }

  /** Steps and patch broadcasts run against those due on this process's clock (tests read them). */
  get pace(): RoomPace | undefined {
    return this.roomPace;
  }

  /** Counted for the room's pace: each broadcast sends one patch frame to every joined client. */
  override broadcastPatch(): boolean {
    if (!this.live) return false; // a paused process that woke up sends nothing before Redis says the match is still its own
    if (this.roomPace !== undefined) {
      let joined = 0;
      for (const client of this.clients) if (client.state === ClientState.JOINED) joined++;
      this.roomPace.patched(joined);
    }
    if (this.recorder !== undefined && broadcastDropsChanges(this)) this.recorder.changesDropped();
    const sent = super.broadcastPatch();
    this.recorder?.afterPatch();
    return sent;
  }

  /** Starts recording this room's matches on `map` (after its state is made: the recorder taps its encoder). */
  private record(map: ArenaMap): void {
    const s = this.settings;
    if (s.replays === undefined) return;
    const room = this; // the recorder reads the room's id, state, mode and code as they are when a match starts
    this.recorder = s.replays.recorder({
      get roomId() { return room.roomId; },
      get state() { return room.state; },
      get mode() { return room.metadata.mode; },
      get private() { return room.code !== undefined; },
      map, mapRef: this.mapRef, tickRate: s.tickRate, patchRate: s.patchRate,
    }, this.log);
    this.recorder.attach(tapPatches(this));
  }

  /** Listing writes of the live score and checks run (tests read them). */
  get liveScoreStats(): LiveScore["stats"] {
    return this.liveScore.stats;
  }

  /** Voice relaying counters (tests and the voice benchmark read them). */
  get voiceStats(): RoomVoice["stats"] {
    return this.voice.stats;
  }

  /** Reserves a watcher's seat (called through matchMaker.remoteRoomCall from any process). */
  async reserveSpectatorSeat(sessionId: string, options: unknown): Promise<boolean> {
    return this.seating.reserveSpectator(sessionId, options);
  }

  override async onAuth(client: ArenaClient, options: unknown, context: AuthContext): Promise<GuestIdentity> {
    const identity = redeemJoinTicket(this.settings.authSecret, context.token, { roomId: this.roomId, sessionId: client.sessionId });
    // Matchmaking matches on the mode only: a join asking for a map must not land in a room on another one.
    const asked = MapRefSchema.optional().safeParse((options as { map?: unknown } | undefined)?.map);
    if (!asked.success || (asked.data !== undefined && (asked.data.id !== this.mapRef?.id || asked.data.version !== this.mapRef.version))) {
      throw new ServerError(JoinErrorCodes.UNKNOWN_MAP, "this room does not play the map asked for");
    }
    return identity;
  }

  override onJoin(client: ArenaClient, options: unknown): void {
    const auth = client.auth;
    if (auth === undefined) throw new Error("joined without auth");
    const spectator = this.seating.isSpectator(client.sessionId);
    const session: SessionData = { chat: new TokenBucket(CHAT_BURST, CHAT_WINDOW_S * 1000, Date.now()), typing: false, kicked: false, spectator };
    client.userData = session;
    this.autoDispose = true; // someone came: from now on the room closes when empty
    const replaced = this.seating.claim(auth.userId, client.sessionId);
    if (replaced !== undefined) this.closeReplacedSeat(replaced);
    this.seating.updateListing();
    this.settings.people?.connected(this.roomId, client, auth, () => ({
      status: spectator ? "spectating" : "match",
      ...(this.code === undefined ? { roomId: this.roomId, joinable: !this.locked } : {}),
    }));
    this.roundTrips.ping(client);
    this.chat.showTail(client);
    this.keeper?.seats.set(client.sessionId, { sessionId: client.sessionId, userId: auth.userId, name: cleanName(auth.name) || "Player", token: client.reconnectionToken, spectator });
    if (spectator) {
      this.log.info("spectator joined", { session: client.sessionId, userId: auth.userId });
      return;
    }
    const joined = JoinOptionsSchema.safeParse(options);
    const requested = joined.success ? cleanName(joined.data?.name ?? "") : "";
    const player = new Player();
    player.name = requested || cleanName(auth.name) || "Player";
    // The leaderboard shows the name played under, keyed by the token's user id.
    this.credits.seat(client.sessionId, { userId: auth.userId, name: player.name });
    this.recorder?.seat(client.sessionId, auth.userId);
    this.ratings.seat(client.sessionId, auth.userId, this.state.tick);
    const seat = this.keeper?.seats.get(client.sessionId);
    if (seat !== undefined) this.keeper!.seats.set(client.sessionId, { ...seat, name: player.name });
    player.color = freeColor(this.state);
    this.state.players.set(client.sessionId, player);
    spawnPlayer(this.state, client.sessionId, player, this.world.map, this.world.rules);
    this.bots.sync();
    this.seating.updateListing();
    this.settings.metrics?.joined(client);
    this.voice.welcome(client);
    this.log.info("player joined", { session: client.sessionId, userId: auth.userId, name: player.name });
  }

  /** One seat per user per room: the newer connection wins, the older one is told why it was closed. */
  private closeReplacedSeat(sessionId: string): void {
    const old = this.clients.get(sessionId);
    this.log.info("same user joined again, closing the older seat", { session: sessionId, connected: old !== undefined });
    if (old !== undefined) {
      if (old.userData) old.userData.kicked = true;
      old.leave(CloseCodes.SIGNED_IN_ELSEWHERE, "signed in elsewhere");
    } else {
      this.held.get(sessionId)?.reject(new Error("signed in elsewhere"));
    }
  }

  override onDrop(client: ArenaClient, code?: number): void {
    if (this.deposed) return;
    this.chat.setTyping(client, false);
    const refused = refusedFrame(client);
    if (refused !== undefined) {
      this.settings.metrics?.protocolError(refused);
      return; // a protocol error: no seat is held, onLeave follows
    }
    if (client.userData?.kicked || (code !== undefined && NO_RECONNECT_CODES.has(code))) return; // onLeave follows
    const player = this.state.players.get(client.sessionId);
    if (player !== undefined) player.connected = false;
    const graceSeconds = this.settings.reconnectGraceSeconds ?? RECONNECT_GRACE_S;
    this.log.info(player ? "player dropped, holding seat" : "spectator dropped, holding seat", { session: client.sessionId, code, graceSeconds });
    // Nothing is held for a client that never fully joined, or in a disposing room (SIGTERM).
    const held = heldSeat(this.allowReconnection(client, graceSeconds));
    if (held === undefined) return;
    this.held.set(client.sessionId, held);
    held.then(() => undefined, () => undefined).finally(() => this.held.delete(client.sessionId));
  }

  override onReconnect(client: ArenaClient): void {
    // Each connection gets a new token: the checkpoint must carry the one this client holds now.
    const seat = this.keeper?.seats.get(client.sessionId);
    if (seat !== undefined) this.keeper!.seats.set(client.sessionId, { ...seat, token: client.reconnectionToken });
    const player = this.state.players.get(client.sessionId);
    if (player !== undefined) player.connected = true;
    this.settings.metrics?.reconnected();
    this.voice.resync(client);
    this.log.info(player ? "player reconnected" : "spectator reconnected", { session: client.sessionId });
  }

  override onLeave(client: ArenaClient, code?: number): void {
    if (this.deposed) return;
    this.keeper?.seats.delete(client.sessionId);
    if (client.userData === undefined) return this.seatLapsed(client.sessionId);
    this.settings.people?.disconnected(this.roomId, client);
    this.chat.setTyping(client, false);
    this.state.players.delete(client.sessionId);
    this.bots.sync();
    this.credits.unseat(client.sessionId);
    this.recorder?.unseat(client.sessionId);
    this.ratings.unseat(client.sessionId);
    this.relevel(false);
    this.roundTrips.forget(client.sessionId);
    this.seating.release(client.sessionId, client.auth?.userId);
    this.voice.forget(client.sessionId);
    // Runs before Colyseus' own unlock-on-leave; keeps a player-full room locked when only a spectator left.
    void this.seating.syncLock();
    this.seating.updateListing();
    this.log.info(client.userData?.spectator ? "spectator left" : "player left", { session: client.sessionId, code });
  }

  /** Nobody came back to a seat restored from a checkpoint (Colyseus calls onLeave with the session id only). */
  private seatLapsed(sessionId: string): void {
    this.state.players.delete(sessionId);
    this.credits.unseat(sessionId);
    this.recorder?.unseat(sessionId);
    this.ratings.unseat(sessionId);
    this.seating.release(sessionId, undefined);
    this.bots.sync();
    this.seating.updateListing();
    this.log.info("restored seat lapsed", { session: sessionId });
    if (this.clients.length === 0 && (this.keeper?.seats.size ?? 0) === 0) void this.disconnect();
  }

  override async onDispose(): Promise<void> {
    // Where Colyseus clears the room's own timers (right after this call): no step or broadcast from here on.
    for (const off of this.offBeats.splice(0)) off();
    if (this.deposed) {
      this.bots?.dispose();
      this.log.info("room disposed (the match goes on elsewhere)");
      return;
    }
    // The bots' places go back to the process first: the room is already out of the listing, and a room created
    // meanwhile must find them free, not wait out the recording's last write.
    this.bots?.dispose();
    if (this.roomPace !== undefined) this.settings.metrics?.pace.close(this.roomPace);
    try {
      await this.recorder?.finish("room_closed", 2000);
    } finally {
      // Whatever the recording does: the process's checkpoint round must let this room go, its lease and checkpoint too.
      await this.keeper?.end();
    }
    if (this.code !== undefined) await releaseCode(matchMaker.presence, this.code).catch(() => undefined);
    this.log.info("room disposed");
  }

  /** The process is stopping (SIGTERM): tell everyone why before the connections close. */
  override onBeforeShutdown(): void {
    if (this.deposed) return;
    this.broadcast(ServerMessage.Notice, { code: "server_shutdown", message: "the server is restarting; please join again" } satisfies NoticeOut);
    this.log.info("shutting down room", { clients: this.clients.length });
    void this.disconnect(CloseCode.SERVER_SHUTDOWN);
  }

  /**
   * A handler that throws on a client's message is a bug of ours, but what made it throw came from that
   * client: it is disconnected as for any protocol error, so it cannot keep hitting the bug, and the room
   * plays on. Anything else is logged.
   */
  override onUncaughtException(error: Error, methodName: string): void {
    this.log.error("uncaught exception", { method: methodName, error });
    if (error instanceof OnMessageException && error.client !== undefined) {
      try {
        this.protocolError(error.client as ArenaClient, "handler_error", `message ${messageTypeText(error.type)} could not be handled`);
      } catch (closing) {
        // Nothing thrown here may escape: an exception out of this hook would end the process.
        this.log.error("closing the sender of a failed message failed", { session: (error.client as ArenaClient).sessionId, error: closing });
      }
    }
  }

  private onPhaseChange(phase: MatchPhase): void {
    // Results shown, back to warm-up: the match's recording is complete.
    if (phase === "warmup" && this.lastPhase === "results") void this.recorder?.finish("match_over");
    this.lastPhase = phase;
    void this.keeper?.commit();
    void this.seating.syncLock();
    this.seating.updateListing();
  }

  /** Disconnects a client that broke the protocol; nobody else is affected. */
  private protocolError(client: ArenaClient, kind: string, reason: string): void {
    if (client.userData?.kicked) return;
    if (client.userData) client.userData.kicked = true;
    this.settings.metrics?.protocolError(kind);
    this.log.warn("protocol error, disconnecting", { session: client.sessionId, reason });
    client.error(CloseCodes.PROTOCOL_ERROR, reason);
    client.leave(CloseCodes.PROTOCOL_ERROR, closeReason(reason));
  }
}

/** An arena room class bound to this process's settings. */
export function arenaRoom(settings: ArenaSettings): new () => ArenaRoom {
  return configuredRoom(ArenaRoom, settings);
}
