/** SDK clients in editor rooms, each with the shared EditorClient state machine driven by the room's messages. */
import { randomUUID } from "node:crypto";
import { type Room } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import {
  EditorClient, EditorMessage, ROOM_EDITOR,
  type CommittedOp, type EditorJoinOptions, type HelloOut, type OutgoingOp, type RefusedOut,
} from "@arena/shared/editor";
import { signIn, type SignedIn } from "./auth.ts";
import { waitForMessage } from "./waits.ts";

export interface Editor {
  room: Room;
  doc: EditorClient;
  hello: HelloOut;
  refused: RefusedOut[];
  dropped: string[];
  /** Joins the map again (after leave or losing its process), catching up from the version held; through `url` if given (another process). */
  rejoin(url?: string): Promise<void>;
  leave(): Promise<void>;
  /** Resolves once nothing of this editor awaits confirmation. */
  settled(timeoutMs?: number): Promise<void>;
}

/** Joins as a new guest named `name`, or as the person `as` (one person in several maps). */
export async function joinEditor(url: string, name: string, options: Omit<EditorJoinOptions, "clientId"> & { clientId?: string }, as?: SignedIn): Promise<Editor> {
  const signedIn = as ?? await signIn(url, name);
  let client = signedIn.client;
  const clientId = options.clientId ?? randomUUID().slice(0, 12);
  let room!: Room;
  let online = false;
  const outbox = (out: OutgoingOp) => {
    if (online) room.send(EditorMessage.Op, out);
  };
  const ed = { refused: [] as RefusedOut[], dropped: [] as string[] } as Editor;
  let doc: EditorClient | undefined;
  const connect = async (since: number | undefined) => {
    const { create, ...rest } = options;
    room = await client.joinOrCreate(ROOM_EDITOR, { ...rest, ...(doc === undefined && create ? { create } : {}), clientId, ...(since !== undefined && { since }) });
    room.onMessage("*", () => {});
    const hello = await waitForMessage<HelloOut>(room, EditorMessage.Hello);
    ed.room = room;
    ed.hello = hello;
    online = true;
    if (doc === undefined) {
      if (hello.catchUp.kind !== "snapshot") throw new Error("expected a snapshot on first join");
      doc = new EditorClient(hello.you, hello.catchUp.doc, hello.catchUp.v, outbox, (_op, reason) => ed.dropped.push(reason), hello.lastSeq);
      ed.doc = doc;
    } else {
      doc.reconnected(hello.catchUp);
    }
    const own = doc;
    room.onMessage(EditorMessage.Op, (c: CommittedOp) => own.receive(c));
    room.onMessage(EditorMessage.Refused, (r: RefusedOut) => ed.refused.push(r));
  };
  await connect(undefined);
  ed.rejoin = (otherUrl?: string) => {
    if (otherUrl !== undefined) {
      client = new JoinClient(otherUrl);
      client.auth.token = signedIn.token;
    }
    return connect(ed.doc.v);
  };
  ed.leave = async () => {
    online = false;
    ed.doc.disconnected();
    await room.leave();
  };
  ed.settled = async (timeoutMs = 5000) => {
    const until = Date.now() + timeoutMs;
    while (ed.doc.state !== "synchronized") {
      if (Date.now() > until) throw new Error(`editor ${name} never settled`);
      await waitForMessage(room, EditorMessage.Op, until - Date.now()).catch(() => undefined);
    }
  };
  return ed;
}

export function newMapId(): string {
  return `m${randomUUID().replaceAll("-", "")}`;
}

