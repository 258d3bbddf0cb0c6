/**
 * The Colyseus monitor panel for operators at `/colyseus`, behind HTTP basic
 * auth. It is mounted only when MONITOR_PASSWORD is set: a panel that can
 * dispose rooms is never left open.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import type express from "express";
import type { NextFunction, Request, Response } from "express";
import { monitor } from "@colyseus/monitor";

export const MONITOR_PATH = "/colyseus";

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

function basicAuth(user: string, password: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization ?? "";
    const [scheme, encoded] = header.split(" ");
    if (scheme === "Basic" && encoded !== undefined) {
      const decoded = Buffer.from(encoded, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon >= 0 && same(decoded.slice(0, colon), user) && same(decoded.slice(colon + 1), password)) return next();
    }
    res.setHeader("WWW-Authenticate", 'Basic realm="arena monitor", charset="UTF-8"');
    res.status(401).send("authentication required");
  };
}

/** Mounts the panel when a password is configured; returns whether it did. */
export function mountMonitor(app: express.Application, user: string, password: string | undefined): boolean {
  if (password === undefined) return false;
  app.use(MONITOR_PATH, basicAuth(user, password), monitor() as unknown as express.RequestHandler);
  return true;
}
