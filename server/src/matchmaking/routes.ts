/** HTTP routes for joining by code and spectating; seat reservations (with their join ticket) are consumed by the SDK. */
import express, { type Application } from "express";
import { z } from "zod";
import { getBearerToken } from "@colyseus/core";
import { CodeJoinErrors } from "@arena/shared";
import { AuthError, verifyGuestToken, type GuestIdentity } from "../auth.ts";
import type { RateLimits } from "../limits/RateLimits.ts";
import type { Logger } from "../log.ts";
import { CodeJoinError, reserveSeat } from "./codeJoin.ts";
import { withJoinTicket } from "./joinTickets.ts";

const CodeBody = z.object({ code: z.string().max(32), name: z.string().max(64).optional(), spectate: z.boolean().optional() }).strict();
const SpectateBody = z.object({ roomId: z.string().min(1).max(64), name: z.string().max(64).optional() }).strict();

export function mountMatchmakingRoutes(app: Application, authSecret: Uint8Array, limits: RateLimits, log: Logger): void {
  const handle = (schema: typeof CodeBody | typeof SpectateBody) => async (req: express.Request, res: express.Response): Promise<void> => {
    try {
      const parsed = schema.safeParse(req.body);
      if (!parsed.success) throw new CodeJoinError(400, CodeJoinErrors.INVALID_REQUEST, parsed.error.issues[0]?.message ?? "invalid body");
      let who: GuestIdentity;
      try {
        who = await verifyGuestToken(authSecret, getBearerToken(req.headers.authorization ?? "") ?? "");
      } catch (e) {
        if (e instanceof AuthError) throw new CodeJoinError(401, CodeJoinErrors.AUTH_FAILED, e.message);
        throw e;
      }
      const body = parsed.data;
      const reservation = await reserveSeat("code" in body
        ? { target: body.code, byRoomId: false, spectate: body.spectate === true, options: { name: body.name } }
        : { target: body.roomId, byRoomId: true, spectate: true, options: { name: body.name } });
      res.json(withJoinTicket(authSecret, who, reservation));
    } catch (e) {
      if (e instanceof CodeJoinError) {
        res.status(e.status).json({ error: e.error, message: e.message });
        return;
      }
      log.error("seat reservation failed", { error: e });
      res.status(500).json({ error: "internal", message: "internal error" });
    }
  };
  // Counted before the body is read or the token checked: a walk over codes costs its budget even when malformed.
  app.post("/api/matchmake/code", limits.guard("codeJoin"), express.json({ limit: "2kb" }), handle(CodeBody));
  app.post("/api/matchmake/spectate", limits.guard("spectate"), express.json({ limit: "2kb" }), handle(SpectateBody));
}
