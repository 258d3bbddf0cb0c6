/**
 * One stand-in for a game process in `npm run sim:cluster` (simCluster.ts): the cluster work a real process does,
 * through the server's own modules, without rooms or sockets:
 * - heartbeats and the ghost sweep's read (Liveness.ts: one ZADD and one ZRANGEBYSCORE a second, as ghostSweeper.ts);
 * - the status feed (StatusFeed.ts: its figures each second, the lease holder's sum, everyone's read of it);
 * - people (People.ts: whereabouts written on change, notification channels subscribed per person, the inbox read
 *   on a lobby visit, contacts written as a player sits down, each lobby visitor's scoped list re-read every
 *   SCOPE_REFRESH_MS, the leaderboard's pass watch);
 * - room listings (IndexedRedisDriver.ts: a listing written on every seat change, with its open-room index entry)
 *   and the lobby's listing feed (a PUBLISH on `$lobby` for each listing change, as Colyseus' updateLobby; every
 *   process with a lobby room reads the listings noticed, batched: lobbyFeed.ts, one HMGET per 100 ms);
 * - quick play's read of the open-room index (one per join);
 * - the leaderboard (RedisLeaderboard.ts: credits, and every process's coalesced snapshot re-read after writes).
 * Not simulated: a room's own traffic (patches, inputs: not Redis), Colyseus' seat reservation and IPC for a join
 * seated on another process, and the match custody's leases and checkpoints (issue 21; measured by
 * bench:redis-commands and bench:failover).
 */
import type { Client, IRoomCache } from "@colyseus/core";
import { Registry } from "prom-client";
import { ROOM_ARENA, type PersonStatus } from "@arena/shared";
import { createLogger, type Logger } from "../src/log.ts";
import { RedisLeaderboard } from "../src/leaderboard/RedisLeaderboard.ts";
import { IndexedRedisDriver } from "../src/matchmaking/IndexedRedisDriver.ts";
import { OpenRoomIndex } from "../src/matchmaking/OpenRoomIndex.ts";
import { People } from "../src/people/People.ts";
import { livenessOf, type Liveness } from "../src/scale/Liveness.ts";
import { ResilientRedisPresence } from "../src/scale/ResilientRedisPresence.ts";
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TTL_S } from "../src/scale/ghostSweeper.ts";
import { createRedisClient } from "../src/scale/redisClient.ts";
import type { RedisTarget } from "../src/scale/redisTarget.ts";
import { LOBBY_CHANNEL } from "../src/colyseusInternals.ts";
import { StatusFeed } from "../src/status/StatusFeed.ts";
import { subscribeListings } from "../src/matchmaking/lobbyFeed.ts";

/** Seats per room, as MAX_PLAYERS' default. */
export const ROOM_SEATS = 16;

export interface StandInPlan {
  /** One redis-server, or a Redis Cluster's nodes (as REDIS_URL and REDIS_CLUSTER_NODES). */
  readonly redis: RedisTarget;
  readonly index: number;
  /** People on this stand-in, in matches and in the lobby. */
  readonly players: number;
  /** Share of them in the lobby at any time. */
  readonly lobbyShare: number;
  /** Joins a second on this stand-in (a player's match ends: lobby, then quick play into a seat). */
  readonly joinsPerSecond: number;
  /** Leaderboard credits a second on this stand-in. */
  readonly creditsPerSecond: number;
  /** How often a lobby visitor's scoped list is read again (SCOPE_REFRESH_MS at the plan's pace). */
  readonly scopeRefreshMs: number;
}

interface Person {
  userId: string;
  name: string;
  client: Client;
  roomId: string | undefined;
  /** When their scoped list is read again, while in the lobby. */
  due: number;
}

interface SimRoom {
  listing: IRoomCache;
  seated: Set<string>;
}

/** A Colyseus client as the people code uses it: a session id and a send that goes nowhere. */
function fakeClient(sessionId: string, userId: string, name: string): Client {
  return { sessionId, auth: { userId, name }, send: () => undefined } as unknown as Client;
}

const uuid = (n: number): string => `g_${n.toString(16).padStart(8, "0")}-5151-4000-8000-000000000000`;

/** What a stand-in did (or, from `planned`, was asked to do). */
export interface Work {
  joins: number;
  credits: number;
  scopeReads: number;
  beats: number;
  quickPlayReads: number;
  /** `$lobby` notices heard, and the listing reads they made (Colyseus' subscribeLobby: matchMaker.query). */
  lobbyNotices: number;
  lobbyReads: number;
  errors: number;
}

