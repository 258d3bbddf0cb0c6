/** GET /api/maps/:mapId/:version: a published map as the game simulates it. Frozen, so cached for good. */
import type express from "express";
import type { MapStore } from "./store.ts";

export function mountMapRoutes(app: express.Application, store: MapStore): void {
  app.get("/api/maps/:mapId/:version", async (req, res) => {
    const { mapId, version } = req.params;
    const n = Number(version);
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(mapId) || !Number.isInteger(n) || n < 1 || n > 1_000_000) {
      res.status(400).json({ error: "invalid_request", message: "a map id (8-64 letters, digits, - or _) and a version from 1" });
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
}
