/** Sign-in and joining: the HTTP and matchmaking half of talking to the server. */
import { Client } from "@colyseus/sdk";
import { ROOM_ARENA, type ArenaState } from "@arena/shared";
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

/** Joins as asked: quick play fills an open room; a code joins that room. */
export async function joinRoom(serverUrl: string, token: string, name: string, request: JoinRequest): Promise<ArenaRoom> {
  const client = new Client(serverUrl);
  client.auth.token = token;
  const room = request.kind === "quick"
    ? await client.joinOrCreate<ArenaState>(ROOM_ARENA, { name })
    : await client.joinById<ArenaState>(request.code, { name });
  return room as ArenaRoom;
}

/** A readable sentence for a join failure (matchmaking errors carry a code). */
export function describeJoinError(e: unknown): string {
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
