/**
 * The Colyseus monitor panel for operators at `/colyseus`, behind HTTP basic
 * auth. It is mounted only when MONITOR_PASSWORD is set: a panel that can
 * dispose rooms is never left open. Failed logins are counted per address
 * (RATE_LIMIT_MONITOR_LOGIN): past the budget every request from that address,
 * right password included, is answered 429 until the window passes, so the
 * password cannot be guessed at the speed of the network. The generated nginx
 * config does not serve the panel at all (docs/OPERATIONS.md).
 */
import { timingSafeEqual, createHash } from "node:crypto";
import type express from "express";
import type { NextFunction, Request, Response } from "express";
import { monitor } from "@colyseus/monitor";
import type { RateLimits } from "./limits/RateLimits.ts";

export const MONITOR_PATH = "/colyseus";

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

function rightCredentials(req: Request, user: string, password: string): boolean {
  const [scheme, encoded] = (req.headers.authorization ?? "").split(" ");
  if (scheme !== "Basic" || encoded === undefined) return false;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon >= 0 && same(decoded.slice(0, colon), user) && same(decoded.slice(colon + 1), password);
}

function basicAuth(user: string, password: string, limits: RateLimits) {
  return (req: Request, res: Response, next: NextFunction): void => {
    void (async () => {
      // Checked before the password: once the budget is spent, the right password gets no further than a wrong one.
      if (await limits.spent("monitorLogin", req, res)) return;
      if (rightCredentials(req, user, password)) return next();
      // A browser's first request carries no credentials: only a wrong attempt counts.
      if (req.headers.authorization !== undefined) await limits.fail("monitorLogin", req);
      res.setHeader("WWW-Authenticate", 'Basic realm="arena monitor", charset="UTF-8"');
      res.status(401).send("authentication required");
    })().catch(next);
  };
}

/** Mounts the panel when a password is configured; returns whether it did. */
export function mountMonitor(app: express.Application, user: string, password: string | undefined, limits: RateLimits): boolean {
  if (password === undefined) return false;
  app.use(MONITOR_PATH, basicAuth(user, password, limits), monitor() as unknown as express.RequestHandler);
  return true;
}
