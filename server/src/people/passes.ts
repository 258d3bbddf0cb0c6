/**
 * "You were passed on the leaderboard": after each board write, the people
 * whose rank got worse hear who moved above them. Every process sees every
 * snapshot; the first to claim its version (`arena:passed:<version>`, incr)
 * sends, so each pass is told once.
 */
import type { Presence } from "@colyseus/core";
import type { LeaderboardEntry, LeaderboardSnapshot, PassedNote } from "@arena/shared";
import type { Leaderboard } from "../leaderboard/Leaderboard.ts";
import type { Logger } from "../log.ts";
import type { Blocks } from "./Blocks.ts";
import type { Notifications } from "./Notifications.ts";

/** At most this many pass notifications per board write (a big credit can reshuffle a board). */
const MAX_PER_WRITE = 20;

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

export function watchPasses(leaderboard: Leaderboard, presence: Presence, notes: Notifications, blocks: Blocks, log: Logger): () => void {
  let last: LeaderboardSnapshot | undefined;
  return leaderboard.subscribe((snapshot) => {
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
        // Nothing about a person one has blocked.
        if (!(await blocks.blocked(userId, note.by.userId))) await notes.send(userId, note);
      }
    })().catch((error: unknown) => log.warn("pass notifications failed", { error }));
  });
}
