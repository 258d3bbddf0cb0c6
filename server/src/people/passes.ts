/**
 * "You were passed on the leaderboard": after each board write, the people
 * whose rank got worse hear who moved above them. Every process sees every
 * snapshot; the first to claim its version (`arena:passed:<version>`, incr)
 * tells its passes, so each pass is told by one process. A person hears at
 * most one pass per board in PASS_NOTE_EVERY_MS from a process: the first at
 * once, the passes after it held and told as one (the latest) when the window
 * ends. On a busy board nearly every kill passes someone, and each note is a
 * frame to every connection of that person and a few presence writes.
 */
import type { Presence } from "@colyseus/core";
import type { LeaderboardEntry, LeaderboardSnapshot, PassedNote } from "@arena/shared";
import type { Leaderboard } from "../leaderboard/Leaderboard.ts";
import type { Logger } from "../log.ts";
import type { Blocks } from "./Blocks.ts";
import type { Notifications } from "./Notifications.ts";

/** At most this many pass notifications per board write (a big credit can reshuffle a board). */
const MAX_PER_WRITE = 20;

/** A person hears at most one pass per board in this long (from one process); see PassWindows. */
export const PASS_NOTE_EVERY_MS = 10_000;

/** Who was passed by whom between two versions of one board. */
export function passes(before: readonly LeaderboardEntry[], after: readonly LeaderboardEntry[], board: PassedNote["board"]): { userId: string; note: PassedNote }[] {
  const rankBefore = new Map(before.map((e) => [e.userId, e.rank]));
  const out: { userId: string; note: PassedNote }[] = [];
  for (const passed of after) {
    const was = rankBefore.get(passed.userId);
    if (was === undefined || passed.rank <= was) continue;
    // The passer: above them now, and below them (or off the board) before.
    const passer = after.find((e) => e.rank < passed.rank && (rankBefore.get(e.userId) ?? Infinity) > was);
    if (passer === undefined) continue;
    out.push({ userId: passed.userId, note: { kind: "passed", by: { userId: passer.userId, name: passer.name }, board, rank: passed.rank } });
  }
  return out;
}

type Deliver = (userId: string, note: PassedNote) => void;

/**
 * Per person and board: the first pass is delivered at once and opens a
 * window; passes inside it replace one held note, delivered when the window
 * ends (which opens the next). A window with nothing held closes quietly.
 */
export class PassWindows {
  private readonly open = new Map<string, { held: PassedNote | undefined; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly everyMs: number, private readonly deliver: Deliver) {}

  offer(userId: string, note: PassedNote): void {
    const key = `${note.board}\n${userId}`;
    const window = this.open.get(key);
    if (window !== undefined) {
      window.held = note;
      return;
    }
    this.deliver(userId, note);
    this.start(key, userId);
  }

  /** People and boards with a window open (tests read it). */
  get size(): number {
    return this.open.size;
  }

  stop(): void {
    for (const w of this.open.values()) clearTimeout(w.timer);
    this.open.clear();
  }

  private start(key: string, userId: string): void {
    const window = {
      held: undefined as PassedNote | undefined,
      timer: setTimeout(() => {
        this.open.delete(key);
        if (window.held === undefined) return;
        this.deliver(userId, window.held);
        this.start(key, userId);
      }, this.everyMs),
    };
    window.timer.unref?.();
    this.open.set(key, window);
  }
}

export function watchPasses(leaderboard: Leaderboard, presence: Presence, notes: Notifications, blocks: Blocks, log: Logger): () => void {
  let last: LeaderboardSnapshot | undefined;
  const windows = new PassWindows(PASS_NOTE_EVERY_MS, (userId, note) => {
    notes.send(userId, note).catch((error: unknown) => log.warn("pass notification failed", { error }));
  });
  const unsubscribe = leaderboard.subscribe((snapshot) => {
    const before = last;
    if (before !== undefined && snapshot.version <= before.version) return;
    last = snapshot;
    if (before === undefined) return;
    const found = [
      ...passes(before.allTime, snapshot.allTime, "allTime"),
      ...(before.day === snapshot.day ? passes(before.daily, snapshot.daily, "daily") : []),
    ].slice(0, MAX_PER_WRITE);
    if (found.length === 0) return;
    void (async () => {
      const key = `arena:passed:${snapshot.version}`;
      if ((await presence.incr(key)) !== 1) return;
      await presence.expire(key, 60);
      for (const { userId, note } of found) {
        // Nothing about a person one has blocked (checked before the note can be held in place of another).
        if (!(await blocks.blocked(userId, note.by.userId))) windows.offer(userId, note);
      }
    })().catch((error: unknown) => log.warn("pass notifications failed", { error }));
  });
  return () => {
    unsubscribe();
    windows.stop();
  };
}
