/**
 * Keeps an SDK client in its match when the server process holding the match
 * dies, is paused, or is stopped for a deploy (docs/PROTOCOL.md, "Following a
 * match to another process").
 *
 * The SDK's own reconnection retries the process it was connected to, which
 * may be gone; a match taken over lives on another process. A plain drop is
 * left to the SDK for `sdkGraceMs` (a network blip: the same Room object comes
 * back, voice links and all); past that, on a 4010 (the server moving the
 * match), or on a silence (a paused process keeps its sockets open but sends
 * nothing) this asks matchmaking where the room is now, with the reconnection token:
 * `POST /matchmake/reconnect/<roomId>` on any process (or through nginx),
 * which answers with a seat on the process holding the room, and connects
 * there. The match comes back as a new SDK Room (fresh state, fresh
 * prediction): `onRoom` hands it over, and the caller binds to it again.
 */
import { Client, type Room } from "@colyseus/sdk";

export interface FollowOptions<R extends Room> {
  /** The match's room after a move (a new Room object: bind state and message handlers again). */
  onRoom(room: R): void;
  /** The match is left for good (consented leave, a refusal, or no process took it back in time). */
  onLeave(code: number, reason?: string): void;
  /** The connection dropped and the match is being looked for (show "reconnecting…"). */
  onReconnecting?(): void;
  /** The SDK's own reconnection brought the same room back after a drop (hide "reconnecting…"). */
  onBack?(): void;
  /** Other server addresses to ask when the client's own does not answer (a test's processes; nginx needs none). */
  endpoints?: readonly string[];
  /** No patch for this long means the process is stalled: look elsewhere. Default 2000 ms. */
  silenceMs?: number;
  /** Give up after this long without finding the match. Default 20000 ms. */
  giveUpMs?: number;
  /**
   * One attempt waits this long for an answer (a paused process accepts connections and never answers). Default 4000 ms:
   * the server holds a reconnection to a match on the move for up to 2 s, until the match is back.
   */
  attemptMs?: number;
  /** After a plain drop, the SDK's own reconnection (to the same process) has this long before matchmaking is asked. Default 1000 ms. */
  sdkGraceMs?: number;
  /** Told of each attempt to find the match (diagnostics: where the time of a move goes). */
  onAttempt?(attempt: { endpoint: string; ms: number; error?: string }): void;
}

/**
 * `p`, or a rejection after `ms`. A room that arrives after that goes to `late`: it took the seat (the
 * reconnection token opens it once), so it is the match now if no other attempt got there first; leaving it
 * would lose the seat for good (every later attempt is refused "reconnection token invalid or expired").
 */
