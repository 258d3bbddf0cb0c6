/**
 * Keeps an SDK client in its match when the server process holding the match
 * dies, is paused, or is stopped for a deploy (docs/PROTOCOL.md, "Following a
 * match to another process").
 *
 * The SDK's own reconnection retries the process it was connected to, which
 * may be gone; a match taken over lives on another process. So on a drop (or
 * a silence: a paused process keeps its sockets open but sends nothing) this
 * asks matchmaking where the room is now, with the reconnection token:
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
  /** Other server addresses to ask when the client's own does not answer (a test's processes; nginx needs none). */
  endpoints?: readonly string[];
  /** No patch for this long means the process is stalled: look elsewhere. Default 2000 ms. */
  silenceMs?: number;
  /** Give up after this long without finding the match. Default 20000 ms. */
  giveUpMs?: number;
  /** One attempt waits this long for an answer (a paused process accepts connections and never answers). Default 3000 ms. */
  attemptMs?: number;
}

/** `p`, or a rejection after `ms`; a room that arrives too late is left at once. */
function answerWithin<R extends Room>(p: Promise<R>, ms: number): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    p.then((room) => {
      clearTimeout(timer);
      if (late) void room.leave(true);
      else resolve(room);
    }, (e: unknown) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Close codes the SDK reports as drops (it would retry the same process): CloseCode.NO_STATUS_RECEIVED, ABNORMAL_CLOSURE, GOING_AWAY, MAY_TRY_RECONNECT. */
const FAILED_TO_RECONNECT = 4003;
const FIRST_RETRY_MS = 100;
/** Retries stay close together: a match taken over is back ~1.5–2 s after a crash, and each refusal is answered at once. */
const MAX_RETRY_MS = 400;

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
  const attemptMs = o.attemptMs ?? 3000;
  const clients: Client[] = [client, ...(o.endpoints ?? []).map((e) => new Client(e))];
  let room = first;
  let moves = 0;
  let moving = false;
  let stopped = false;
  let lastHeard = Date.now();

  const attach = (r: R): void => {
    room = r;
    lastHeard = Date.now();
    r.onStateChange(() => (lastHeard = Date.now()));
    r.onDrop(() => {
      if (room !== r || stopped) return;
      r.reconnection.enabled = false; // the SDK would retry the process that dropped us; matchmaking knows better
      void move(r);
    });
    r.onLeave((code, reason) => {
      if (room !== r || moving || stopped) return;
      o.onLeave(code, reason);
    });
  };

  const watchdog = setInterval(() => {
    if (stopped || moving || Date.now() - lastHeard < silenceMs) return;
    const r = room;
    r.reconnection.enabled = false;
    void move(r);
    r.connection.close();
  }, Math.max(100, silenceMs / 4));

  const move = async (from: R): Promise<void> => {
    if (moving || room !== from) return;
    moving = true;
    o.onReconnecting?.();
    const token = from.reconnectionToken;
    const deadline = Date.now() + giveUpMs;
    let wait = FIRST_RETRY_MS;
    for (let attempt = 0; !stopped && Date.now() < deadline; attempt++) {
      const asking = clients[attempt % clients.length]!;
      try {
        const next = await answerWithin(asking.reconnect(token) as Promise<R>, attemptMs);
        if (stopped) {
          void next.leave(true);
          return;
        }
        moves++;
        attach(next);
        moving = false;
        o.onRoom(next);
        return;
      } catch {
        // The room is not listed yet (being taken over), its listing still names the process that died, or that process does not answer.
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(MAX_RETRY_MS, wait * 2);
    }
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
