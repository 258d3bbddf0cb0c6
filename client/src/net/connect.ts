/** Sign-in and joining: the HTTP and matchmaking half of talking to the server. */
import { Client } from "@colyseus/sdk";
import { ROOM_ARENA, normalizeRoomCode, type ArenaState } from "@arena/shared";
import type { JoinRequest } from "../ui/flow.ts";
import type { ArenaRoom } from "./session.ts";

export interface GuestToken {
  token: string;
  name: string;
  userId: string;
}

/** Signs in as a guest; throws an Error with the server's message when refused. */
export async function signIn(serverUrl: string, name: string): Promise<GuestToken> {
  const res = await fetch(`${serverUrl}/api/auth/guest`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  const body = (await res.json().catch(() => ({}))) as Partial<GuestToken> & { message?: string };
  if (!res.ok || typeof body.token !== "string") throw new Error(body.message ?? `sign-in failed (${res.status})`);
  return body as GuestToken;
}

/** An error from the code-join endpoint, with its machine-readable name. */
export class JoinRefused extends Error {
  override name = "JoinRefused";
  constructor(readonly error: string, message: string) {
    super(message);
  }
}

/** Reserves a seat through the code or spectate endpoint, then connects with it. */
async function joinWithReservation(client: Client, serverUrl: string, token: string, path: string, body: object): Promise<ArenaRoom> {
  const res = await fetch(`${serverUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!res.ok) throw new JoinRefused(json.error ?? "error", json.message ?? `refused (${res.status})`);
  return (await client.consumeSeatReservation<ArenaState>(json as never)) as ArenaRoom;
}

/**
 * Joins as asked. Quick play fills the fullest open room; a 6-character code
 * joins that private room from any process; any other id joins that public
 * room; "create" opens a private room; "spectate" watches without a seat.
 */
export async function joinRoom(serverUrl: string, token: string, name: string, request: JoinRequest): Promise<ArenaRoom> {
  const client = new Client(serverUrl);
  client.auth.token = token;
  switch (request.kind) {
    case "quick":
      return (await client.joinOrCreate<ArenaState>(ROOM_ARENA, { name })) as ArenaRoom;
    case "create":
      return (await client.create<ArenaState>(ROOM_ARENA, { name, private: true })) as ArenaRoom;
    case "spectate":
      return joinWithReservation(client, serverUrl, token, "/api/matchmake/spectate", { roomId: request.roomId, name });
    case "code": {
      const code = normalizeRoomCode(request.code);
      if (code !== undefined) return joinWithReservation(client, serverUrl, token, "/api/matchmake/code", { code, name });
      return (await client.joinById<ArenaState>(request.code, { name })) as ArenaRoom;
    }
  }
}

/** A readable sentence for a join failure (matchmaking errors carry a code). */
export function describeJoinError(e: unknown): string {
  if (e instanceof JoinRefused) return `Could not join: ${e.message}.`;
  const err = e as { code?: number; message?: string };
  if (err.code === 525) return `Sign-in was refused: ${err.message ?? "invalid token"}.`;
  if (err.code === 522 || err.code === 524) return "That room does not exist any more.";
  if (err.code === 521) return "That room is full or closed.";
  return err.message ? `Could not join: ${err.message}` : "Could not join the room.";
}

/** An invite link for a room on this page. */
export function inviteLink(location: { origin: string; pathname: string }, roomId: string): string {
  return `${location.origin}${location.pathname}?join=${encodeURIComponent(roomId)}`;
}
