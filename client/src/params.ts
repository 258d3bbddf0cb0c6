/**
 * URL parameters for players, invite links and tests: ?name= ?join= ?quick=1 ?lag= ?jitter= ?loss= ?debug=1.
 * There is deliberately no way to point the page at another server: a crafted
 * link could send the player's sign-in anywhere. The server is the page's origin.
 */

export interface ImpairmentSettings {
  /** Added round-trip time, ms (half each way). */
  lagMs: number;
  /** Random extra delay per message, 0..jitterMs, ms. */
  jitterMs: number;
  /** Percentage of messages that need a retransmission (0..100). */
  lossPct: number;
}

export interface ClientParams {
  name: string;
  join: string;
  quick: boolean;
  debug: boolean;
  impairment: ImpairmentSettings;
}

function num(v: string | null, min: number, max: number): number {
  const n = v === null ? 0 : Number(v);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : 0;
}

/** Reads and bounds the page's parameters; nonsense values fall back to "off". */
export function parseParams(search: string): ClientParams {
  const q = new URLSearchParams(search);
  return {
    name: (q.get("name") ?? "").slice(0, 64),
    join: (q.get("join") ?? "").trim().slice(0, 64),
    quick: q.get("quick") === "1" || q.get("quick") === "true",
    debug: q.get("debug") === "1",
    impairment: {
      lagMs: num(q.get("lag"), 0, 2000),
      jitterMs: num(q.get("jitter"), 0, 1000),
      lossPct: num(q.get("loss"), 0, 50),
    },
  };
}
