/** The people routes, as the page calls them (bearer token; refusals become HttpRefused with the server's words). */
import type { Inbox } from "@arena/shared";
import { HttpRefused, retryAfterSeconds } from "../net/joinErrors.ts";

async function call<T>(serverUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${serverUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    throw new HttpRefused(res.status, typeof json.error === "string" ? json.error : "error",
      typeof json.message === "string" ? json.message : `refused (${res.status})`, retryAfterSeconds(res.headers.get("retry-after")));
  }
  return json as T;
}

export class PeopleApi {
  constructor(private readonly serverUrl: string, private readonly token: () => Promise<string>) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return call<T>(this.serverUrl, await this.token(), method, path, body);
  }

  invite(to: string, roomId: string): Promise<{ inviteId: string; expiresAt: number }> {
    return this.call("POST", "/api/invites", { to, roomId });
  }

  /** Accepting answers the room to join. */
  answer(inviteId: string, accept: boolean): Promise<{ roomId?: string }> {
    return this.call("POST", `/api/invites/${encodeURIComponent(inviteId)}/answer`, { accept });
  }

  markRead(upTo: number): Promise<Inbox> {
    return this.call("POST", "/api/notifications/read", { upTo });
  }

  block(userId: string, name: string): Promise<unknown> {
    return this.call("POST", "/api/blocks", { userId, name });
  }
}