export class StandIn {
  readonly id: string;
  private readonly log: Logger;
  private presence!: ResilientRedisPresence;
  private driver!: IndexedRedisDriver;
  private people!: People;
  private status!: StatusFeed;
  private leaderboard!: RedisLeaderboard;
  private liveness!: Liveness;
  private readonly rooms = new Map<string, SimRoom>();
  private readonly persons: Person[] = [];
  private readonly lobby: Person[] = [];
  private timers: NodeJS.Timeout[] = [];
  private unsubscribeFeed: (() => Promise<void>) | undefined;
  // Started at a random phase: stand-ins started together at one rate would otherwise join and credit in the same
  // tick, and every lobby would hear the cluster's changes in bursts (fewer, larger listing reads than real traffic).
  private joinCredit = Math.random();
  /** Set once the churn starts: people arriving in the lobby now, not seated at start. */
  private churning = false;
  private creditCredit = Math.random();
  private session = 0;
  /** Work finished (answered by Redis), counted from the start of the churn; the errors too. */
  readonly done: Work = { joins: 0, credits: 0, scopeReads: 0, beats: 0, quickPlayReads: 0, lobbyNotices: 0, lobbyReads: 0, errors: 0 };

  /** Counts a failure; the first few are printed (stderr), so a run that errs says why. */
  /** Set once the report is made: what fails while stopping (credits still queued) is not this run's. */
  stopping = false;

  private failed = (error: unknown): void => {
    if (this.stopping) return;
    if (this.done.errors++ < 3) process.stderr.write(`${this.id}: ${(error as Error)?.stack ?? String(error)}\n`);
  };

  constructor(private readonly plan: StandInPlan) {
    this.id = `sim${String(plan.index).padStart(3, "0")}`;
    this.log = createLogger("error", { process: this.id });
  }

  /** Connects, beats, seats its people (rooms of ROOM_SEATS, the lobby share in the lobby). */
  async start(): Promise<void> {
    const { redis } = this.plan;
    // A long command timeout: on a machine this loaded, a late reply is slow work, not a lost Redis.
    const connect = (): ReturnType<typeof createRedisClient> => createRedisClient(redis, { commandTimeout: 15_000 });
    this.presence = new ResilientRedisPresence(connect(), this.log);
    this.liveness = livenessOf(this.presence);
    const index = new OpenRoomIndex(this.presence.commands);
    index.serve(ROOM_ARENA, ["mode"], { players: -1 });
    this.driver = new IndexedRedisDriver(connect(), () => true, this.log, () => undefined, index);
    this.leaderboard = await RedisLeaderboard.connect(redis, this.log);
    this.people = new People(this.presence, this.log, 120, () => true, () => this.id);
    this.status = new StatusFeed(this.presence, new Registry(), this.people.directory, this.log, { processId: () => this.id, clients: () => this.persons.length });
    await this.beat();
    this.every(() => this.beat(), HEARTBEAT_INTERVAL_MS);
    this.people.start(this.leaderboard);
    this.status.start();
    // The lobby room's own leaderboard listener (the passes' watch is People's).
    this.leaderboard.subscribe(() => undefined);

    // Seated a room at a time, its listing written once (a real room writes it at each join: the churn does).
    // Those seated now sat down before the counted window: their room-mates' contact writes (a script per pair,
    // 120 a room) are not the window's work, and at 100k players they made most of a minute's setup. Churn joins
    // write them (People.connected, as a real process does).
    const contacts = this.people.contacts;
    const met = contacts.met.bind(contacts);
    contacts.met = () => Promise.resolve();
    const inLobby = Math.round(this.plan.players * this.plan.lobbyShare);
    let room: SimRoom | undefined;
    for (let i = 0; i < this.plan.players; i++) {
      const n = this.plan.index * 1_000_000 + i;
      const userId = uuid(n);
      const name = `p${n}`;
      const person: Person = { userId, name, client: fakeClient(`${this.id}-${this.session++}`, userId, name), roomId: undefined, due: 0 };
      this.persons.push(person);
      if (i < inLobby) {
        await this.toLobby(person);
        continue;
      }
      if (room === undefined || room.seated.size >= ROOM_SEATS) {
        if (room !== undefined) await this.settle(room);
        room = this.newRoom();
      }
      person.roomId = room.listing.roomId;
      room.seated.add(userId);
      this.people.connected(room.listing.roomId, person.client, { userId, name }, this.where("match", room.listing.roomId));
    }
    if (room !== undefined) await this.settle(room);
    contacts.met = met;
    // Lobby visitors have met people: each the players of one room (their contacts make their scoped list's reads).
    const rooms = [...this.rooms.values()];
    for (const [i, p] of this.lobby.entries()) await this.people.contacts.met(p.userId, [...rooms[i % rooms.length]!.seated], "played");
    // What seating queued is answered before the stand-in says it is ready, so none of it lands in the counted
    // window: the whereabouts (written CHANGE_DELAY_MS after a change, an EXPIRE after each HSET's reply: hence
    // two PINGs in a row on that connection, which answers in order) and each person's notification channel (a
    // SUBSCRIBE after them on the subscriber connection answers after them).
    await new Promise((r) => setTimeout(r, 200));
    await this.presence.commands.ping();
    await this.presence.commands.ping();
    await this.presence.subscribe(`arena:sim:settled:${this.id}`, () => undefined);
  }

