/**
 * One map being edited: the authoritative document (EditorAuthority from shared/), its log, who is in
 * it and with which right. Every op is validated (zod), rate limited and refused with the state to
 * start over from when it is bad; committed ops are broadcast in version order and persisted.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { CloseCode, ErrorCode, Room, ServerError, type AuthContext, type Client } from "@colyseus/core";
import { JoinErrorCodes } from "@arena/shared";
import {
  EditorAuthority, EditorMessage, EditorPublishErrors, documentToArenaMap, emptyMapDocument, publishProblems,
  type CursorOut, type EditorPresence, type MapDocument, type EditorRole, type EditorsOut, type HelloOut, type PublishedOut, type RefusedOut,
} from "@arena/shared/editor";
import type { GuestIdentity } from "../../auth.ts";
import { configuredRoom } from "../configuredRoom.ts";
import { redeemJoinTicket } from "../../matchmaking/joinTickets.ts";
import type { Logger } from "../../log.ts";
import { TokenBucket } from "../../limits/TokenBucket.ts";
import { CursorInSchema, JoinOptionsSchema, OpInSchema, describeIssue } from "./messages.ts";
import type { EditorQuotas } from "./quotas.ts";
import type { MapStore, StoredMap } from "./store.ts";
import type { People } from "../../people/People.ts";

/** Ops one editor may send: a burst, refilled over a window (drawing a wall by dragging sends a few a second). */
export const EDITOR_OP_BURST = 60;
export const EDITOR_OP_WINDOW_MS = 2000;
/** Cursor updates: the client throttles to 20 a second; more is refused silently. */
export const EDITOR_CURSOR_BURST = 40;
export const EDITOR_CURSOR_WINDOW_MS = 1000;
const MAX_EDITORS = 16;
const COLORS = [0xe6194b, 0x3cb44b, 0x4363d8, 0xf58231, 0x911eb4, 0x42d4f4, 0xf032e6, 0xbfef45, 0xfabed4, 0x469990, 0xdcbeff, 0x9a6324, 0x800000, 0xaaffc3, 0x808000, 0x000075];

export interface EditorSettings {
  readonly authSecret: Uint8Array;
  readonly log: Logger;
  readonly store: MapStore;
  /** Per-person limits: maps held, publishes per minute, versions per map, the draft TTL. */
  readonly quotas: EditorQuotas;
  /** Who is online: an editor counts as "editing"; none in unit setups. */
  readonly people?: People;
}

/** How often an open map is touched so that its draft does not expire under its editors: well inside the TTL. */
export function touchEveryMs(draftTtlSeconds: number): number {
  return Math.max(250, Math.min(10 * 60_000, (draftTtlSeconds * 1000) / 3));
}

interface EditorSession {
  role: EditorRole;
  clientId: string;
  color: number;
  ops: TokenBucket;
  cursors: TokenBucket;
}

type EditorIdentity = GuestIdentity & { readonly role: EditorRole };
type EditorClient = Client<{ userData: EditorSession; auth: EditorIdentity }>;

