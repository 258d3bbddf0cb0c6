/**
 * The people routes, all JSON with `Authorization: Bearer <guest token>`
 * except the stream (a ticket in the query, see tickets.ts):
 *   POST /api/auth/refresh             { name? }: a fresh token for the same person
 *   GET  /api/people                   your scoped list (PeopleScope.ts: room-mates, played with, invited,
 *                                      blocked; online; capped) a page at a time (peoplePage.ts), and the
 *                                      online counts; always the caller's own, by the token
 *   GET  /api/notifications            the kept ones and the unread count
 *   POST /api/notifications/read       { upTo }: mark read
 *   POST /api/notifications/ticket     a one-minute ticket for the stream
 *   GET  /api/notifications/stream     SSE, ?ticket=; Last-Event-ID replays
 *   POST /api/invites                  { to, roomId }
 *   POST /api/invites/:id/answer       { accept }
 *   GET/POST /api/blocks, DELETE /api/blocks/:userId
 * Refusals are `{ error, message }` (PeopleErrors, or rate_limited with 429).
 */
import express, { type Application, type Request, type Response } from "express";
import { z } from "zod";
import { getBearerToken } from "@colyseus/core";
import { PeopleErrors, cleanName, comparePeople, type Notification } from "@arena/shared";
import { AuthError, issueGuestToken, verifyGuestToken, type GuestIdentity } from "../auth.ts";
import { openEventStream } from "../eventStream.ts";
import type { RateLimits } from "../limits/RateLimits.ts";
import type { StreamCaps } from "../limits/StreamCaps.ts";
import type { Logger } from "../log.ts";
import { InviteError } from "./Invites.ts";
import { pageOf, pageRequest } from "./peoplePage.ts";
import type { People } from "./People.ts";
import { checkTicket, issueTicket } from "../tickets.ts";

const USER_ID = z.string().regex(/^g_[0-9a-f-]{36}$/, "must be a user id (g_…)");
const InviteBody = z.object({ to: USER_ID, roomId: z.string().min(1).max(64) }).strict();
const AnswerBody = z.object({ accept: z.boolean() }).strict();
const ReadBody = z.object({ upTo: z.number().int().min(0) }).strict();
/** A refresh may also rename the person; the user id stays. */
const RefreshBody = z.object({ name: z.string().max(64).optional() }).strict();
const BlockBody = z.object({ userId: USER_ID, name: z.string().max(64).optional() }).strict();

export interface PeopleRouteOptions {
  readonly authSecret: Uint8Array;
  readonly limits: RateLimits;
  readonly caps: StreamCaps;
  readonly keepAliveMs: number;
  readonly stallMs: number;
}

type Handler = (who: GuestIdentity, req: Request, res: Response) => Promise<void>;

