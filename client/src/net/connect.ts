/** Sign-in and joining: the HTTP and matchmaking half of talking to the server. */
import { Client } from "@colyseus/sdk";
import { JoinClient } from "@arena/shared/sdk";
import { ROOM_ARENA, normalizeRoomCode, type ArenaState } from "@arena/shared";
import type { JoinRequest } from "../ui/flow.ts";
import { HttpRefused, retryAfterSeconds } from "./joinErrors.ts";
import type { ArenaRoom } from "./session.ts";

export interface GuestToken {
  token: string;
  name: string;
  userId: string;
}

/** Our HTTP routes answer a refusal with `{ error, message }`; anything else is the server's fault. */
async function refusal(res: Response): Promise<HttpRefused> {
  const json = (await res.json().catch(() => ({}))) as { error?: unknown; message?: unknown };
  return new HttpRefused(
    res.status,
    typeof json.error === "string" ? json.error : "error",
    typeof json.message === "string" ? json.message : `refused (${res.status})`,
    retryAfterSeconds(res.headers.get("retry-after")),
  );
}

/** Signs in as a guest; throws an HttpRefused when refused. */
export async function signIn(serverUrl: string, name: string): Promise<GuestToken> {
  const res = await fetch(`${serverUrl}/api/auth/guest`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (!res.ok) throw await refusal(res);
  const body = (await res.json().catch(() => ({}))) as Partial<GuestToken>;
  if (typeof body.token !== "string") throw new HttpRefused(res.status, "error", "the sign-in answer had no token");
  return body as GuestToken;
}

/** Reserves a seat through the code or spectate endpoint, then connects with it. */
async function joinWithReservation(client: Client, serverUrl: string, token: string, path: string, body: object): Promise<ArenaRoom> {
  const res = await fetch(`${serverUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await refusal(res);
  return (await client.consumeSeatReservation<ArenaState>((await res.json()) as never)) as ArenaRoom;
}

/**
 * Joins as asked. Quick play fills the fullest open room; a 6-character code
 * joins that private room from any process; any other id joins that public
 * room; "create" opens a private room, "practice" one with bots; "spectate"
 * watches without a seat.
 */
export async function joinRoom(serverUrl: string, token: string, name: string, request: JoinRequest): Promise<ArenaRoom> {
  const client = new JoinClient(serverUrl);
  client.auth.token = token;
  switch (request.kind) {
    case "quick":
      return (await client.joinOrCreate<ArenaState>(ROOM_ARENA, { name })) as ArenaRoom;
    case "create":
      return (await client.create<ArenaState>(ROOM_ARENA, { name, private: true })) as ArenaRoom;
    case "practice":
      return (await client.create<ArenaState>(ROOM_ARENA, { name, bots: request.bots, difficulty: request.difficulty })) as ArenaRoom;
    case "spectate":
      return joinWithReservation(client, serverUrl, token, "/api/matchmake/spectate", { roomId: request.roomId, name });
    case "code": {
      const code = normalizeRoomCode(request.code);
      if (code !== undefined) return joinWithReservation(client, serverUrl, token, "/api/matchmake/code", { code, name });
      return (await client.joinById<ArenaState>(request.code, { name })) as ArenaRoom;
    }
  }
}

/** An invite link for a room on this page. */
export function inviteLink(location: { origin: string; pathname: string }, roomId: string): string {
  return `${location.origin}${location.pathname}?join=${encodeURIComponent(roomId)}`;
}