  /** A room filled at start: its listing written and indexed once. */
  private async settle(room: SimRoom): Promise<void> {
    room.listing.clients = room.seated.size;
    (room.listing.metadata as { players: number }).players = room.seated.size;
    room.listing.locked = room.seated.size >= ROOM_SEATS;
    await this.driver.persist(room.listing, true);
  }

  /** What this stand-in is asked to do in `seconds`: the work `done` is measured against. */
  planned(seconds: number): Pick<Work, "joins" | "credits" | "scopeReads" | "beats"> {
    return {
      joins: this.plan.joinsPerSecond * seconds,
      credits: this.plan.creditsPerSecond * seconds,
      // Each visitor's list every scopeRefreshMs (the first as they arrive).
      scopeReads: (this.lobby.length * seconds * 1000) / this.plan.scopeRefreshMs,
      beats: (seconds * 1000) / HEARTBEAT_INTERVAL_MS,
    };
  }

  /** Starts the churn: joins and credits at the plan's rates, scoped lists re-read. */
  async go(): Promise<void> {
    // A process with lobby visitors has a lobby room, which reads the listings announced (lobbyFeed.ts, as ArenaLobbyRoom).
    await this.presence.subscribe(LOBBY_CHANNEL, () => void this.done.lobbyNotices++);
    this.unsubscribeFeed = await subscribeListings(this.presence, async (ids) => {
      const found = await this.driver.findByIds(ids);
      this.done.lobbyReads++;
      return found;
    }, () => undefined, this.failed);
    this.churning = true;
    // The lobby's visitors seated at start read their lists spread over one period from now: due times drawn as they
    // were seated have passed during a long setup (100k players: 10-30 s), and would all come due in the first tick,
    // a burst whose backlog would drain into the counted window.
    const now = Date.now();
    for (const p of this.lobby) p.due = now + Math.random() * this.plan.scopeRefreshMs;
    const TICK_MS = 100;
    // Paced by the clock, not by the timer's count: a late timer (a busy machine) catches up.
    let last = performance.now();
    this.every(() => {
      const now = performance.now();
      this.tick(now - last);
      last = now;
    }, TICK_MS);
  }

  private every(f: () => unknown, ms: number): void {
    const t = setInterval(() => {
      Promise.resolve(f()).catch(this.failed);
    }, ms);
    this.timers.push(t);
  }

  private async beat(): Promise<void> {
    // ghostSweeper.ts at rest: the beat, and the read of processes past their deadline.
    const now = Date.now();
    await this.liveness.beat(this.id, now + HEARTBEAT_TTL_S * 1000);
    await this.liveness.expired(now);
    this.done.beats++;
  }

  private listingChanged(room: SimRoom): Promise<boolean> {
    room.listing.clients = room.seated.size;
    (room.listing.metadata as { players: number }).players = room.seated.size;
    room.listing.locked = room.seated.size >= ROOM_SEATS;
    // Colyseus' updateLobby: a notice on `$lobby` for every listing change of a public room.
    this.presence.publish(LOBBY_CHANNEL, `${room.listing.roomId},0`);
    return this.driver.update(room.listing, { $set: { clients: room.seated.size, locked: room.listing.locked } });
  }

  private async openRoom(): Promise<SimRoom> {
    const room = this.newRoom();
    await this.driver.persist(room.listing, true);
    return room;
  }

