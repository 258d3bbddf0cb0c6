/**
 * Which Redis the processes share, as configured: one server (REDIS_URL), a
 * Redis Cluster (REDIS_CLUSTER_NODES) or a primary watched by Sentinel
 * (REDIS_SENTINELS + REDIS_SENTINEL_MASTER). At most one of them; config.ts
 * checks that, this file parses the node lists. redisClient.ts makes the
 * connections.
 */

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** Credentials and TLS shared by every node of a cluster (or the primary behind Sentinel). */
export interface RedisAuth {
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

export type RedisTarget =
  | { readonly kind: "single"; readonly url: string }
  /** Seed nodes: ioredis asks them for the slot map and finds the others from it. */
  | { readonly kind: "cluster"; readonly nodes: readonly RedisNode[]; readonly auth: RedisAuth }
  | { readonly kind: "sentinel"; readonly sentinels: readonly RedisNode[]; readonly master: string; readonly auth: RedisAuth };

/** Nodes in a list beyond this are refused (a typo joining two lists, not a real cluster's seed list). */
const MAX_NODES = 64;

/**
 * A comma-separated list of `host:port` (or `redis://[user:password@]host:port`, `rediss://` for TLS;
 * `[::1]:7000` for IPv6). Credentials and the scheme may be written on one entry and apply to all; two
 * entries that disagree are an error. Throws an Error whose message completes "<VARIABLE> ...".
 */
export function parseRedisNodes(list: string): { nodes: RedisNode[]; auth: RedisAuth } {
  const entries = list.split(",").map((s) => s.trim()).filter(Boolean);
  const shape = 'must be a comma-separated list of host:port (e.g. "10.0.0.5:7000,10.0.0.6:7000"), each optionally redis://user:password@host:port or rediss://';
  if (entries.length === 0) throw new Error(shape);
  if (entries.length > MAX_NODES) throw new Error(`must list at most ${MAX_NODES} nodes (a few seeds are enough)`);
  const nodes: RedisNode[] = [];
  let scheme: string | undefined;
  let username: string | undefined;
  let password: string | undefined;
  const seen = new Set<string>();
  for (const entry of entries) {
    let url: URL;
    try {
      url = new URL(entry.includes("://") ? entry : `redis://${entry}`);
    } catch {
      throw new Error(`${shape}; "${redactEntry(entry)}" is not`);
    }
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new Error(`${shape}; "${redactEntry(entry)}" has scheme ${url.protocol}`);
    if (url.port === "" || url.hostname === "") throw new Error(`${shape}; "${redactEntry(entry)}" has no port`);
    if (url.pathname.length > 1) throw new Error(`${shape}; "${redactEntry(entry)}" names a database (a cluster has only database 0)`);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const node = { host, port: Number(url.port) };
    const id = `${host}:${node.port}`;
    if (seen.has(id)) throw new Error(`${shape}; ${id} is listed twice`);
    seen.add(id);
    nodes.push(node);
    if (entry.includes("://")) scheme = agree("scheme", scheme, url.protocol);
    if (url.username !== "") username = agree("user name", username, decodeURIComponent(url.username));
    if (url.password !== "") password = agree("password", password, decodeURIComponent(url.password));
  }
  return { nodes, auth: { ...(username !== undefined && { username }), ...(password !== undefined && { password }), tls: scheme === "rediss:" } };
}

function agree(what: string, before: string | undefined, now: string): string {
  if (before !== undefined && before !== now) throw new Error(`must give every node the same ${what} (entries disagree)`);
  return now;
}

/** An entry without its password, for an error message. */
function redactEntry(entry: string): string {
  return entry.replace(/\/\/([^@/]*)@/, "//***@");
}

/** Where a target points, without passwords: for logs and start-up errors. */
export function describeRedisTarget(target: RedisTarget): string {
  switch (target.kind) {
    case "single":
      return target.url.replace(/\/\/([^@/]*)@/, "//***@");
    case "cluster":
      return `cluster ${target.nodes.map((n) => `${n.host}:${n.port}`).join(",")}`;
    case "sentinel":
      return `sentinel master "${target.master}" via ${target.sentinels.map((n) => `${n.host}:${n.port}`).join(",")}`;
  }
}

/** A target, or a redis:// URL standing for one server (tests and benchmarks pass URLs). */
export function asRedisTarget(target: RedisTarget | string): RedisTarget {
  return typeof target === "string" ? { kind: "single", url: target } : target;
}
