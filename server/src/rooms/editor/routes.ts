/**
 * Published maps over HTTP: GET /api/maps/:mapId/:version, a map as the game simulates it (frozen, so cached
 * for good), and GET /api/maps/:mapId, its newest version number (changes on each publish, so never cached).
 */
import type { Application, Request, Response } from "express";
import { MAP_ID_PATTERN, MAP_VERSION_MAX } from "@arena/shared";
import type { RateLimits } from "../../limits/RateLimits.ts";
import type { MapStore } from "./store.ts";

const INVALID = { error: "invalid_request", message: "a map id (8-64 letters, digits, - or _) and a version from 1" } as const;

/** Both routes are limited per address (RATE_LIMIT_MAPS): each read may go to disk or Redis. */
export function mountMapRoutes(app: Application, store: MapStore, limits: RateLimits): void {
  app.get("/api/maps/:mapId/:version", limits.guard("maps"), async (req: Request<{ mapId: string; version: string }>, res: Response) => {
    const { mapId, version } = req.params;
    const n = Number(version);
    if (!MAP_ID_PATTERN.test(mapId) || !Number.isInteger(n) || n < 1 || n > MAP_VERSION_MAX) {
      res.status(400).json(INVALID);
      return;
    }
    try {
      const map = await store.published(mapId, n);
      if (map === undefined) {
        res.status(404).json({ error: "not_found", message: `no published version ${n} of map ${mapId}` });
        return;
      }
      res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
      res.json(map);
    } catch {
      res.status(503).json({ error: "unavailable", message: "maps cannot be read right now" });
    }
  });

  app.get("/api/maps/:mapId", limits.guard("maps"), async (req: Request<{ mapId: string }>, res: Response) => {
    const { mapId } = req.params;
    if (!MAP_ID_PATTERN.test(mapId)) {
      res.status(400).json(INVALID);
      return;
    }
    res.setHeader("Cache-Control", "no-store");
    try {
      const latest = await store.latest(mapId);
      if (latest === 0) {
        res.status(404).json({ error: "not_found", message: `map ${mapId} has no published version` });
        return;
      }
      res.json({ mapId, latest });
    } catch {
      res.status(503).json({ error: "unavailable", message: "maps cannot be read right now" });
    }
  });
}