export function mountPeopleRoutes(app: Application, people: People, opts: PeopleRouteOptions, log: Logger): void {
  const json = express.json({ limit: "2kb" });
  /** Checks the bearer token, then runs `handler`; an InviteError or bad body becomes its JSON refusal. */
  const authed = (handler: Handler) => async (req: Request, res: Response): Promise<void> => {
    let who: GuestIdentity;
    try {
      who = await verifyGuestToken(opts.authSecret, getBearerToken(req.headers.authorization ?? "") ?? "");
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      res.status(401).json({ error: PeopleErrors.AUTH_FAILED, message: e.message });
      return;
    }
    try {
      await handler(who, req, res);
    } catch (e) {
      if (e instanceof InviteError) {
        res.status(e.status).json({ error: e.code, message: e.message });
        return;
      }
      if (e instanceof z.ZodError) {
        res.status(400).json({ error: PeopleErrors.INVALID_REQUEST, message: e.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ") });
        return;
      }
      log.error("people route failed", { path: req.path, error: e });
      if (!res.headersSent) res.status(500).json({ error: "internal", message: "internal error" });
    }
  };
  const guard = opts.limits.guard("people");

  app.post("/api/auth/refresh", opts.limits.guard("signIn"), json, authed(async (who, req, res) => {
    const body = RefreshBody.parse(req.body ?? {});
    const name = body.name === undefined ? who.name : cleanName(body.name);
    if (name === "") throw new InviteError(400, PeopleErrors.INVALID_REQUEST, "name must contain printable characters");
    res.json(await issueGuestToken(opts.authSecret, name, undefined, who.userId));
  }));

  app.get("/api/people", guard, authed(async (who, req, res) => {
    const page = pageRequest(req.query);
    const counts = people.counts();
    res.setHeader("Cache-Control", "no-store");
    res.json({ ...pageOf((await people.scope.of(who.userId)).sort(comparePeople), page, counts.online), counts });
  }));

  app.get("/api/notifications", guard, authed(async (who, _req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json(await people.notes.inbox(who.userId));
  }));

  app.post("/api/notifications/read", guard, json, authed(async (who, req, res) => {
    res.json(await people.notes.markRead(who.userId, ReadBody.parse(req.body).upTo));
  }));

  app.post("/api/notifications/ticket", guard, authed(async (who, _req, res) => {
    res.json(await issueTicket(opts.authSecret, who));
  }));

  app.post("/api/invites", guard, json, authed(async (who, req, res) => {
    const body = InviteBody.parse(req.body);
    if (!(await opts.limits.admitKey("invite", `u:${who.userId}`, res, "from you"))) return;
    const invite = await people.invites.invite({ userId: who.userId, name: who.name }, body.to, body.roomId);
    log.info("invite sent", { from: who.userId, to: body.to, roomId: body.roomId, invite: invite.id });
    res.status(201).json({ inviteId: invite.id, expiresAt: invite.expiresAt });
  }));

  app.post("/api/invites/:id/answer", guard, json, authed(async (who, req, res) => {
    const { accept } = AnswerBody.parse(req.body);
    const id = z.string().uuid().parse(req.params.id);
    const joined = await people.invites.answer({ userId: who.userId, name: who.name }, id, accept);
    res.json(joined ?? { declined: true });
  }));

  app.get("/api/blocks", guard, authed(async (who, _req, res) => {
    res.json(await people.blocks.list(who.userId));
  }));

  app.post("/api/blocks", guard, json, authed(async (who, req, res) => {
    const body = BlockBody.parse(req.body);
    if (body.userId === who.userId) throw new InviteError(400, PeopleErrors.INVALID_REQUEST, "you cannot block yourself");
    if (!(await people.blocks.block(who.userId, { userId: body.userId, name: body.name ?? "" }))) {
      throw new InviteError(409, PeopleErrors.INVALID_REQUEST, "your block list is full");
    }
    res.status(201).json(await people.blocks.list(who.userId));
  }));

  app.delete("/api/blocks/:userId", guard, authed(async (who, req, res) => {
    await people.blocks.unblock(who.userId, USER_ID.parse(req.params.userId));
    res.json(await people.blocks.list(who.userId));
  }));

  app.get("/api/notifications/stream", opts.limits.guard("sseConnect"), (req, res) => void openStream(req, res));

  async function openStream(req: Request, res: Response): Promise<void> {
    const who = await checkTicket(opts.authSecret, req.query.ticket);
    if (who === undefined) {
      res.status(401).json({ error: PeopleErrors.AUTH_FAILED, message: "a valid stream ticket is required (POST /api/notifications/ticket)" });
      return;
    }
    const stream = openEventStream(req, res, { ...opts, log }, "notification");
    if (stream === undefined) return;
    const { writer } = stream;
    let sentId = Number(req.header("last-event-id") ?? 0);
    if (!Number.isInteger(sentId) || sentId < 0) sentId = 0;
    const send = (note: Notification): void => {
      if (note.id <= sentId) return;
      sentId = note.id;
      // A reader this far behind reconnects and replays from the kept list: nothing queues here.
      if (!writer.event(`id: ${note.id}\nevent: notification\ndata: ${JSON.stringify(note)}\n\n`)) res.end();
    };
    let ready = false;
    const early: Notification[] = [];
    // Listen before reading the kept ones, so one sent in between is not lost.
    const stop = await people.notes.listen(who.userId, (note) => (ready ? send(note) : early.push(note)));
    stream.onClose(stop);
    try {
      const box = await people.notes.inbox(who.userId);
      writer.raw(`event: inbox\ndata: ${JSON.stringify({ unread: box.unread, readUpTo: box.readUpTo })}\n\n`);
      if (req.header("last-event-id") !== undefined) for (const note of box.items.slice().reverse()) send(note);
      ready = true;
      for (const note of early) send(note);
    } catch (error) {
      log.warn("notification stream failed", { error });
      stream.end();
    }
  }
}
