/**
 * Writes to one event stream without buffering behind a reader that does not
 * keep up. Once the socket refuses more (`write` returns false), nothing else
 * is queued: later snapshots replace each other and only the newest is sent
 * when the socket drains (each snapshot is the whole board, so skipping the
 * ones in between loses nothing), keep-alives are skipped, and a reader that
 * takes nothing for `stallMs` is dropped. What a stream holds in memory is
 * bounded by one socket buffer plus one snapshot, however slow its reader.
 */
import type { ServerResponse } from "node:http";
import type { LeaderboardSnapshot } from "@arena/shared";

/** Every stream gets the same snapshot object from the fan-out: serialize it once, not once per stream. */
const serialized = new WeakMap<LeaderboardSnapshot, string>();

export function eventText(name: "snapshot" | "update", snapshot: LeaderboardSnapshot): string {
  let data = serialized.get(snapshot);
  if (data === undefined) serialized.set(snapshot, (data = JSON.stringify(snapshot)));
  return `id: ${snapshot.version}\nevent: ${name}\ndata: ${data}\n\n`;
}

export class SseWriter {
  private blocked = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private pending: LeaderboardSnapshot | undefined;
  /** Version of the last snapshot written (or skipped past), -1 before the first. */
  sentVersion = -1;

  constructor(private readonly res: ServerResponse, private readonly stallMs: number, private readonly onStall: () => void) {
    res.once("close", () => clearTimeout(this.stallTimer));
  }

  /** Writes a comment or the retry field; dropped while the reader is behind. */
  raw(text: string): void {
    if (!this.blocked) this.write(text);
  }

  /**
   * Writes one event that must not be skipped or merged (a notification, a
   * status sample). Returns false, writing nothing, while the reader is
   * behind: the caller drops or ends the stream instead of queueing.
   */
  event(text: string): boolean {
    if (this.blocked) return false;
    this.write(text);
    return true;
  }

  /** Sends `snapshot` under `name` if newer than the last one; behind a slow reader, keeps only the newest. */
  snapshot(name: "snapshot" | "update", snapshot: LeaderboardSnapshot): void {
    if (snapshot.version <= this.sentVersion && name === "update") return;
    this.sentVersion = Math.max(this.sentVersion, snapshot.version);
    if (this.blocked) {
      this.pending = snapshot;
      return;
    }
    this.write(eventText(name, snapshot));
  }

  private write(text: string): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    if (this.res.write(text)) return;
    this.blocked = true;
    this.stallTimer = setTimeout(this.onStall, this.stallMs);
    this.res.once("drain", () => {
      clearTimeout(this.stallTimer);
      this.blocked = false;
      const next = this.pending;
      this.pending = undefined;
      if (next !== undefined) this.write(eventText("update", next));
    });
  }
}
