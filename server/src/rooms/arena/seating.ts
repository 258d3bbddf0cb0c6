/**
 * Who sits where in one arena room: player and spectator seats capped
 * separately, one seat per user, and what the shared listing says about the
 * room (counts, phase, lock).
 */
import type { MatchPhase } from "@arena/shared";
import type { Logger } from "../../log.ts";
import { isReserved, reserveSeat, reservedSessionIds } from "../../colyseusInternals.ts";
import type { ArenaRoom } from "./ArenaRoom.ts";
import { SeatBook } from "./SeatBook.ts";

/** The room as seating sees it. */
type SeatedRoom = Pick<ArenaRoom, "clients" | "state" | "metadata" | "setMetadata" | "locked" | "lock" | "unlock" | "hasReachedMaxClients">;

export class Seating {
  private readonly book: SeatBook;
  /** Session id of the spectator whose seat is being reserved right now (see `full`). */
  private admittingSpectator: string | undefined;
  /** The session holding each user's seat in this room. */
  private readonly seatOf = new Map<string, string>();

  /** `bots` counts the room's bots for the listing (they take no seat: seats are for people). */
  constructor(private readonly room: SeatedRoom, maxPlayers: number, maxSpectators: number, private readonly log: Logger, private readonly bots: () => number = () => 0) {
    this.book = new SeatBook(maxPlayers, maxSpectators);
  }

  /**
   * Whether the kind of seat being reserved is full. Colyseus asks (through
   * `hasReachedMaxClients`) when reserving a seat, before recording it, and
   * right after, to decide whether to lock the listing; the listing locks only
   * when players are full, so spectators never keep players out.
   */
  full(): boolean {
    const held = [...this.room.clients.map((c) => c.sessionId), ...reservedSessionIds(this.room)];
    const counts = this.book.count(held);
    const spectator = this.admittingSpectator;
    if (spectator !== undefined && !isReserved(this.room, spectator)) return counts.spectators >= this.book.maxSpectators;
    return counts.players >= this.book.maxPlayers;
  }

  /** Reserves a watcher's seat, capped by the spectator limit only. */
  async reserveSpectator(sessionId: string, options: unknown): Promise<boolean> {
    this.book.markSpectator(sessionId);
    const ok = await reserveSeat(this.room, sessionId, options, {
      enter: () => (this.admittingSpectator = sessionId),
      leave: () => (this.admittingSpectator = undefined),
    });
    if (!ok) this.book.forget(sessionId);
    return ok;
  }

  /** Marks a seat restored from a checkpoint as a spectator's. */
  markSpectator(sessionId: string): void {
    this.book.markSpectator(sessionId);
  }

  isSpectator(sessionId: string): boolean {
    return this.book.isSpectator(sessionId);
  }

  /**
   * Gives `userId`'s seat in this room to `sessionId`; returns the session
   * that held it before (which the room then closes), if another one did.
   */
  claim(userId: string, sessionId: string): string | undefined {
    const previous = this.seatOf.get(userId);
    this.seatOf.set(userId, sessionId);
    return previous !== undefined && previous !== sessionId ? previous : undefined;
  }

  /** Forgets a session that left; a user's seat taken over by a newer session stays with it. */
  release(sessionId: string, userId: string | undefined): void {
    this.book.forget(sessionId);
    if (userId !== undefined && this.seatOf.get(userId) === sessionId) this.seatOf.delete(userId);
  }

  /** Locks the listing while results show (a match that is ending takes nobody new) and when players are full. */
  async syncLock(): Promise<void> {
    const room = this.room;
    const want = room.state.phase === "results" || room.hasReachedMaxClients();
    // lock() even when already locked: it marks the lock explicit, so Colyseus' own unlock-on-leave
    // (which runs after onLeave, e.g. when a spectator leaves a player-full room) keeps it locked.
    if (want) await room.lock();
    else if (room.locked) await room.unlock();
  }

  /** People (players and spectators), bots and phase in the listing, for quick play and the lobby. */
  updateListing(): void {
    const room = this.room;
    const counts = this.book.count(room.clients.map((c) => c.sessionId));
    const bots = this.bots();
    const meta = room.metadata;
    const phase = room.state.phase as MatchPhase;
    if (meta.players === counts.players && meta.spectators === counts.spectators && meta.bots === bots && meta.phase === phase) return;
    void room.setMetadata({ ...meta, players: counts.players, spectators: counts.spectators, bots, phase })
      .catch((error: unknown) => this.log.warn("listing update failed", { error }));
  }
}
