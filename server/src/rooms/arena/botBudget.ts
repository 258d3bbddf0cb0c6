/**
 * The bots one process may run at once, across all its rooms (`BOT_MAX`).
 * Practice rooms are created on request, each with up to 15 bots: without a
 * cap, a client opening many of them could spend the process's CPU on bots.
 */
export class BotBudget {
  private used = 0;

  constructor(readonly max: number) {}

  get inUse(): number {
    return this.used;
  }

  available(): number {
    return Math.max(0, this.max - this.used);
  }

  /** Takes one bot's place; false when the process runs its most bots already. */
  take(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }

  /** Takes a place past the cap if need be: a match taken over from another process keeps the bots it had. */
  takeEvenIfFull(): void {
    this.used++;
  }

  /** Gives back `n` places (a bot left, or its room closed). */
  give(n = 1): void {
    this.used = Math.max(0, this.used - n);
  }
}
