/**
 * Who holds which kind of seat in a room. Colyseus counts every client against
 * `maxClients`; the arena wants players capped at MAX_PLAYERS and spectators
 * capped separately, so the room's `hasReachedMaxClients` asks this book.
 */
export class SeatBook {
  /** Session ids admitted as spectators (reserved or connected). */
  private readonly spectators = new Set<string>();

  constructor(readonly maxPlayers: number, readonly maxSpectators: number) {}

  markSpectator(sessionId: string): void {
    this.spectators.add(sessionId);
  }

  forget(sessionId: string): void {
    this.spectators.delete(sessionId);
  }

  isSpectator(sessionId: string): boolean {
    return this.spectators.has(sessionId);
  }

  /** Players and spectators among the given seat holders (connected clients and reserved seats). */
  count(holders: Iterable<string>): { players: number; spectators: number } {
    let players = 0;
    let spectators = 0;
    for (const id of new Set(holders)) {
      if (this.spectators.has(id)) spectators++;
      else players++;
    }
    return { players, spectators };
  }
}
