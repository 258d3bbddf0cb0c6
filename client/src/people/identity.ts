/**
 * The person behind the page: the guest token is kept in localStorage, so
 * every visit and every tab of this browser is the same person (same user
 * id). Tokens last 30 days; one past half of that is traded for a fresh one
 * (POST /api/auth/refresh), as is one whose name the person changed, so the
 * id survives both. A token the server refuses (e.g. its secret changed) is
 * replaced by a new sign-in.
 */
import { signIn, type GuestToken } from "../net/connect.ts";
import { HttpRefused } from "../net/joinErrors.ts";

const STORAGE_KEY = "arena.identity";

export interface Identity extends GuestToken {
  /** Seconds since the epoch. */
  expiresAt: number;
}

function load(): Identity | undefined {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const id = raw === null ? undefined : (JSON.parse(raw) as Partial<Identity>);
    if (typeof id?.token === "string" && typeof id.userId === "string" && typeof id.name === "string" && typeof id.expiresAt === "number") return id as Identity;
  } catch {
    // Unreadable or unavailable storage: sign in again.
  }
  return undefined;
}

function save(id: Identity): Identity {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(id));
  } catch {
    // Private mode without storage: this tab keeps the person until it closes.
  }
  return id;
}

/** The guest token kept in this browser, if any (the replay viewer sends it for a private room's replay). */
export function storedToken(): string | undefined {
  return load()?.token;
}

/** The name the person last used in this browser, if any. */
export function storedName(): string | undefined {
  return load()?.name;
}

async function refresh(serverUrl: string, id: Identity, name: string): Promise<Identity | undefined> {
  const res = await fetch(`${serverUrl}/api/auth/refresh`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${id.token}` },
    body: JSON.stringify({ name }),
  });
  if (res.status === 401) return undefined;
  if (!res.ok) throw new HttpRefused(res.status, "error", `token refresh refused (${res.status})`);
  return (await res.json()) as Identity;
}

/** This browser's person, named `name`: kept, refreshed or newly signed in. */
export async function ensureIdentity(serverUrl: string, name: string, ttlSeconds = 30 * 24 * 3600): Promise<Identity> {
  const now = Date.now() / 1000;
  const kept = load();
  if (kept !== undefined && kept.expiresAt > now + 60) {
    const stale = kept.expiresAt - now < ttlSeconds / 2;
    if (!stale && kept.name === name) return kept;
    const fresh = await refresh(serverUrl, kept, name);
    if (fresh !== undefined) return save(fresh);
  }
  return save((await signIn(serverUrl, name)) as Identity);
}
