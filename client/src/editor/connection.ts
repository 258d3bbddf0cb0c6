/**
 * The editor's link to its room: join, catch up, feed committed ops to the state machine, rejoin when dropped.
 * A server process that stops for a deploy hands the map to another one and closes its editors with 4010
 * (docs/PROTOCOL.md, "Editor rooms on the move"): the link then joins the map again at once, through matchmaking,
 * instead of letting the SDK retry the process that is going away.
 */
import { Client, type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import {
  EditorClient, EditorMessage, ROOM_EDITOR,
  type CommittedOp, type CursorIn, type CursorOut, type EditorsOut, type HelloOut, type OutgoingOp, type PublishedOut, type RefusedOut,
} from "@arena/shared/editor";

export interface ConnectionEvents {
  changed(): void;
  hello(hello: HelloOut): void;
  cursor(c: CursorOut): void;
  editors(e: EditorsOut): void;
  notice(text: string): void;
  status(text: string): void;
}

const REJOIN_DELAY_MS = 1000;
/** CloseCode.MAY_TRY_RECONNECT: the server moved the map's room to another process. */
const MOVED = 4010;
/** How long a publish waits for this page's own edits to be confirmed, then for the server's answer. */
const PUBLISH_TIMEOUT_MS = 10_000;

export class EditorConnection {
  doc: EditorClient | undefined;
  private room: Room | undefined;
  private online = false;
  /** The server address first, then `endpoints`: a join that fails goes to the next one. */
  private readonly clients: Client[];
  private using = 0;
  /** Called after each committed op or catch-up: a publish waits there until nothing of ours is unconfirmed. */
  private readonly onSettle = new Set<() => void>();
  private readonly onPublished = new Set<(answer: PublishedOut) => void>();

  constructor(serverUrl: string, token: string, private readonly mapId: string, private readonly code: string | undefined,
    private readonly create: boolean, private readonly clientId: string, private readonly events: ConnectionEvents,
    /** Other server addresses to join through when the first does not answer (SDK users without nginx, tests). */
    endpoints: readonly string[] = []) {
    this.clients = [serverUrl, ...endpoints].map((url) => {
      const client = new JoinClient(url);
      client.auth.token = token;
      return client;
    });
  }

  private send = (out: OutgoingOp): void => {
    if (this.online) this.room?.send(EditorMessage.Op, out);
  };

  async connect(): Promise<void> {
    const since = this.doc?.v;
    const room = await this.clients[this.using]!.joinOrCreate(ROOM_EDITOR, {
      mapId: this.mapId, clientId: this.clientId,
      ...(this.code !== undefined && { code: this.code }),
      ...(this.create && this.doc === undefined && { create: true }),
      ...(since !== undefined && { since }),
    });
    this.room = room;
    room.onMessage(EditorMessage.Hello, (hello: HelloOut) => {
      this.online = true;
      if (this.doc === undefined) {
        const snap = hello.catchUp;
        if (snap.kind !== "snapshot") throw new Error("first join without a snapshot");
        this.doc = new EditorClient(hello.you, snap.doc, snap.v, this.send, (_op, reason) => this.events.notice(`edit dropped: ${reason}`), hello.lastSeq);
      } else {
        this.doc.reconnected(hello.catchUp);
      }
      this.events.hello(hello);
      this.events.status("Connected");
      this.events.changed();
      this.settled();
    });
    room.onMessage(EditorMessage.Op, (c: CommittedOp) => {
      this.doc?.receive(c);
      this.events.changed();
      this.settled();
    });
    room.onMessage(EditorMessage.Publish, (answer: PublishedOut) => {
      for (const f of this.onPublished) f(answer);
    });
    room.onMessage(EditorMessage.Cursor, (c: CursorOut) => this.events.cursor(c));
    room.onMessage(EditorMessage.Editors, (e: EditorsOut) => this.events.editors(e));
    room.onMessage(EditorMessage.Refused, (r: RefusedOut) => {
      this.events.notice(`refused: ${r.error}`);
      if (r.seq !== undefined) {
        // Lagging past the log window is not bad input: keep the unsent edits, rebased on the server's state.
        if (r.resync) this.doc?.resync(r.doc, r.v, r.lastSeq);
        else this.doc?.reset(r.doc, r.v, r.lastSeq);
        this.events.changed();
      }
    });
    // The map moved to another process: the SDK's own retries would go to the one it left.
    room.onDrop((code) => {
      if (code === MOVED) room.reconnection.enabled = false;
    });
    room.onLeave((code) => {
      this.online = false;
      this.doc?.disconnected();
      this.events.status("Offline: edits are kept and sent on reconnection");
      setTimeout(() => void this.rejoin(), code === MOVED ? 0 : REJOIN_DELAY_MS);
    });
  }

  private async rejoin(): Promise<void> {
    try {
      await this.connect();
    } catch {
      this.using = (this.using + 1) % this.clients.length;
      setTimeout(() => void this.rejoin(), REJOIN_DELAY_MS);
    }
  }

  /** The room this link is in now (tests read it). */
  get current(): Room | undefined {
    return this.room;
  }

  private settled(): void {
    for (const f of this.onSettle) f();
  }

  /**
   * Publishes the map as the server holds it, once this page's own edits are all confirmed (so what was
   * on screen when the button was pressed is what gets checked); resolves with the server's answer.
   */
  publish(): Promise<PublishedOut> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.onSettle.delete(send);
        this.onPublished.delete(answered);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(this.online ? "the server did not answer" : "offline"));
      }, PUBLISH_TIMEOUT_MS);
      const answered = (answer: PublishedOut): void => {
        done();
        resolve(answer);
      };
      let sent = false;
      const send = (): void => {
        if (sent || !this.online || this.doc?.state !== "synchronized") return;
        sent = true;
        this.onSettle.delete(send);
        this.onPublished.add(answered);
        this.room?.send(EditorMessage.Publish, {});
      };
      this.onSettle.add(send);
      send();
    });
  }

  sendCursor(c: CursorIn): void {
    if (this.online) this.room?.send(EditorMessage.Cursor, c);
  }
}