function answerWithin<R extends Room>(p: Promise<R>, ms: number, late: (room: R) => void): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let tooLate = false;
    const timer = setTimeout(() => {
      tooLate = true;
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    p.then((room) => {
      clearTimeout(timer);
      if (tooLate) late(room);
      else resolve(room);
    }, (e: unknown) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Close codes the SDK reports as drops (it would retry the same process): CloseCode.NO_STATUS_RECEIVED, ABNORMAL_CLOSURE, GOING_AWAY, MAY_TRY_RECONNECT. */
const FAILED_TO_RECONNECT = 4003;
/** CloseCode.MAY_TRY_RECONNECT: the server closed the connection because the match is moving (a deploy's handover). */
const MOVED = 4010;
const FIRST_RETRY_MS = 100;
/**
 * Retries stay close together: a match taken over is back ~1.5–2 s after a crash, each refusal is answered at
 * once (the server refuses a reconnection to a process that is gone without asking it), and the wait between
 * the match being back and the next retry is part of every player's gap.
 */
const MAX_RETRY_MS = 250;

export interface MatchFollower<R extends Room> {
  /** The room the match is in now. */
  readonly room: R;
  /** Moves made so far (each a takeover or a reconnection). */
  readonly moves: number;
  stop(): void;
}

export function followMatch<R extends Room>(client: Client, first: R, o: FollowOptions<R>): MatchFollower<R> {
  const silenceMs = o.silenceMs ?? 2000;
  const giveUpMs = o.giveUpMs ?? 20_000;
  const attemptMs = o.attemptMs ?? 4000;
  const sdkGraceMs = o.sdkGraceMs ?? 1000;
  const clients: Client[] = [client, ...(o.endpoints ?? []).map((e) => new Client(e))];
  let room = first;
  let moves = 0;
  /** The client (endpoint) the current room came through: likely the process that just went away, so asked last. */
  let through = 0;
  let moving = false;
  let stopped = false;
  let lastHeard = Date.now();
  /** When the SDK's own reconnection last brought the current room back. */
  let reconnectedAt = 0;

  const attach = (r: R): void => {
    room = r;
    lastHeard = Date.now();
    r.onStateChange(() => (lastHeard = Date.now()));
    const attachedAt = Date.now();
    r.onReconnect(() => {
      lastHeard = Date.now();
      reconnectedAt = lastHeard;
      if (room === r && !moving && !stopped) o.onBack?.(); // a move under way says so itself
    });
    r.onDrop((code) => {
      if (room !== r || stopped || moving) return;
      // A drop from a process that is still up (a network blip) is the SDK's own reconnection's to mend: the same
      // Room object comes back, and what hangs on it (voice links, which only restart ICE) carries on. 4010 is the
      // server moving the match (a deploy), and a room the SDK will not retry (too young, or retries off) has
      // nothing to wait for: both ask matchmaking at once, as does a retry that has not succeeded within sdkGraceMs
      // (the process died: its match is claimed elsewhere after its lease runs out, which takes longer anyway).
      const sdkRetries = code !== MOVED && r.reconnection.enabled && Date.now() - attachedAt >= r.reconnection.minUptime;
      if (!sdkRetries) {
        r.reconnection.enabled = false;
        void move(r);
        return;
      }
      const droppedAt = Date.now();
      o.onReconnecting?.();
      setTimeout(() => {
        if (room !== r || stopped || moving || reconnectedAt >= droppedAt) return;
        r.reconnection.enabled = false; // its next failure ends its retries; matchmaking knows where the match is
        void move(r);
      }, sdkGraceMs);
    });
    r.onLeave((code, reason) => {
      if (room !== r || moving || stopped) return;
      o.onLeave(code, reason);
    });
  };

  const watchPeriodMs = Math.max(100, silenceMs / 4);
  let watchedAt = Date.now();
  const watchdog = setInterval(() => {
    const now = Date.now();
    // This check itself ran late: the page's own thread was stalled (a busy tab, a slow frame), so the silence is the
    // page's, not the server's; patches that waited behind the stall are delivered next.
    const stalled = now - watchedAt > 2 * watchPeriodMs;
    watchedAt = now;
    if (stalled) lastHeard = Math.max(lastHeard, now - watchPeriodMs);
    if (stopped || moving || now - lastHeard < silenceMs) return;
    const r = room;
    if (r.reconnection.isReconnecting && r.reconnection.enabled) return; // the drop's own timer decides
    r.reconnection.enabled = false;
    void move(r);
    r.connection.close();
  }, watchPeriodMs);

  const move = async (from: R): Promise<void> => {
    if (moving || room !== from) return;
    moving = true;
    o.onReconnecting?.();
    const token = from.reconnectionToken;
    const startedAt = Date.now();
    const deadline = startedAt + giveUpMs;
    let wait = FIRST_RETRY_MS;
    for (let attempt = 0; !stopped && Date.now() < deadline; attempt++) {
      if (room !== from) return;
      if (reconnectedAt >= startedAt) {
        // An SDK retry already under way when the move began brought the same room back: stay on it.
        moving = false;
        o.onBack?.();
        return;
      }
      const index = (through + 1 + attempt) % clients.length;
      const asking = clients[index]!;
      const askedAt = Date.now();
      const tell = (error?: string): void => o.onAttempt?.({ endpoint: `${asking.settings.hostname}:${asking.settings.port}`, ms: Date.now() - askedAt, ...(error !== undefined ? { error } : {}) });
      // The match's room once found: by this attempt, or by an earlier one that answered after its time.
      const arrived = (next: R): void => {
        if (stopped || room !== from) {
          void next.leave(true);
          return;
        }
        moves++;
        through = index;
        attach(next);
        moving = false;
        o.onRoom(next);
      };
      try {
        const next = await answerWithin(asking.reconnect(token) as Promise<R>, attemptMs, (late) => {
          o.onAttempt?.({ endpoint: `${asking.settings.hostname}:${asking.settings.port}`, ms: Date.now() - askedAt, error: "answered late: taken" });
          arrived(late);
        });
        tell();
        arrived(next);
        return;
      } catch (error) {
        // The room is not listed yet (being taken over), its listing still names the process that died, or that process does not answer.
        tell((error as Error).message ?? String(error));
      }
      if (room !== from) return; // an attempt that had timed out answered meanwhile
      await new Promise((r) => setTimeout(r, wait));
      if (room !== from) return;
      wait = Math.min(MAX_RETRY_MS, wait * 2);
    }
    if (room !== from) return;
    moving = false;
    if (!stopped) {
      stopped = true;
      clearInterval(watchdog);
      o.onLeave(FAILED_TO_RECONNECT, "the match could not be found again");
    }
  };

  attach(first);
  return {
    get room() {
      return room;
    },
    get moves() {
      return moves;
    },
    stop: () => {
      stopped = true;
      clearInterval(watchdog);
    },
  };
}