function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export abstract class EditorRoom extends Room<{ client: EditorClient }> {
  protected abstract readonly settings: EditorSettings;
  private log!: Logger;
  private map!: Omit<StoredMap, "authority" | "creator"> & { creator: string | undefined };
  private authority!: EditorAuthority;
  private saving: Promise<void> = Promise.resolve();
  private publishing: Promise<void> = Promise.resolve();
  private dirty = false;
  private sinceSave = 0;
  /** An op could not be stored: the next save replaces the stored ops (see MapStore.save). */
  private distrust = false;
  /** Acknowledgements in version order, each sent once its op is stored. */
  private acks: Promise<void> = Promise.resolve();
  /** The newest state whose ops are all stored: what joiners and refused clients start from. */
  private stored!: { v: number; doc: MapDocument };
  /** Handing the map to another process (SIGTERM, handover.ts): ops are left unconfirmed, to be sent again there. */
  private handingOver = false;

  override async onCreate(options: unknown): Promise<void> {
    const parsed = JoinOptionsSchema.safeParse(options);
    if (!parsed.success) throw new ServerError(ErrorCode.MATCHMAKE_INVALID_CRITERIA, `invalid options: ${describeIssue(parsed.error)}`);
    const { mapId, create } = parsed.data;
    this.log = this.settings.log.child({ room: this.roomId, mapId });
    const stored = await this.settings.store.load(mapId);
    if (stored) {
      const { gapAt, ...map } = stored;
      this.map = map;
      this.authority = EditorAuthority.fromSnapshot(stored.authority);
      if (gapAt !== undefined) {
        this.log.error("editor map stored with a gap: opened at the version before it", { v: this.authority.v, missing: gapAt });
        this.distrust = true;
        this.persist();
      }
    } else if (create) {
      // The creator is whoever joins first; the id is random and chosen by that client.
      this.map = { mapId, editCode: randomBytes(12).toString("base64url"), viewCode: randomBytes(12).toString("base64url"), creator: undefined };
      this.authority = new EditorAuthority(emptyMapDocument("untitled"));
    } else {
      throw new ServerError(ErrorCode.MATCHMAKE_INVALID_CRITERIA, `no map ${mapId}`);
    }
    this.stored = { v: this.authority.v, doc: this.authority.doc };
    this.maxClients = MAX_EDITORS;
    // An open map is in use: its draft must not expire under its editors, however idle they are.
    if (stored) this.touch();
    this.clock.setInterval(() => this.touch(), touchEveryMs(this.settings.quotas.limits.draftTtlSeconds));
    this.onMessage(EditorMessage.Op, (client: EditorClient, message: unknown) => this.onOp(client, message));
    // One publish at a time: the file store numbers a version by counting those before it.
    this.onMessage(EditorMessage.Publish, (client: EditorClient) => {
      this.publishing = this.publishing.then(() => this.onPublish(client)).catch((error: unknown) => {
        this.log.error("map not published", { session: client.sessionId, error });
        client.send(EditorMessage.Publish, { ok: false, problems: ["the map could not be stored; try again"] } satisfies PublishedOut);
      });
    });
    this.onMessage(EditorMessage.Cursor, (client: EditorClient, message: unknown) => this.onCursor(client, message));
    this.onMessage("*", (client: EditorClient, type: string | number) => this.refuse(client, `unknown message type ${String(type).slice(0, 40)}`));
    this.log.info("editor room created", { v: this.authority.v, created: !stored });
  }

  /** At connect: the seat's join ticket (matchmaking/joinTickets.ts); the guest token was checked at matchmaking. */
  override async onAuth(client: EditorClient, options: unknown, context: AuthContext): Promise<EditorIdentity> {
    const identity = redeemJoinTicket(this.settings.authSecret, context.token, { roomId: this.roomId, sessionId: client.sessionId });
    const parsed = JoinOptionsSchema.safeParse(options);
    if (!parsed.success) throw new ServerError(ErrorCode.AUTH_FAILED, `invalid options: ${describeIssue(parsed.error)}`);
    if (parsed.data.mapId !== this.map.mapId) throw new ServerError(ErrorCode.AUTH_FAILED, "wrong map");
    const isNew = this.map.creator === undefined;
    const role = this.roleOf(identity, parsed.data.code);
    if (role === undefined) throw new ServerError(ErrorCode.AUTH_FAILED, "a valid edit or view code is needed for this map");
    if (isNew && this.map.creator === identity.userId) await this.claimForCreator(identity);
    return { ...identity, role };
  }

  /** The first joiner of a new map becomes its creator only within their quota of maps (EDITOR_MAPS_PER_PERSON). */
  private async claimForCreator(creator: GuestIdentity): Promise<void> {
    const max = this.settings.quotas.limits.mapsPerPerson;
    let claimed: boolean;
    try {
      claimed = await this.settings.store.claim(creator.userId, this.map.mapId, max);
    } catch (error) {
      this.map = { ...this.map, creator: undefined };
      this.log.error("editor map claim failed", { error: String(error) });
      throw new ServerError(ErrorCode.APPLICATION_ERROR, "maps cannot be created right now; try again");
    }
    if (claimed) return;
    this.map = { ...this.map, creator: undefined };
    this.log.info("editor map refused: quota", { userId: creator.userId, max });
    throw new ServerError(JoinErrorCodes.TOO_MANY_MAPS, `you have ${max} maps, the most one person may keep; publish one or wait for an unpublished draft to expire`);
  }

  private roleOf(auth: GuestIdentity, code: string | undefined): EditorRole | undefined {
    if (this.map.creator === undefined && this.clients.length === 0) this.map = { ...this.map, creator: auth.userId };
    if (this.map.creator === auth.userId) return "edit";
    if (code !== undefined && sameCode(code, this.map.editCode)) return "edit";
    if (code !== undefined && sameCode(code, this.map.viewCode)) return "view";
    return undefined;
  }

  override onJoin(client: EditorClient, options: unknown): void {
    const parsed = JoinOptionsSchema.parse(options);
    const role = client.auth!.role;
    const used = new Set(this.clients.map((c) => c.userData?.color));
    const color = COLORS.find((c) => !used.has(c)) ?? COLORS[0]!;
    const now = Date.now();
    client.userData = {
      role, clientId: `${client.auth!.userId}.${parsed.clientId}`, color,
      ops: new TokenBucket(EDITOR_OP_BURST, EDITOR_OP_WINDOW_MS, now),
      cursors: new TokenBucket(EDITOR_CURSOR_BURST, EDITOR_CURSOR_WINDOW_MS, now),
    };
    const isCreator = this.map.creator === client.auth!.userId;
    const hello: HelloOut = {
      role,
      mapId: this.map.mapId,
      you: client.userData.clientId,
      ...(isCreator && { codes: { edit: this.map.editCode, view: this.map.viewCode } }),
      catchUp: this.authority.catchUp(parsed.since ?? -1, client.userData.clientId, this.stored),
      lastSeq: this.authority.lastSeqOf(client.userData.clientId),
    };
    client.send(EditorMessage.Hello, hello);
    if (isCreator && this.authority.v === 0) this.persist();
    this.settings.people?.listed(this.roomId, client, client.auth!, () => ({ status: "editing" }));
    this.sendEditors();
    this.log.info("editor joined", { session: client.sessionId, role, since: parsed.since });
  }

  override onLeave(client: EditorClient): void {
    this.settings.people?.disconnected(this.roomId, client);
    this.sendEditors();
    this.log.info("editor left", { session: client.sessionId });
  }

  override async onDispose(): Promise<void> {
    await this.acks;
    if (this.sinceSave > 0) this.persist();
    await this.saving;
    // A draft's TTL counts from when its last editor left (no map: its creation was refused).
    if (this.map !== undefined) this.touch();
    this.log.info("editor room disposed", { v: this.authority?.v });
  }

  private sendEditors(): void {
    const editors: EditorPresence[] = this.clients.filter((c) => c.userData).map((c) => ({
      sessionId: c.sessionId, name: c.auth?.name ?? "", color: c.userData!.color, role: c.userData!.role,
    }));
    this.broadcast(EditorMessage.Editors, { editors } satisfies EditorsOut);
  }

  /** Refuses what a client sent; it gets the reason and the state to start over from, nothing changes. */
  private refuse(client: EditorClient, error: string, seq?: number, resync?: true): void {
    const clientId = client.userData?.clientId ?? "";
    const out: RefusedOut = {
      error, ...(seq !== undefined && { seq }), ...(resync && { resync }),
      v: this.stored.v, doc: this.stored.doc, lastSeq: this.authority.lastSeqAt(clientId, this.stored.v),
    };
    client.send(EditorMessage.Refused, out);
    this.log.warn("editor message refused", { session: client.sessionId, error });
  }

  private onOp(client: EditorClient, message: unknown): void {
    const session = client.userData;
    if (!session || this.handingOver) return;
    if (session.role !== "edit") return this.refuse(client, "view only: this link cannot edit");
    if (!session.ops.take(Date.now())) return this.refuse(client, "too many edits: slow down");
    const parsed = OpInSchema.safeParse(message);
    if (!parsed.success) return this.refuse(client, `malformed op: ${describeIssue(parsed.error)}`);
    const { seq, base, op } = parsed.data;
    const result = this.authority.submit(session.clientId, seq, base, op);
    if (!result.ok) return this.refuse(client, result.error, seq, result.resync);
    const { committed } = result;
    if (result.duplicate) {
      // A resend of an op already committed: the author is told again (once it is stored), nobody else.
      this.acks = this.acks.then(() => client.send(EditorMessage.Op, committed));
      return;
    }
    // Stored before acknowledged, so a process killed right after loses no op anyone saw confirmed.
    // Appends start at once (pipelined); acknowledgements go out in version order.
    const stored = this.settings.store.append(this.map.mapId, committed).catch((err: unknown) => {
      this.log.error("editor op not stored: saving the whole map", { v: committed.v, error: String(err) });
      this.distrust = true;
      this.persist();
      return this.saving;
    });
    const doc = this.authority.doc;
    this.acks = Promise.all([this.acks, stored]).then(() => {
      this.stored = { v: committed.v, doc };
      this.broadcast(EditorMessage.Op, committed);
    });
    if (++this.sinceSave >= this.settings.store.saveEvery) this.persist();
  }

  private async onPublish(client: EditorClient): Promise<void> {
    const session = client.userData;
    if (!session) return;
    if (session.role !== "edit") return this.refuse(client, "view only: this link cannot publish");
    if (!session.ops.take(Date.now())) return this.refuse(client, "too many edits: slow down");
    const doc = this.authority.doc;
    const problems = publishProblems(doc);
    if (problems.length > 0) {
      client.send(EditorMessage.Publish, { ok: false, problems } satisfies PublishedOut);
      return;
    }
    const { limits } = this.settings.quotas;
    const retryAfterS = await this.settings.quotas.publish(client.auth!.userId);
    if (retryAfterS !== undefined) {
      client.send(EditorMessage.Publish, {
        ok: false, error: EditorPublishErrors.RATE_LIMITED, retryAfterS,
        problems: [`you published ${limits.publishesPerMinute} times in the last minute; try again in ${retryAfterS} s (your draft is kept)`],
      } satisfies PublishedOut);
      return;
    }
    const version = await this.settings.store.publish(this.map.mapId, documentToArenaMap(doc), limits.versionsPerMap);
    if (version === "full") {
      client.send(EditorMessage.Publish, {
        ok: false, error: EditorPublishErrors.TOO_MANY_VERSIONS,
        problems: [`this map has ${limits.versionsPerMap} published versions, the most kept; its draft is kept, and a new map can be published`],
      } satisfies PublishedOut);
      return;
    }
    this.log.info("map published", { version, v: this.authority.v });
    client.send(EditorMessage.Publish, { ok: true, version, url: `/api/maps/${this.map.mapId}/${version}` } satisfies PublishedOut);
  }

  private onCursor(client: EditorClient, message: unknown): void {
    const session = client.userData;
    if (!session || !session.cursors.take(Date.now())) return;
    const parsed = CursorInSchema.safeParse(message);
    if (!parsed.success) return this.refuse(client, `malformed cursor: ${describeIssue(parsed.error)}`);
    this.broadcast(EditorMessage.Cursor, { ...parsed.data, from: client.sessionId } satisfies CursorOut, { except: client });
  }

  /**
   * Hands the map to another process (handover.ts): no op is taken from now on (each stays unconfirmed at its
   * editor, who sends it again to the new room), every op taken is stored and acknowledged, a snapshot is saved,
   * then `reopened` has another process open the map; once it has, the editors are closed with 4010 and join it.
   * Resolves false, the room going on as it was, when no other process opened the map.
   */
  async handOver(reopened: (mapId: string) => Promise<boolean>): Promise<boolean> {
    if (this.handingOver || this.map === undefined) return false;
    this.handingOver = true;
    await this.acks;
    this.persist();
    await this.saving;
    if (!(await reopened(this.map.mapId))) {
      this.handingOver = false;
      return false;
    }
    // Joins go to the new room from now on (a locked room is not matched), then the editors are told to move.
    await this.lock();
    this.log.info("editor room handed over", { v: this.authority.v });
    void this.disconnect(CloseCode.MAY_TRY_RECONNECT);
    return true;
  }

  /** Restarts the draft's expiry (once the map is stored: touching a map not written yet does nothing). */
  private touch(): void {
    this.settings.store.touch(this.map.mapId).catch((error: unknown) => this.log.warn("editor map not touched", { error: String(error) }));
  }

  /** Saves the whole map behind: at most one write at a time, the latest state in it. */
  private persist(): void {
    this.sinceSave = 0;
    if (this.dirty) return;
    this.dirty = true;
    this.saving = this.saving.then(async () => {
      this.dirty = false;
      const { creator } = this.map;
      if (creator === undefined) return;
      const distrustLog = this.distrust;
      this.distrust = false;
      try {
        await this.settings.store.save({ ...this.map, creator, authority: this.authority.snapshot() }, { distrustLog });
      } catch (err) {
        if (distrustLog) this.distrust = true;
        throw err;
      }
    }).catch((err: unknown) => this.log.error("editor map not saved", { error: String(err) }));
  }
}

/** An editor room class bound to this process's settings. */
export function editorRoom(settings: EditorSettings): new () => EditorRoom {
  return configuredRoom(EditorRoom, settings);
}
