/**
 * One CORS policy for every route: the HTTP API, /health, the SSE streams and Colyseus' matchmaking routes.
 *
 * Colyseus puts its own CORS headers on every request of the process, not only its matchmaking routes: a
 * 'request' listener it prepends (router/index.ts) answers every OPTIONS preflight with 204 and sets
 * `{ ...controller.DEFAULT_CORS_HEADERS, ...controller.getCorsHeaders(headers) }` on every response, by
 * default the request's own Origin with `Access-Control-Allow-Credentials: true`, whatever CORS_ORIGINS
 * says. So the policy is given to Colyseus (its documented customization point) and it applies it to all.
 *
 * Allowed (CORS_ORIGINS unset: any origin; otherwise exactly those listed): the origin is echoed with
 * credentials allowed (the SDK's fetch uses `credentials: "include"`). Not allowed: no CORS header at all,
 * so the browser refuses to hand the answer to the page.
 */
import { matchMaker } from "@colyseus/core";

/** Headers every response carries (a preflight needs them; without an allowed origin they grant nothing). */
const ALWAYS = {
  "Access-Control-Allow-Headers": "Origin, X-Requested-With, Content-Type, Accept, Authorization, Last-Event-ID",
  "Access-Control-Allow-Methods": "GET, HEAD, POST, DELETE, OPTIONS",
  "Access-Control-Max-Age": "600",
  Vary: "Origin",
};

/** The CORS headers for a request from `origin` under the allowed `origins` (empty: any). */
export function corsHeadersFor(origins: readonly string[], origin: string | null | undefined): Record<string, string> {
  if (origin === null || origin === undefined || origin === "") return {};
  if (origins.length > 0 && !origins.includes(origin)) return {};
  return { "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true" };
}

/** Makes Colyseus apply the policy to every request of this process; returns the undo (tests start several servers). */
export function installCorsPolicy(origins: readonly string[]): () => void {
  const controller = matchMaker.controller;
  const saved = { defaults: controller.DEFAULT_CORS_HEADERS, get: controller.getCorsHeaders };
  controller.DEFAULT_CORS_HEADERS = { ...ALWAYS } as unknown as typeof controller.DEFAULT_CORS_HEADERS;
  controller.getCorsHeaders = (headers: Headers) => corsHeadersFor(origins, headers.get("origin"));
  return () => {
    controller.DEFAULT_CORS_HEADERS = saved.defaults;
    controller.getCorsHeaders = saved.get;
  };
}
