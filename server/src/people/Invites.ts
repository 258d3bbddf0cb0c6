/**
 * Room invites between people. An invite is kept under `arena:invite:<id>`
 * for INVITE_TTL_S and reaches the invitee as an `invite` notification; at
 * most one invite per (inviter, invitee) pair is pending
 * (`arena:invite:pair:<from>:<to>`, same TTL). Answering removes both and
 * tells the inviter; accepting answers the room to join, or 410 when the
 * invite expired or its room is gone. An invitee who blocked the inviter gets
 * nothing, and the inviter a 403.
 */
import { randomUUID } from "node:crypto";
import { matchMaker, type Presence } from "@colyseus/core";
import { PeopleErrors, type InviteNote, type PersonRef } from "@arena/shared";
import type { Blocks } from "./Blocks.ts";
import type { ContactStore } from "./Contacts.ts";
import type { Notifications } from "./Notifications.ts";

const inviteKey = (id: string): string => `arena:invite:${id}`;
const pairKey = (from: string, to: string): string => `arena:invite:pair:${from}:${to}`;

export interface Invite {
  id: string;
  from: PersonRef;
  to: string;
  roomId: string;
  expiresAt: number;
}

export class InviteError extends Error {
  override name = "InviteError";
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export class Invites {
  constructor(
    private readonly presence: Presence,
    private readonly notes: Notifications,
    private readonly blocks: Blocks,
    private readonly ttlSeconds: number,
    private readonly contacts?: ContactStore,
  ) {}

  /** Invites `to` into `roomId`; throws an InviteError saying why not. */
  async invite(from: PersonRef, to: string, roomId: string): Promise<Invite> {
    if (to === from.userId) throw new InviteError(400, PeopleErrors.INVALID_REQUEST, "you cannot invite yourself");
    if (await this.blocks.blocked(to, from.userId)) throw new InviteError(403, PeopleErrors.BLOCKED, "this person does not take invites from you");
    const [room] = await matchMaker.query({ roomId });
    if (room === undefined) throw new InviteError(404, PeopleErrors.NOT_FOUND, `no room ${roomId}`);
    // incr is atomic in Redis: of two invites racing for one pair, one sees 1.
    const pending = await this.presence.incr(pairKey(from.userId, to));
    if (pending > 1) throw new InviteError(409, PeopleErrors.PENDING, "you already have an invite pending with this person; wait for an answer or its expiry");
    await this.presence.expire(pairKey(from.userId, to), this.ttlSeconds);
    const at = Date.now();
    const invite: Invite = { id: randomUUID(), from, to, roomId, expiresAt: at + this.ttlSeconds * 1000 };
    await this.presence.setex(inviteKey(invite.id), JSON.stringify(invite), this.ttlSeconds);
    const note: InviteNote = { kind: "invite", inviteId: invite.id, from, roomId, expiresAt: invite.expiresAt };
    // The note's time is the invite's, so its expiry is exactly INVITE_TTL_S after it, however long the writes take.
    await this.notes.send(to, note, at);
    // Both now have each other in their people lists.
    await this.contacts?.met(from.userId, [to], "invited");
    return invite;
  }

  /**
   * The invitee `by` answers. Accepting returns the room to join; an expired
   * invite or a room that is gone is a 410 (and the invite is dropped).
   */
  async answer(by: PersonRef, inviteId: string, accept: boolean): Promise<{ roomId: string } | undefined> {
    // null from Redis, undefined from the in-memory presence.
    const raw = (await this.presence.get(inviteKey(inviteId))) as string | null | undefined;
    if (raw === null || raw === undefined) throw new InviteError(410, PeopleErrors.EXPIRED, "this invite expired or was already answered");
    const invite = JSON.parse(raw) as Invite;
    if (invite.to !== by.userId) throw new InviteError(404, PeopleErrors.NOT_FOUND, "no such invite for you");
    await this.drop(invite);
    if (accept) {
      const [room] = await matchMaker.query({ roomId: invite.roomId });
      if (room === undefined) throw new InviteError(410, PeopleErrors.EXPIRED, "the room of this invite is gone");
    }
    // Someone the inviter has blocked since hears nothing back from them either.
    if (!(await this.blocks.blocked(invite.from.userId, by.userId))) {
      await this.notes.send(invite.from.userId, { kind: "invite_answer", inviteId, by, accepted: accept });
    }
    return accept ? { roomId: invite.roomId } : undefined;
  }

  private async drop(invite: Invite): Promise<void> {
    this.presence.del(inviteKey(invite.id));
    this.presence.del(pairKey(invite.from.userId, invite.to));
  }
}