  private newRoom(): SimRoom {
    const roomId = `${this.id}r${this.rooms.size.toString(36)}`;
    const listing = {
      roomId, name: ROOM_ARENA, processId: this.id, clients: 0, maxClients: ROOM_SEATS + 4, locked: false, private: false, unlisted: false,
      createdAt: new Date(), publicAddress: undefined,
      metadata: { mode: "ffa", phase: "playing", players: 0, spectators: 0, bots: 0 },
    } as unknown as IRoomCache;
    const room: SimRoom = { listing, seated: new Set() };
    this.rooms.set(roomId, room);
    return room;
  }

  private roomWithSeat(): SimRoom | undefined {
    for (const r of this.rooms.values()) if (r.seated.size < ROOM_SEATS) return r;
    return undefined;
  }

  private where(status: PersonStatus, roomId?: string): () => { status: PersonStatus; roomId?: string; joinable?: boolean } {
    return () => (roomId === undefined ? { status } : { status, roomId, joinable: (this.rooms.get(roomId)?.seated.size ?? ROOM_SEATS) < ROOM_SEATS });
  }

  private async toLobby(person: Person): Promise<void> {
    person.client = fakeClient(`${this.id}-${this.session++}`, person.userId, person.name);
    person.roomId = undefined;
    this.people.connected("lobby", person.client, { userId: person.userId, name: person.name }, this.where("lobby"), true);
    // A visitor's list is read as they arrive; those in the lobby at start are spread over one refresh period
    // from the churn's start (go).
    person.due = this.churning ? Date.now() : Infinity;
    this.lobby.push(person);
  }

  private async seat(person: Person, room: SimRoom): Promise<void> {
    const roomId = room.listing.roomId;
    // Out of the lobby (join() took them off its queue).
    if (person.roomId === undefined) this.people.disconnected("lobby", person.client);
    person.client = fakeClient(`${this.id}-${this.session++}`, person.userId, person.name);
    person.roomId = roomId;
    room.seated.add(person.userId);
    this.people.connected(roomId, person.client, { userId: person.userId, name: person.name }, this.where("match", roomId));
    await this.listingChanged(room);
  }

  private async leave(person: Person, roomId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    if (room === undefined) return;
    room.seated.delete(person.userId);
    this.people.disconnected(room.listing.roomId, person.client);
    await this.listingChanged(room);
  }

  private tick(ms: number): void {
    const now = Date.now();
    // Joins: a player whose match ended goes to the lobby; the longest-waiting lobby visitor quick-plays.
    this.joinCredit += (this.plan.joinsPerSecond * ms) / 1000;
    while (this.joinCredit >= 1) {
      this.joinCredit--;
      void this.join().catch(this.failed);
    }
    this.creditCredit += (this.plan.creditsPerSecond * ms) / 1000;
    while (this.creditCredit >= 1) {
      this.creditCredit--;
      const p = this.persons[Math.floor(Math.random() * this.persons.length)]!;
      void this.leaderboard.credit([{ userId: p.userId, name: p.name, points: 1 }]).then(() => void this.done.credits++, this.failed);
    }
    // Each lobby visitor's scoped list, every SCOPE_REFRESH_MS at the plan's pace (lobbyPeople.ts).
    for (const p of this.lobby) {
      if (p.due > now) continue;
      p.due = now + this.plan.scopeRefreshMs;
      void this.people.scope.of(p.userId).then(() => void this.done.scopeReads++, this.failed);
    }
  }

  private async join(): Promise<void> {
    const seated = this.persons.filter((p) => p.roomId !== undefined);
    const leaver = seated[Math.floor(Math.random() * seated.length)];
    if (leaver === undefined || this.lobby.length === 0) return;
    // The longest-waiting visitor, taken off the queue now: another join of this tick takes the next one.
    const comer = this.lobby.shift()!;
    const leaverRoom = leaver.roomId!;
    leaver.roomId = undefined;
    await this.leave(leaver, leaverRoom);
    await this.toLobby(leaver);
    // Quick play: the open-room index's best rooms (quickPlay.ts), then a seat here.
    await this.driver.openRoomsOf(ROOM_ARENA, { mode: "ffa" });
    this.done.quickPlayReads++;
    await this.seat(comer, this.roomWithSeat() ?? (await this.openRoom()));
    this.done.joins++;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.unsubscribeFeed?.();
    this.status.stop();
    await this.people.stop();
    await this.leaderboard.close();
    await this.driver.shutdown().catch(() => undefined);
    this.presence.shutdown();
  }
}
