/**
 * The replay routes (docs/PROTOCOL.md, "Replays"), every one behind the per-address `replays` limit:
 *   GET /api/replays                 the newest public replays; `?room=<roomId>`: a public room's
 *   GET /api/replays?mine=1          the caller's own (public or private), with `Authorization: Bearer <token>`
 *   GET /api/replays/:id             the recording's bytes (docs/REPLAYS.md)
 *   GET /api/replays/:id/summary     what the lists show of it
 * `limit` (1-REPLAY_LIST_MAX) on the lists. A private room's replay is served only to a token of someone who
 * played in it (401 without a valid token, 403 with another person's); ids are 128 random bits. Refusals
 * are `{ error, message }` (ReplayErrors; rate_limited with 429; unavailable with 503 while the store is).
 */
import type { Application, Request, Response } from "express";
import { z } from "zod";
import { getBearerToken } from "@colyseus/core";
import { HttpErrors } from "@arena/shared";
import { REPLAY_LIST_DEFAULT, REPLAY_LIST_MAX, ReplayErrors, type ReplayListOut } from "@arena/shared/replay";
import { AuthError, verifyGuestToken, type GuestIdentity } from "../auth.ts";
import type { RateLimits } from "../limits/RateLimits.ts";
import type { Logger } from "../log.ts";
import { summaryOf, type ReplayMeta } from "./meta.ts";
import type { ReplayStore } from "./store.ts";

/** Retry-After of a request refused while the store is unreachable. */
const UNAVAILABLE_RETRY_S = 2;

const ListQuery = z.object({
  mine: z.enum(["1", "true"]).optional(),
  room: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(REPLAY_LIST_MAX).optional(),
}).strict();

export interface ReplayRouteOptions {
  readonly authSecret: Uint8Array;
  readonly limits: RateLimits;
}

type Refusal = { readonly status: number; readonly error: string; readonly message: string };

export function mountReplayRoutes(app: Application, store: ReplayStore, opts: ReplayRouteOptions, log: Logger): void {
  const guard = opts.limits.guard("replays");

  /** The token's person, or the refusal to send (a token is given but is not valid counts as none). */
  const who = async (req: Request): Promise<GuestIdentity | Refusal> => {
    try {
      return await verifyGuestToken(opts.authSecret, getBearerToken(req.headers.authorization ?? "") ?? "");
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      return { status: 401, error: ReplayErrors.AUTH_FAILED, message: `a guest token (Authorization: Bearer) of someone who played in it is needed: ${e.message}` };
    }
  };

  /** Runs `handler`; the store failing (Redis unreachable) answers 503. */
  const route = (what: string, handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response): Promise<void> => {
    res.setHeader("Cache-Control", "no-store");
    try {
      await handler(req, res);
    } catch (error) {
      log.warn(`replay ${what} failed`, { error });
      if (res.headersSent) return;
      res.status(503).setHeader("Retry-After", String(UNAVAILABLE_RETRY_S));
      res.json({ error: HttpErrors.UNAVAILABLE, message: `replays cannot be read right now; try again in ${UNAVAILABLE_RETRY_S} s` });
    }
  };

  const refuse = (res: Response, r: Refusal): void => {
    res.status(r.status).json({ error: r.error, message: r.message });
  };

  /** The replay `id` if the caller may have it; otherwise the refusal has been sent. */
  const permitted = async (req: Request, res: Response): Promise<ReplayMeta | undefined> => {
    const id = String(req.params.id ?? "");
    const meta = await store.get(id);
    if (meta === undefined) {
      refuse(res, { status: 404, error: ReplayErrors.NOT_FOUND, message: "no such replay (it may have been deleted: replays are kept for a while)" });
      return undefined;
    }
    if (meta.private) {
      const person = await who(req);
      if ("status" in person) return void refuse(res, person);
      if (!meta.players.includes(person.userId)) {
        return void refuse(res, { status: 403, error: ReplayErrors.FORBIDDEN, message: "this private match's replay is only for those who played in it" });
      }
    }
    if (meta.state !== "ended") {
      refuse(res, { status: 409, error: ReplayErrors.RECORDING, message: "this match is still being recorded; its replay is ready when it ends" });
      return undefined;
    }
    return meta;
  };

  app.get("/api/replays", guard, route("list", async (req, res) => {
    const parsed = ListQuery.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return refuse(res, { status: 400, error: ReplayErrors.INVALID_REQUEST, message: `${issue?.path.join(".") || "query"}: ${issue?.message ?? "invalid"} (takes mine=1, room=<roomId>, limit=1-${REPLAY_LIST_MAX})` });
    }
    const q = parsed.data;
    const limit = q.limit ?? REPLAY_LIST_DEFAULT;
    let metas: ReplayMeta[];
    if (q.mine !== undefined) {
      const person = await who(req);
      if ("status" in person) return refuse(res, person);
      metas = await store.list({ userId: person.userId, limit });
    } else {
      metas = await store.list({ ...(q.room !== undefined ? { roomId: q.room } : {}), limit });
    }
    res.json({ replays: metas.map(summaryOf) } satisfies ReplayListOut);
  }));

  app.get("/api/replays/:id/summary", guard, route("summary", async (req, res) => {
    const meta = await permitted(req, res);
    if (meta !== undefined) res.json(summaryOf(meta));
  }));

  app.get("/api/replays/:id", guard, route("fetch", async (req, res) => {
    const meta = await permitted(req, res);
    if (meta === undefined) return;
    const bytes = await store.read(meta.id);
    if (bytes === undefined) return refuse(res, { status: 404, error: ReplayErrors.NOT_FOUND, message: "no such replay (it may have been deleted: replays are kept for a while)" });
    res.setHeader("Content-Type", "application/octet-stream");
    res.setHeader("Content-Disposition", `attachment; filename="${meta.id}.arpl"`);
    res.end(bytes);
  }));
}
